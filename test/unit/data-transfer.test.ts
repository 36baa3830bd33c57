import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../src/engine/params.ts';
import { dataTransfer } from '../../src/workloads/data-transfer/index.ts';
import {
  MAX_PAYLOAD_BYTES,
  fillPayload,
  firstMismatch,
  formatBytes,
  payloadSizesBytes,
  randomKey,
  touchWords,
} from '../../src/workloads/data-transfer/payload.ts';
import { resolveKernel, type KernelRef } from '../../src/workloads/kernels.ts';
import { implementationOf, type Configuration, type RunContext, type TaskExecutor } from '../../src/workloads/types.ts';

const freshSeed = () => randomKey(Math.random);

describe('payload', () => {
  it.each([1, 3, 256, 4_097])('%i words: the seed regenerates the payload, which is neither zeros nor another seed\'s', (length) => {
    const seed = freshSeed();
    const words = new Int32Array(length);
    fillPayload(words, seed);
    expect(firstMismatch(words, seed, 0)).toBe(-1);
    const other = new Int32Array(length);
    fillPayload(other, seed ^ 0x5bd1e995);
    expect(other).not.toEqual(words);
    if (length > 2) expect(words.some((w) => w !== 0)).toBe(true);
  });

  it.each([1, 3, 1_000, 65_537])('%i words: touching with two keys is checked against their XOR, and one wrong word fails', (length) => {
    const seed = freshSeed();
    const words = new Int32Array(length);
    fillPayload(words, seed);
    const k1 = freshSeed();
    const k2 = freshSeed();
    expect(touchWords(touchWords(words, k1), k2)).toBe(words);
    expect(firstMismatch(words, seed, k1 ^ k2)).toBe(-1);
    expect(firstMismatch(words, seed, k1)).not.toBe(-1);
    const at = Math.floor(Math.random() * length);
    words[at] = words[at]! ^ (1 << Math.floor(Math.random() * 32));
    expect(firstMismatch(words, seed, k1 ^ k2)).toBe(at);
  });

  it('draws non-zero keys, even from a generator that returns 0', () => {
    expect(randomKey(() => 0)).toBe(1);
    expect(randomKey(() => 0.999999)).not.toBe(0);
    for (let i = 0; i < 100; i++) expect(randomKey(Math.random)).not.toBe(0);
  });

  it.each([
    [1, 16 * 1024, 16, ['1 KiB', '16 KiB', '256 KiB', '4 MiB', '16 MiB']],
    [1, 256 * 1024, 16, ['1 KiB', '16 KiB', '256 KiB', '4 MiB', '64 MiB', '256 MiB']],
    [4, 4, 16, ['4 KiB']],
    [100, 3, 4, ['3 KiB', '12 KiB', '48 KiB', '100 KiB']],
  ])('sizes from %i to %i KiB by %i', (min, max, factor, expected) => {
    expect(payloadSizesBytes(min, max, factor).map(formatBytes)).toEqual(expected);
  });
});

/** An executor that hands the argument over as a worker would: cloned, or transferred both ways. */
function handover(mode: 'clone' | 'transfer' | 'in-place'): TaskExecutor {
  return {
    backend: mode === 'in-place' ? 'serial' : 'workers',
    laneCount: 1,
    async map(ref: KernelRef, args, _signal, transfer) {
      const kernel = resolveKernel<unknown, unknown>(ref);
      const results = args.map((arg) => {
        if (mode === 'in-place') return kernel(arg as never);
        const sent = structuredClone(arg, { transfer: transfer ? transfer(arg) : [] });
        const value = kernel(sent as never) as Int32Array;
        return structuredClone(value, { transfer: mode === 'transfer' ? [value.buffer as ArrayBuffer] : [] });
      });
      return { results: results as never[], spans: [{ lane: 0, task: 0, startEpochMs: 1, endEpochMs: 2, phase: 'compute' }] };
    },
  };
}

function context(config: Configuration, executor: TaskExecutor): RunContext {
  const params = resolveParams(dataTransfer, 'quick', { minRunKiB: 8 });
  return { config, params, signal: new AbortController().signal, executor, pool: undefined as never, cores: 2, gpuDevice: () => Promise.reject(new Error('no GPU')) };
}

