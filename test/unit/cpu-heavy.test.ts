import { describe, expect, it } from 'vitest';
import { cpuHeavy } from '../../src/workloads/cpu-heavy/index.ts';
import { sumRange, sumRangeClosedForm } from '../../src/workloads/cpu-heavy/sum-range.ts';
import { splitRange } from '../../src/workloads/shared/ranges.ts';
import { resolveParams } from '../../src/engine/params.ts';
import { implementationOf, type TaskExecutor } from '../../src/workloads/types.ts';

describe('cpu-heavy kernel', () => {
  it.each([
    [0, 0],
    [1, 2],
    [7, 1000],
    [1 << 22, (1 << 22) + 3], // crosses nothing, starts on a chunk boundary
  ])('sumRange(%i, %i) equals the closed form', (start, end) => {
    expect(sumRange({ start, end })).toBe(sumRangeClosedForm({ start, end }));
  });

  it('stays exact past 2^53 on a random range spanning several chunks', () => {
    const start = 2 ** 30 + Math.floor(Math.random() * 2 ** 20);
    const end = start + (3 << 22) + Math.floor(Math.random() * 1000) + 1;
    const expected = sumRangeClosedForm({ start, end });
    expect(expected > 2n ** 53n).toBe(true);
    expect(sumRange({ start, end })).toBe(expected);
  });

  it.each([
    [1, 10, 3],
    [5, 7, 7],
    [100, 1001, 48],
    [3, 4, 10],
  ])('splitRange(start %i, n %i, parts %i) covers the range exactly once', (start, n, parts) => {
    const ranges = splitRange(start, n, parts);
    expect(ranges).toHaveLength(parts);
    expect(ranges[0]!.start).toBe(start);
    expect(ranges.at(-1)!.end).toBe(start + n);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.start).toBe(ranges[i - 1]!.end);
    const lengths = ranges.map((r) => r.end - r.start);
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
  });

  it('prepare draws a fresh random offset and verify catches a wrong sum', async () => {
    const params = resolveParams(cpuHeavy, 'quick', { n: 100_003, tasks: 7 });
    const a = cpuHeavy.prepare(params, Math.random, undefined);
    const b = cpuHeavy.prepare(params, Math.random, undefined);
    expect(a.offset).not.toBe(b.offset);
    expect(a.offset).toBeGreaterThan(0);
    const direct: TaskExecutor = {
      backend: 'serial',
      laneCount: 1,
      async map(_ref, args) {
        return { results: (args as never[]).map((r) => sumRange(r) as never), spans: [] };
      },
    };
    const signal = new AbortController().signal;
    const run = await implementationOf(cpuHeavy, 'serial').run(
      { config: { backend: 'serial', workers: 1 }, params, signal, executor: direct, pool: undefined as never, cores: 2, gpuDevice: () => Promise.reject(new Error('no GPU')) },
      a,
      undefined,
    );
    expect(cpuHeavy.verify(run.output, a).ok).toBe(true);
    expect(cpuHeavy.verify(run.output + 1n, a).ok).toBe(false);
  });
});
