/**
 * Workers resolve kernels from the kernel table, the page from the same table through the registry: the two
 * must name the same functions, or a task would run one kernel on the page and another in a worker.
 */
import { describe, expect, it } from 'vitest';
import { resolveKernel } from '../../src/executors/kernels.ts';
import { kernelsByWorkload } from '../../src/workloads/kernels.ts';
import { workloads } from '../../src/workloads/registry.ts';

describe('kernel table', () => {
  it('has one entry per experiment, and it is that experiment’s own kernels', () => {
    expect(Object.keys(kernelsByWorkload).sort()).toEqual(workloads.map((w) => w.meta.id).sort());
    for (const workload of workloads) expect(kernelsByWorkload[workload.meta.id]).toBe(workload.kernels);
  });

  it.each(workloads.flatMap((w) => Object.keys(w.kernels).map((kernel) => [w.meta.id, kernel] as const)))(
    'resolves %s/%s to the registry’s function',
    (workload, kernel) => {
      expect(resolveKernel({ workload, kernel })).toBe(workloads.find((w) => w.meta.id === workload)!.kernels[kernel]);
    },
  );

  it('refuses unknown names, inherited ones included', () => {
    expect(() => resolveKernel({ workload: 'nope', kernel: 'sumRange' })).toThrow(/Unknown experiment "nope"/);
    expect(() => resolveKernel({ workload: 'cpu-heavy', kernel: 'nope' })).toThrow(/no kernel "nope"/);
    expect(() => resolveKernel({ workload: 'cpu-heavy', kernel: 'constructor' })).toThrow(/no kernel "constructor"/);
    expect(() => resolveKernel({ workload: 'toString', kernel: 'call' })).toThrow(/Unknown experiment/);
  });
});
