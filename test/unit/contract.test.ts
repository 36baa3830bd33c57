/**
 * The contract between the registry, the backend table and every experiment: each declared backend has an
 * implementation, every preset is valid, and each CPU backend's run resolves its kernels through the real
 * resolver, verifies on fresh random inputs, and fails the check once its output is perturbed.
 */
import { describe, expect, it } from 'vitest';
import { BACKEND_IDS, BACKENDS, isLaneBackend } from '../../src/engine/backends.ts';
import { resolveParams } from '../../src/engine/params.ts';
import { plannedConfigurations } from '../../src/engine/sweep.ts';
import { BackendIdSchema } from '../../src/results/schema.ts';
import { kernelRegistry, resolveKernel, type KernelRef } from '../../src/workloads/kernels.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { PRESETS, type BackendId, type Configuration, type Workload } from '../../src/workloads/types.ts';
import { runOnce } from '../fixtures/in-process-executor.ts';

/** Small parameters, so every experiment × backend runs in a moment. */
const SMALL: Record<string, Record<string, number>> = {
  'cpu-heavy': { n: 200_000 + Math.floor(Math.random() * 1_000), tasks: 7 },
  'tiny-tasks': { tasks: 5, minUs: 1, maxUs: 10, iterationsPerUs: 50 },
  'data-transfer': { minKiB: 1, maxKiB: 16, minRunKiB: 4 },
  'array-add': { minLength: 1_024, maxLength: 4_096 },
  'dot-product': { minN: 16, maxN: 37 },
};

/** What cannot run in Node: GPU backends, experiments that need a server or OPFS, and set-ups that start real Workers. */
function runsInProcess(workload: Workload<any, any>, config: Configuration): boolean {
  if (!(workload.meta.id in SMALL)) return false;
  if (config.backend === 'webgpu' || config.backend === 'gpujs') return false;
  if (workload.meta.id === 'tiny-tasks' && config.variant !== undefined && config.variant !== 'pooled') return false;
  return true;
}

/** Change one value of an output so that a correct check must refuse it. */
function perturb(output: unknown): unknown {
  if (typeof output === 'bigint') return output + 1n;
  if (output instanceof Float32Array) {
    const copy = output.slice();
    const i = Math.floor(Math.random() * copy.length);
    // 1% of the largest magnitude: past any tolerance a check may allow, as bit-exact checks must refuse too.
    const largest = copy.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    copy[i] = copy[i]! + 0.01 * largest + 2 ** -8;
    return copy;
  }
  if (Array.isArray(output)) {
    const copy = [...output];
    const i = Math.floor(Math.random() * copy.length);
    copy[i] = (copy[i] as number) + 1;
    return copy;
  }
  const { words, key } = output as { words: Int32Array; key: number };
  const copy = words.slice();
  copy[Math.floor(Math.random() * copy.length)]! ^= 1;
  return { words: copy, key };
}

/** The configurations of an experiment at its smallest size, one per backend and variant, at up to 3 lanes. */
function smallConfigurations(workload: Workload<any, any>, params: Record<string, number>): Configuration[] {
  const all = workload.configurations
    ? workload.configurations(params, 3, workload.meta.backends)
    : plannedConfigurations(workload.meta.backends, 3);
  const seen = new Set<string>();
  return all
    .toSorted((a, b) => (a.size ?? 0) - (b.size ?? 0) || b.workers - a.workers)
    .filter((c) => c.workers <= 3)
    .filter((c) => {
      const key = `${c.backend}/${c.variant}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

describe('the backend table', () => {
  it('names every backend once, and the results schema accepts exactly those names', () => {
    expect(new Set(BACKEND_IDS).size).toBe(BACKENDS.length);
    expect((BackendIdSchema as unknown as { anyOf: Array<{ const: string }> }).anyOf.map((s) => s.const)).toEqual([...BACKEND_IDS]);
  });

  it('gives every backend a reason when its capability is missing, and none when everything is there', () => {
    const everything = { workers: true, sharedArrayBuffer: true, crossOriginIsolated: true, webgpu: { available: true }, wasmSimd: { simd: true, relaxedSimd: true } };
    const nothing = { workers: false, sharedArrayBuffer: false, crossOriginIsolated: false, webgpu: { available: false }, wasmSimd: { simd: false, relaxedSimd: false } };
    for (const backend of BACKENDS) {
      expect(backend.unavailableReason(everything), backend.id).toBeUndefined();
      const reason = backend.unavailableReason(nothing);
      if (reason !== undefined) expect(reason.length, backend.id).toBeGreaterThan(20);
    }
    expect(BACKENDS.filter((b) => b.unavailableReason(nothing) === undefined).map((b) => b.id)).toEqual(['serial', 'event-loop', 'gpujs']);
  });
});

describe.each(workloads.map((w) => [w.meta.id, w] as const))('%s', (_id, workload) => {
  it('declares backends of the table, each with exactly one implementation', () => {
    const declared = [...workload.meta.backends];
    expect(declared.every((b) => (BACKEND_IDS as readonly string[]).includes(b))).toBe(true);
    expect(Object.keys(workload.implementations).sort()).toEqual(declared.toSorted());
    expect(declared).toContain('serial');
    // In the table's order, so every page and file lists backends alike.
    expect(declared).toEqual(BACKEND_IDS.filter((b) => declared.includes(b)));
  });

  it.each(PRESETS)('has a valid %s preset', (preset) => {
    expect(() => resolveParams(workload, preset)).not.toThrow();
  });

  it('exports kernels that resolve by name, and refuses names it does not have', () => {
    const kernels = kernelRegistry[workload.meta.id as keyof typeof kernelRegistry] as Record<string, unknown>;
    expect(Object.keys(kernels).length).toBeGreaterThan(0);
    for (const name of Object.keys(kernels)) {
      expect(resolveKernel({ workload: workload.meta.id, kernel: name } as KernelRef)).toBe(kernels[name]);
    }
    expect(() => resolveKernel({ workload: workload.meta.id, kernel: 'constructor' } as unknown as KernelRef)).toThrow(/has no kernel/);
    expect(() => resolveKernel({ workload: '__proto__', kernel: 'x' } as unknown as KernelRef)).toThrow(/Unknown experiment/);
  });

  const params = workload.meta.id in SMALL ? resolveParams(workload, 'quick', SMALL[workload.meta.id]) : undefined;
  const runnable = params ? smallConfigurations(workload, params).filter((c) => runsInProcess(workload, c)) : [];
  it.skipIf(runnable.length === 0).each(runnable.map((c) => [`${c.backend}${c.variant ? `/${c.variant}` : ''} × ${c.workers}`, c] as const))(
    '%s verifies on fresh random inputs, and a perturbed output fails the check',
    async (_label, config) => {
      const prepared = workload.prepare(params!, Math.random, config.size);
      const { output, check } = await runOnce(workload, config, params!, prepared, 2);
      expect(check.ok, check.detail).toBe(true);
      expect(workload.verify(perturb(output), prepared).ok).toBe(false);
    },
  );

  it('sweeps lane backends over lane counts and runs the others once per size and variant', () => {
    const configs = workload.configurations
      ? workload.configurations(resolveParams(workload, 'quick'), 4, workload.meta.backends)
      : plannedConfigurations(workload.meta.backends, 4);
    for (const backend of workload.meta.backends as readonly BackendId[]) {
      const lanes = new Set(configs.filter((c) => c.backend === backend).map((c) => c.workers));
      if (!isLaneBackend(backend)) expect([...lanes], backend).toEqual([1]);
    }
  });
});
