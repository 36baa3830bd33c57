import { describe, expect, it } from 'vitest';
import { resolveParams, ParamError } from '../../src/engine/params.ts';
import { compileGpuJsKernel, destroyGpuJs } from '../../src/executors/gpujs.ts';
import { addCopied, addRange } from '../../src/workloads/array-add/add.ts';
import { fillRandomNonZero, firstMismatch, poisonOutput, POISONED_ELEMENTS } from '../../src/workloads/shared/float32.ts';
import { BINDINGS, ENTRY_POINT, LANES_PER_VECTOR, WORKGROUP_SIZE } from '../../src/workloads/array-add/gpu.ts';
import { arrayAdd } from '../../src/workloads/array-add/index.ts';
import { geometricSizes, sizedConfigurations, workerCounts } from '../../src/engine/sweep.ts';
import { splitRange } from '../../src/workloads/shared/ranges.ts';
import { implementationOf, type BackendId } from '../../src/workloads/types.ts';
import { inProcessContext, runOnce } from '../fixtures/in-process-executor.ts';
import { bracketsBalance, reflectWgslFile } from '../fixtures/wgsl.ts';

const randomArrays = (length: number) => {
  const a = fillRandomNonZero(new Float32Array(length), Math.random);
  const b = fillRandomNonZero(new Float32Array(length), Math.random);
  const expected = new Float32Array(length);
  for (let i = 0; i < length; i++) expected[i] = Math.fround(a[i]! + b[i]!);
  return { a, b, expected };
};

describe('array-add kernels', () => {
  it.each([1, 7, 1_000, 65_537])('addRange over %i elements matches the float32 sum, whatever the repeats', (length) => {
    const { a, b, expected } = randomArrays(length);
    for (const repeats of [1, 3]) {
      const c = new Float32Array(length);
      addRange({ a, b, c, start: 0, end: length, repeats });
      expect(firstMismatch(c, expected)).toBe(-1);
    }
  });

  it.each([
    [67, 3],
    [1_025, 3],
    [100_003, 4],
    [5, 8],
  ])('%i elements split over %i lanes: copied slices and disjoint shared ranges both give the whole sum', (length, lanes) => {
    const { a, b, expected } = randomArrays(length);
    const ranges = splitRange(0, length, Math.min(lanes, length));
    const copied = new Float32Array(length);
    for (const r of ranges) {
      copied.set(addCopied(structuredClone({ a: a.slice(r.start, r.end), b: b.slice(r.start, r.end), repeats: 2 })), r.start);
    }
    expect(firstMismatch(copied, expected)).toBe(-1);
    const shared = new Float32Array(new SharedArrayBuffer(length * 4));
    for (const r of [...ranges].reverse()) addRange({ a, b, c: shared, start: r.start, end: r.end, repeats: 1 });
    expect(firstMismatch(shared, expected)).toBe(-1);
  });

  it('random inputs are non-zero, in ±[0.5, 2), and sum exactly in a double (so float32 sums agree everywhere)', () => {
    const { a, b } = randomArrays(100_000);
    let outOfRange = 0;
    let inexact = 0;
    for (let i = 0; i < a.length; i++) {
      if (!(Math.abs(a[i]!) >= 0.5 && Math.abs(a[i]!) < 2)) outOfRange++;
      if (a[i]! + b[i]! - a[i]! !== b[i]!) inexact++;
    }
    expect({ outOfRange, inexact }).toEqual({ outOfRange: 0, inexact: 0 });
    expect(new Set(a.subarray(0, 1000)).size).toBeGreaterThan(990);
  });

  it('poisons the ends and fresh random elements of a reused output, and nothing else', () => {
    const length = 50_000 + Math.floor(Math.random() * 1_000);
    const output = fillRandomNonZero(new Float32Array(length), Math.random);
    const before = output.slice();
    poisonOutput(output);
    const poisoned = [...output.keys()].filter((i) => Number.isNaN(output[i]!));
    expect(poisoned).toContain(0);
    expect(poisoned).toContain(length - 1);
    expect(poisoned.length).toBeGreaterThan(POISONED_ELEMENTS / 2);
    expect(poisoned.length).toBeLessThanOrEqual(POISONED_ELEMENTS + 2);
    for (let i = 0; i < length; i++) if (!Number.isNaN(output[i]!)) expect(output[i]).toBe(before[i]);
    const again = before.slice();
    poisonOutput(again);
    expect([...again.keys()].filter((i) => Number.isNaN(again[i]!))).not.toEqual(poisoned);
  });

  it('firstMismatch compares bits: a sign, a NaN or a length difference is a mismatch', () => {
    const x = new Float32Array([1, 2, 0]);
    expect(firstMismatch(x, new Float32Array([1, 2, 0]))).toBe(-1);
    expect(firstMismatch(x, new Float32Array([1, 2, -0]))).toBe(2);
    expect(firstMismatch(new Float32Array([Number.NaN]), new Float32Array([1]))).toBe(0);
    expect(firstMismatch(x, new Float32Array([1, 2]))).toBe(2);
  });
});