describe('data-transfer workload', () => {
  it.each([
    [{ backend: 'serial', workers: 1 }, 'in-place'],
    [{ backend: 'workers', workers: 1, variant: 'clone' }, 'clone'],
    [{ backend: 'workers', workers: 1, variant: 'transfer' }, 'transfer'],
    [{ backend: 'shared-memory', workers: 1, variant: 'shared' }, 'in-place'],
  ] as const)('%j round-trips %s, every run verified, and a wrong byte fails', async (base, mode) => {
    for (const sizeBytes of [1024, 12 * 1024]) {
      const ctx = context({ ...base, size: sizeBytes }, handover(mode));
      const prepared = dataTransfer.prepare(ctx.params, Math.random, sizeBytes);
      expect(prepared.roundTrips).toBe(Math.max(1, Math.ceil((8 * 1024) / sizeBytes)));
      const implementation = implementationOf(dataTransfer, base.backend);
      const { state } = await implementation.setup!(ctx, prepared);
      if (base.backend === 'shared-memory') expect(state.words.buffer).toBeInstanceOf(SharedArrayBuffer);
      for (let run = 0; run < 3; run++) {
        const sent = state.words;
        const out = await implementation.run(ctx, prepared, state);
        if (mode === 'transfer') expect(sent.byteLength).toBe(0);
        expect(out.spans.map((s) => s.phase)).toEqual(Array.from({ length: prepared.roundTrips }, () => ['send', 'touch', 'return']).flat());
        expect(dataTransfer.verify(out.output, prepared)).toMatchObject({ ok: true });
      }
      const out = state;
      const at = Math.floor(Math.random() * out.words.length);
      out.words[at] = out.words[at]! + 1;
      expect(dataTransfer.verify({ words: out.words, key: out.key }, prepared).ok).toBe(false);
      expect(dataTransfer.verify({ words: out.words.subarray(1), key: out.key }, prepared).ok).toBe(false);
    }
  });

  it('a worker that sends the payload back untouched fails', async () => {
    const lazy: TaskExecutor = { ...handover('clone'), map: async (_ref, args) => ({ results: args.map((a) => (a as { words: never }).words), spans: [] }) };
    const ctx = context({ backend: 'workers', workers: 1, size: 4096, variant: 'clone' }, lazy);
    const prepared = dataTransfer.prepare(ctx.params, Math.random, 4096);
    const implementation = implementationOf(dataTransfer, 'workers');
    const { state } = await implementation.setup!(ctx, prepared);
    const out = await implementation.run(ctx, prepared, state);
    expect(dataTransfer.verify(out.output, prepared).ok).toBe(false);
  });

  it.each([
    [2, ['serial', 'workers', 'shared-memory'] as const, 4],
    [8, ['serial', 'workers'] as const, 3],
    [4, ['serial', 'shared-memory'] as const, 2],
  ])('configurations at %i cores with %j: one worker, %i per size', (cores, backends, perSize) => {
    const params = resolveParams(dataTransfer, 'thorough');
    const configs = dataTransfer.configurations!(params, cores, backends);
    expect(configs).toHaveLength(6 * perSize);
    expect(Math.max(...configs.map((c) => c.size!))).toBe(MAX_PAYLOAD_BYTES);
    for (const c of configs) expect(c.workers).toBe(1);
  });

  it('refuses a payload above 256 MiB at validation, before anything is allocated', () => {
    expect(() => resolveParams(dataTransfer, 'quick', { maxKiB: 256 * 1024 + 1 })).toThrow(/maxKiB must be between 1 and 262,144/);
    expect(() => dataTransfer.prepare(resolveParams(dataTransfer, 'quick'), Math.random, MAX_PAYLOAD_BYTES + 4)).toThrow(/256 MiB/);
  });

  it('reports GB/s for the bytes there and back, every round trip counted', () => {
    const prepared = { sizeBytes: 1024, roundTrips: 1024, seed: 1 };
    // 1 MiB each way in 1 ms: 2.097152 GB/s.
    expect(dataTransfer.throughput!(prepared, 1).gbPerSecond).toBeCloseTo(2.097152, 9);
    expect(dataTransfer.throughput!(prepared, 0)).toEqual({});
  });
});
