/** CPU-heavy loop: the post's `count += i`, where processes beat threads under the GIL. */
import { kernelRef } from '../kernels.ts';
import type { WasmSumRange } from '../shared/wasm-kernels.ts';
import { setUpWasm, wasmModeNote, type WasmSetup } from '../shared/wasm-setup.ts';
import type { BackendImplementation, Params, Workload } from '../types.ts';
import { splitRange, type IntRange } from '../shared/ranges.ts';
import { sumRangeClosedForm } from './sum-range.ts';

/** Largest random start: keeps every value below 2^31 at the largest n, so loop counters stay int32. */
const MAX_OFFSET = 2 ** 29;

interface Prepared {
  ranges: IntRange[];
  offset: number;
  reference: bigint;
}

/** Every JavaScript backend runs the same tasks through its own executor: only the lanes differ. */
const onLanes: BackendImplementation<Prepared, bigint> = {
  async run(ctx, prepared) {
    const { results, spans } = await ctx.executor.map<IntRange, bigint>(kernelRef('cpu-heavy', 'sumRange'), prepared.ranges, ctx.signal);
    return { output: results.reduce((a, b) => a + b, 0n), spans };
  },
};

/** The same loop compiled to WebAssembly (64-bit integers, SIMD), on the same lanes as shared memory. */
const wasmSimd: BackendImplementation<Prepared, bigint, WasmSetup> = {
  async setup() {
    const wasm = await setUpWasm(0);
    return { state: wasm, mode: wasm.mode, compileMs: wasm.compileMs, note: wasmModeNote(wasm.mode) };
  },
  async run(ctx, prepared, { ref }) {
    const { results, spans } = await ctx.executor.map<WasmSumRange, bigint>(
      kernelRef('cpu-heavy', 'wasmSumRange'),
      prepared.ranges.map((r) => ({ ...ref, start: r.start, end: r.end })),
      ctx.signal,
    );
    return { output: results.reduce((a, b) => a + b, 0n), spans };
  },
};

export const cpuHeavy: Workload<Prepared, bigint> = {
  meta: {
    id: 'cpu-heavy',
    title: 'CPU-heavy loop',
    postRow: 'CPU Intensive: `for i in range(n): count += i` (serial 4.2 s, 4 threads 6.5 s, 4 processes 1.9 s)',
    summary:
      'Pure computation, no waiting. Async tasks on the event loop take turns on one thread, like Python threads ' +
      'under the GIL, so they cannot beat serial. Web Workers are separate threads with their own JavaScript engine ' +
      'instance, like processes, and run on separate cores: expect a speedup close to the number of cores, and no ' +
      'further gain (often a small loss) once there are more workers than cores. WebAssembly SIMD on shared memory, ' +
      'the browser\'s NumPy, runs the same loop compiled (64-bit integers, several sums at once): it shows what ' +
      'native code does to the loop before any parallelism.',
    backends: ['serial', 'event-loop', 'workers', 'shared-memory', 'wasm-simd'],
  },
  params: [
    {
      key: 'n',
      label: 'Loop iterations (total)',
      description: 'Total iterations of `count += i`, split evenly across tasks; the same at every worker count.',
      min: 1_000,
      max: 1_500_000_000,
      integer: true,
      // The thorough preset measures the default's loop, more often: with as many tasks, the last one's wait
      // (half a task on average, 1/16 of two lanes' run) is the same in both, so their ratios can agree.
      presets: { quick: 16_000_000, default: 128_000_000, thorough: 128_000_000 },
    },
    {
      key: 'tasks',
      label: 'Tasks',
      description: 'How many tasks the loop is split into; lanes take the next task when they finish one.',
      min: 1,
      max: 4_096,
      integer: true,
      presets: { quick: 24, default: 16, thorough: 16 },
    },
  ],
  implementations: { serial: onLanes, 'event-loop': onLanes, workers: onLanes, 'shared-memory': onLanes, 'wasm-simd': wasmSimd },
  prepare(params: Params, random: () => number): Prepared {
    // A fresh random start every run: the answer differs each time, so no result can be remembered.
    const offset = 1 + Math.floor(random() * MAX_OFFSET);
    const ranges = splitRange(offset, params.n!, params.tasks!);
    return { ranges, offset, reference: sumRangeClosedForm({ start: offset, end: offset + params.n! }) };
  },
  verify(output, prepared) {
    const ok = output === prepared.reference;
    return {
      ok,
      detail: ok
        ? `sum = ${prepared.reference} (exact)`
        : `sum = ${output}, expected ${prepared.reference}`,
    };
  },
  describe(prepared) {
    return { offset: prepared.offset };
  },
};