describe('array-add sizes and configurations', () => {
  it.each([
    [2 ** 16, 2 ** 22, 4, [2 ** 16, 2 ** 18, 2 ** 20, 2 ** 22]],
    [100, 1_000, 4, [100, 400, 1_000]],
    [5_000, 5_000, 4, [5_000]],
    [9_000, 5_000, 4, [5_000]],
  ])('geometricSizes(%i, %i, ×%i) = %j', (min, max, factor, sizes) => {
    expect(geometricSizes(min, max, factor)).toEqual(sizes);
  });

  it.each([1, 2, 6])('with %i cores: every backend at every size, serial once per size, lanes swept at the largest', (cores) => {
    const params = resolveParams(arrayAdd, 'quick');
    const configs = arrayAdd.configurations!(params, cores, arrayAdd.meta.backends);
    const sizes = geometricSizes(params.minLength!, params.maxLength!, 4);
    for (const size of sizes) {
      const at = configs.filter((c) => c.size === size);
      expect(at.filter((c) => c.backend === 'serial')).toHaveLength(1);
      for (const backend of arrayAdd.meta.backends) expect(at.some((c) => c.backend === backend)).toBe(true);
      for (const lanes of ['workers', 'shared-memory'] as BackendId[]) {
        const counts = at.filter((c) => c.backend === lanes).map((c) => c.workers).sort((x, y) => x - y);
        expect(counts).toEqual(size === sizes.at(-1) ? workerCounts(cores) : [cores]);
      }
    }
    const keys = configs.map((c) => `${c.backend}/${c.workers}/${c.size}/${c.variant}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps only the backends asked for', () => {
    const configs = sizedConfigurations([10, 20], 2, ['serial', 'webgpu']);
    expect(configs.map((c) => `${c.backend}@${c.size}`)).toEqual(['serial@10', 'webgpu@10', 'serial@20', 'webgpu@20']);
  });

  it.each([
    [{ maxLength: 2 ** 26 }, /maxLength must be between 1,024 and 33,554,432/],
    [{ minLength: 10 }, /minLength must be between/],
    [{ repeats: 0 }, /repeats must be between 1 and 100/],
  ])('refuses %j before allocating anything', (overrides, message) => {
    expect(() => resolveParams(arrayAdd, 'default', overrides)).toThrow(ParamError);
    expect(() => resolveParams(arrayAdd, 'default', overrides)).toThrow(message);
  });
});

describe('array-add workload on the CPU backends', () => {
  it.each([
    ['serial', 1, 1_000],
    ['workers', 3, 100_003],
    ['shared-memory', 3, 100_003],
    ['workers', 4, 3],
    ['shared-memory', 2, 1_025],
  ] as Array<[BackendId, number, number]>)('%s × %i at %i elements: verified, and a wrong answer is caught', async (backend, workers, size) => {
    const params = resolveParams(arrayAdd, 'quick', { repeats: 2 });
    const prepared = arrayAdd.prepare(params, Math.random, size);
    const { output, check } = await runOnce(arrayAdd, { backend, workers, size }, params, prepared);
    expect(check.ok, check.detail).toBe(true);
    expect(output).toHaveLength(size);
    const index = Math.floor(Math.random() * size);
    output[index] = Math.fround(output[index]! * (1 + 2 ** -20));
    expect(arrayAdd.verify(output, prepared).ok).toBe(false);
    expect(arrayAdd.verify(output.subarray(1), prepared).ok).toBe(false);
  });

  it.each(['serial', 'shared-memory'] as BackendId[])(
    '%s reuses one output across runs, poisoned before each: a run that wrote nothing would fail the check',
    async (backend) => {
      const params = resolveParams(arrayAdd, 'quick');
      const size = 1_000 + Math.floor(Math.random() * 100);
      const prepared = arrayAdd.prepare(params, Math.random, size);
      const implementation = implementationOf(arrayAdd, backend);
      const ctx = inProcessContext({ backend, workers: 2, size }, params);
      const { state } = await implementation.setup!(ctx, prepared);
      implementation.beforeRun!(prepared, state);
      const first = await implementation.run(ctx, prepared, state);
      expect(arrayAdd.verify(first.output, prepared).ok).toBe(true);
      implementation.beforeRun!(prepared, state);
      // The buffer the last run filled is now NaN: its old answer cannot pass for a new one.
      expect(arrayAdd.verify(first.output, prepared).ok).toBe(false);
      const second = await implementation.run(ctx, prepared, state);
      expect(arrayAdd.verify(second.output, prepared).ok).toBe(true);
    },
  );

  it('draws fresh inputs each time and reports bandwidth from 12 bytes per element per repeat', () => {
    const params = resolveParams(arrayAdd, 'quick', { repeats: 3 });
    const first = arrayAdd.prepare(params, Math.random, 1_024);
    const second = arrayAdd.prepare(params, Math.random, 1_024);
    expect(firstMismatch(first.a, second.a)).not.toBe(-1);
    expect(arrayAdd.throughput!(first, 1).gbPerSecond).toBeCloseTo((12 * 1_024 * 3) / 1e6, 12);
  });
});

describe('array-add on gpu.js, in Node (no GPU: its CPU and WebAssembly backends)', () => {
  it.each([
    ['cpu', 'cpu', /fell back to its CPU mode/],
    ['gpu', 'webasm', /fell back to WebAssembly/],
  ])('mode %s runs as %s, is exact, and says it fell back', async (requested, expectedMode, note) => {
    const { a, b, expected } = randomArrays(10_007);
    const kernel = await compileGpuJsKernel({
      source: 'function add(a, b) { return a[this.thread.x] + b[this.thread.x]; }',
      settings: () => ({ output: [a.length], precision: 'single' }),
      firstArgs: () => [a, b],
      signal: new AbortController().signal,
      mode: requested,
    });
    try {
      expect(kernel.mode).toBe(expectedMode);
      expect(kernel.note).toMatch(note);
      expect(kernel.compileMs).toBeGreaterThan(0);
      const again = (await kernel.run(b, a)) as Float32Array;
      expect(firstMismatch(again, expected)).toBe(-1);
    } finally {
      await destroyGpuJs(kernel.gpu);
    }
  });
});

describe('array-add.wgsl', () => {
  const shader = reflectWgslFile('src/workloads/array-add/array-add.wgsl');

  it('has the compute entry point and workgroup size the code dispatches', () => {
    expect(bracketsBalance(shader.source)).toBe(true);
    expect(shader.computeEntryPoints).toEqual([{ name: ENTRY_POINT, workgroupSize: [WORKGROUP_SIZE] }]);
  });

  it('declares, in group 0, exactly the bindings the bind group is built from: a and b read-only, c written', () => {
    expect(shader.bindings.map((b) => [b.group, b.binding, b.name])).toEqual(BINDINGS.map((name, i) => [0, i, name]));
    expect(shader.bindings.map((b) => b.addressSpace)).toEqual(['storage, read', 'storage, read', 'storage, read_write']);
    // The buffers are padded to whole vectors of the width the code assumes.
    for (const b of shader.bindings) expect(b.type).toBe(`array<vec${LANES_PER_VECTOR}<f32>>`);
  });
});
