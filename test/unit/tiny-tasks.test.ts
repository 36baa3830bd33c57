import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { startAtomicsDispatch } from '../../src/executors/atomics-dispatch.ts';
import { CONTROL_STRIDE, LaneState, dataStride, laneLayout, serveLane } from '../../src/executors/atomics-protocol.ts';
import type { WorkerPool } from '../../src/executors/worker-pool.ts';
import { resolveParams } from '../../src/engine/params.ts';
import type { BackendResult, MeasuredResult } from '../../src/results/schema.ts';
import { breakEven, breakEvenKey, perTaskOverheadUs, summarizeTinyTasks } from '../../src/workloads/tiny-tasks/break-even.ts';
import { tinyTasks } from '../../src/workloads/tiny-tasks/index.ts';
import {
  MAX_ITERATIONS,
  MAX_START,
  iterationsForUs,
  iterationsPerUsFrom,
  measureIterationsPerUs,
  sumRangeMod,
  sumRangeModClosedForm,
  taskSizesUs,
} from '../../src/workloads/tiny-tasks/loop.ts';
import { resolveKernel, type KernelRef } from '../../src/workloads/kernels.ts';
import { implementationOf, type TaskExecutor } from '../../src/workloads/types.ts';

const randomStart = () => 1 + Math.floor(Math.random() * MAX_START);

describe('tiny-tasks kernel', () => {
  it.each([0, 1, 2, 7, 1_000, 65_537, 1_000_003])('sumRangeMod over %i terms from a random start equals the closed form', (length) => {
    const start = randomStart();
    expect(sumRangeMod(start, start + length)).toBe(sumRangeModClosedForm(start, start + length));
  });

  it('is exact modulo 2^29 where the true sum is far past it', () => {
    const start = MAX_START - 5;
    const end = start + 100_000;
    const trueSum = ((BigInt(start) + BigInt(end - 1)) * BigInt(end - start)) / 2n;
    expect(trueSum > 2n ** 40n).toBe(true);
    expect(sumRangeMod(start, end)).toBe(Number(trueSum % 2n ** 29n));
  });

  it('keeps every value a small integer at the largest task: start + iterations < 2^29', () => {
    expect(MAX_START + MAX_ITERATIONS).toBeLessThan(2 ** 29);
  });
});

describe('iteration calibration', () => {
  it.each([
    [1_000, 1, 1],
    [5_000, 2, 2.5],
    [3, 0.001, 3],
  ])('%i iterations in %f ms is %f per µs', (iterations, ms, rate) => {
    expect(iterationsPerUsFrom(iterations, ms)).toBeCloseTo(rate, 12);
  });

  it('refuses a zero or negative timing', () => {
    expect(() => iterationsPerUsFrom(100, 0)).toThrow(/positive/);
  });

  it.each([
    [1, 1_000, 1_000],
    [10, 333.3, 3_333],
    [0.0001, 5, 1],
    [10_000, 2.5, 25_000],
  ])('a %f µs task at %f per µs is %i iterations', (sizeUs, rate, iterations) => {
    expect(iterationsForUs(sizeUs, rate)).toBe(iterations);
  });

  it('refuses a task longer than the small-integer loop allows', () => {
    expect(() => iterationsForUs(1e6, 2 * MAX_ITERATIONS)).toThrow(/lower the task size/);
  });

  it('ends its warm-up on a count of calls where the clock stands still', () => {
    // A clock that never moves: the warm-up (three reads a call) must stop at its 200,000 calls, long before
    // the 3,000,000 reads a warm-up bounded by time alone would make; the rounds then end on their own bounds.
    let reads = 0;
    const origin = Math.random() * 1e6;
    const rate = measureIterationsPerUs(1, 1, () => (reads++, origin));
    expect(reads).toBeGreaterThan(3 * 200_000);
    expect(reads).toBeLessThan(3 * 200_000 + 1_000);
    expect(Number.isFinite(rate) && rate > 0).toBe(true);
  });

  it('measures a positive rate with which a task takes about its size (loosely: the machine is shared)', () => {
    const rate = measureIterationsPerUs(2, 3);
    expect(Number.isFinite(rate) && rate > 0).toBe(true);
    const iterations = iterationsForUs(2_000, rate);
    const t0 = performance.now();
    sumRangeMod(1, 1 + iterations);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(0.02);
    expect(ms).toBeLessThan(200);
  });
});

describe('task sizes', () => {
  it.each([
    [1, 10_000, 1, [1, 10, 100, 1_000, 10_000]],
    [1, 1_000, 2, [1, 3, 10, 30, 100, 300, 1_000]],
    [2, 700, 3, [2, 5, 10, 20, 50, 100, 200, 500, 700]],
    [500, 5, 1, [5, 10, 100, 500]],
    [42, 42, 2, [42]],
  ])('from %f to %f µs, %i per decade', (min, max, perDecade, expected) => {
    expect(taskSizesUs(min, max, perDecade)).toEqual(expected);
  });
});

/** Serial time of 16 tasks of `sizeUs` each, in ms. */
const serialMs = (sizeUs: number) => (16 * sizeUs) / 1_000;
const SIZES = [1, 10, 100, 1_000, 10_000];
const curve = (f: (sizeUs: number) => number, sizes = SIZES) => sizes.map((sizeUs) => ({ sizeUs, medianMs: f(sizeUs) }));

describe('break-even', () => {
  it.each([42, 3.7, 999])('finds %f µs exactly when log(ratio) is linear in log(size)', (at) => {
    // parallel / serial = sqrt(at / size): slower below `at`, faster above.
    const found = breakEven(curve(serialMs), curve((s) => serialMs(s) * Math.sqrt(at / s)));
    expect(found.kind).toBe('crossed');
    expect(found.sizeUs!).toBeCloseTo(at, 9);
  });

  it('lands between the neighbouring sizes for a fixed overhead plus half the work', () => {
    // Two lanes and 0.4 ms of overhead: equal to serial where 16·s/2 µs + 400 µs = 16·s µs, s = 50 µs.
    const found = breakEven(curve(serialMs), curve((s) => serialMs(s) / 2 + 0.4));
    expect(found.kind).toBe('crossed');
    expect(found.sizeUs!).toBeGreaterThan(10);
    expect(found.sizeUs!).toBeLessThan(100);
  });

  it('is the sample itself when the curves meet exactly at a measured size', () => {
    const ratios = new Map([[1, 2], [10, 1.5], [100, 1], [1_000, 0.5], [10_000, 0.25]]);
    expect(breakEven(curve(serialMs), curve((s) => serialMs(s) * ratios.get(s)!))).toEqual({ sizeUs: 100, kind: 'crossed' });
  });

  it('is "never" when parallel loses at every size, even by a hair', () => {
    expect(breakEven(curve(serialMs), curve((s) => serialMs(s) * 1.0001))).toEqual({ sizeUs: null, kind: 'never' });
  });

  it('is the smallest size, as an upper bound, when parallel wins everywhere', () => {
    expect(breakEven(curve(serialMs), curve((s) => serialMs(s) / 2))).toEqual({ sizeUs: 1, kind: 'below-range' });
  });

  it('takes the first crossing of a noisy curve and ignores sizes only one side measured', () => {
    const ratios = new Map([[1, 3], [10, 0.9], [100, 1.1], [1_000, 0.5], [10_000, 0.5]]);
    const parallel = [...curve((s) => serialMs(s) * ratios.get(s)!), { sizeUs: 5, medianMs: 1e-9 }];
    const found = breakEven(curve(serialMs), parallel);
    expect(found.sizeUs!).toBeGreaterThan(1);
    expect(found.sizeUs!).toBeLessThan(10);
  });

  it('has no answer without common sizes', () => {
    expect(breakEven(curve(serialMs, [1, 10]), curve(serialMs, [100]))).toEqual({ sizeUs: null, kind: 'no-data' });
  });
});

describe('per-task overhead', () => {
  it.each([
    // serial ms, parallel ms, lanes, tasks, overhead µs
    [16, 10, 2, 16, 250], // 8 rounds, ideal 8 ms, 2 ms over
    [16, 8, 2, 16, 0],
    [3, 5, 4, 3, 4_000], // fewer tasks than lanes: one round, ideal 1 ms
    [5, 4, 2, 5, 1_000 / 3], // 3 rounds, ideal 3 ms
    [16, 7, 2, 16, -125],
  ])('serial %f ms, parallel %f ms, %i lanes, %i tasks: %f µs per task', (serial, parallel, lanes, tasks, expected) => {
    expect(perTaskOverheadUs(serial, parallel, lanes, tasks)).toBeCloseTo(expected, 9);
  });
});

function measured(backend: MeasuredResult['backend'], size: number, medianMs: number, variant?: string, workers = 2): MeasuredResult {
  return {
    backend,
    workers: backend === 'serial' ? 1 : workers,
    size,
    ...(variant ? { variant } : {}),
    available: true,
    samplesMs: [medianMs],
    warmupMs: [],
    medianMs,
    ci95Ms: [medianMs, medianMs],
    ciCoverage: 0,
    verified: true,
    timeline: [],
  };
}

describe('summary', () => {
  it('files a break-even per variant and notes the per-task overhead on each parallel result', () => {
    const results: BackendResult[] = SIZES.flatMap((s) => [
      measured('serial', s, serialMs(s)),
      measured('workers', s, serialMs(s) / 2 + 0.4, 'pooled'),
      measured('workers', s, serialMs(s) * 2 + 100, 'spawn'),
      measured('shared-memory', s, serialMs(s) / 2, 'atomics'),
    ]);
    results.push({ backend: 'shared-memory', workers: 2, size: 7, variant: 'atomics', available: false, reason: 'no SAB' });
    const summary = summarizeTinyTasks(results, 16);
    expect(summary[breakEvenKey({ backend: 'workers', variant: 'pooled' })]).toBeGreaterThan(10);
    expect(summary['breakEvenUs.workers.pooled']).toBeLessThan(100);
    expect(summary['breakEvenUs.workers.spawn']).toBe('never');
    expect(summary['breakEvenUs.shared-memory.atomics']).toBe('≤1');
    const pooled10k = results.find((r) => r.backend === 'workers' && r.variant === 'pooled' && r.size === 10_000) as MeasuredResult;
    // 8 rounds, 0.4 ms over the ideal: 50 µs per task.
    expect(pooled10k.note).toMatch(/per-task overhead ≈ 50 µs/);
    expect((results[0] as MeasuredResult).note).toMatch(/^1 µs of compute per task/);
  });
});

describe('tiny-tasks workload', () => {
  it.each([
    [2, ['serial', 'workers', 'shared-memory'] as const, 6],
    [1, ['serial', 'shared-memory'] as const, 3],
    [3, ['serial', 'workers'] as const, 3],
    [1, ['serial'] as const, 1],
  ])('configurations at %i cores with %j: every size, %i per size, lanes = cores (the page as a lane needs a worker beside it)', (cores, backends, perSize) => {
    const params = resolveParams(tinyTasks, 'quick', { emptyBatch: 0, spawnAtEverySize: 1 });
    const configs = tinyTasks.configurations!(params, cores, backends);
    const sizes = taskSizesUs(params.minUs!, params.maxUs!, params.perDecade!);
    expect(configs).toHaveLength(sizes.length * perSize);
    for (const c of configs) expect(c.workers).toBe(c.backend === 'serial' ? 1 : cores);
    expect(new Set(configs.map((c) => c.size))).toEqual(new Set(sizes));
    expect(new Set(configs.map((c) => c.variant ?? 'serial'))).toEqual(
      new Set(['serial', ...(backends.includes('workers' as never) ? ['pooled', 'spawn'] : []), ...(backends.includes('shared-memory' as never) ? ['ring', 'atomics', ...(cores > 1 ? ['ring-page'] : [])] : [])]),
    );
  });

  it('a batch of empty tasks (size 0) for every path but a new worker per task; each task still sums something', () => {
    const emptyBatch = 1 + Math.floor(Math.random() * 4_096);
    const params = resolveParams(tinyTasks, 'quick', { emptyBatch, iterationsPerUs: 1_000 });
    const configs = tinyTasks.configurations!(params, 2, tinyTasks.meta.backends);
    expect(configs.filter((c) => c.size === 0).map((c) => c.variant ?? 'serial')).toEqual(['serial', 'pooled', 'ring', 'ring-page', 'atomics']);
    const prepared = tinyTasks.prepare(params, Math.random, 0);
    expect(prepared.ranges).toHaveLength(emptyBatch);
    for (const r of prepared.ranges) expect(r.end - r.start).toBe(1);
    expect(prepared.references.every((sum) => sum !== 0)).toBe(true);
    const wrong = [...prepared.references];
    wrong[Math.floor(Math.random() * wrong.length)] = 0;
    expect(tinyTasks.verify(wrong, prepared).ok).toBe(false);
  });

  it('the per-task cost of each path comes from the empty batch, and that batch stays out of the break-even', () => {
    const emptyBatch = 256 + Math.floor(Math.random() * 3_840);
    const ringUs = 0.2 + Math.random() * 3;
    const results: BackendResult[] = [
      measured('serial', 0, (emptyBatch * 0.01) / 1_000),
      measured('shared-memory', 0, (emptyBatch * ringUs) / 1_000, 'ring'),
      ...[1, 10, 100].flatMap((s) => [measured('serial', s, (16 * s) / 1_000), measured('shared-memory', s, (8 * s + 40) / 1_000, 'ring')]),
    ];
    const summary = summarizeTinyTasks(results, 16, emptyBatch);
    expect(summary['perTaskUs.shared-memory.ring']).toBeCloseTo(ringUs, 2);
    expect(summary['perTaskUs.serial']).toBeCloseTo(0.01, 4);
    // 8s + 40 < 16s from s = 5 µs: the break-even lies between 1 and 10, whatever the empty batch cost.
    expect(summary['breakEvenUs.shared-memory.ring']).toBeGreaterThan(1);
    expect(summary['breakEvenUs.shared-memory.ring']).toBeLessThan(10);
  });

  it('without spawnAtEverySize the new-worker path runs at the largest size only, the others at every size', () => {
    const params = resolveParams(tinyTasks, 'default');
    expect(params.spawnAtEverySize).toBe(0);
    const cores = 1 + Math.floor(Math.random() * 8);
    const configs = tinyTasks.configurations!(params, cores, tinyTasks.meta.backends);
    const sizes = taskSizesUs(params.minUs!, params.maxUs!, params.perDecade!);
    expect(configs.filter((c) => c.variant === 'spawn').map((c) => c.size)).toEqual([sizes.at(-1)]);
    for (const variant of ['pooled', 'ring', 'atomics', ...(cores > 1 ? ['ring-page'] : [])]) expect(configs.filter((c) => c.variant === variant).map((c) => c.size)).toEqual([0, ...sizes]);
  });

  it('refuses a task count or size out of range before anything runs', () => {
    expect(() => resolveParams(tinyTasks, 'quick', { tasks: 0 })).toThrow(/tasks must be between/);
    expect(() => resolveParams(tinyTasks, 'quick', { maxUs: 1e6 })).toThrow(/maxUs must be between 1 and 50,000/);
  });

  it.each([1, 7, 100])('prepare draws fresh ranges of the calibrated length (%f µs) and verify catches a wrong sum', async (sizeUs) => {
    const params = resolveParams(tinyTasks, 'quick', { tasks: 5, iterationsPerUs: 123.4 });
    const a = tinyTasks.prepare(params, Math.random, sizeUs);
    const b = tinyTasks.prepare(params, Math.random, sizeUs);
    expect(a.ranges.map((r) => r.start)).not.toEqual(b.ranges.map((r) => r.start));
    expect(a.iterations).toBe(iterationsForUs(sizeUs, 123.4));
    for (const r of a.ranges) expect(r.end - r.start).toBe(a.iterations);
    const direct: TaskExecutor = {
      backend: 'serial',
      laneCount: 1,
      async map(ref, args) {
        const kernel = resolveKernel<unknown, unknown>(ref);
        return { results: (args as never[]).map((arg) => kernel(arg) as never), spans: [] };
      },
    };
    const signal = new AbortController().signal;
    const ctx = { config: { backend: 'serial' as const, workers: 1, size: sizeUs }, params, signal, executor: direct, pool: undefined as never, cores: 2, gpuDevice: () => Promise.reject(new Error('no GPU')) };
    const run = await implementationOf(tinyTasks, 'serial').run(ctx, a, undefined);
    expect(tinyTasks.verify(run.output, a).ok).toBe(true);
    const wrong = [...run.output];
    wrong[wrong.length - 1] = (wrong.at(-1)! + 1) | 0;
    expect(tinyTasks.verify(wrong, a).ok).toBe(false);
    expect(tinyTasks.verify(run.output.slice(1), a).ok).toBe(false);
  });

  it('calibrates once per experiment run: every size shares one rate', () => {
    const params = resolveParams(tinyTasks, 'quick', { tasks: 1 });
    const a = tinyTasks.prepare(params, Math.random, 1);
    const b = tinyTasks.prepare(params, Math.random, 1_000);
    expect(a.iterationsPerUs).toBe(b.iterationsPerUs);
    expect(a.iterationsPerUs).toBeGreaterThan(0);
  });
});

describe('shared-memory mailbox, one thread', () => {
  const block = (lanes: number, argWords: number) => ({
    control: new Int32Array(new SharedArrayBuffer(lanes * CONTROL_STRIDE * 4)),
    data: new Float64Array(new SharedArrayBuffer(lanes * dataStride(argWords) * 8)),
  });

  it('leaves at once when stopped before it started', () => {
    const { control, data } = block(2, 2);
    Atomics.store(control, laneLayout(1, 2).state, LaneState.stop);
    expect(serveLane(() => 0, control, data, 1, 2)).toBe(0);
  });

  it('runs a task posted before it started, and a stop written mid-task is not overwritten', () => {
    const { control, data } = block(3, 2);
    const at = laneLayout(2, 2);
    data.set([10, 20], at.args);
    Atomics.store(control, at.state, LaneState.posted);
    const served = serveLane(
      (words) => {
        Atomics.store(control, at.state, LaneState.stop);
        return sumRangeMod(words[0]!, words[1]!);
      },
      control,
      data,
      2,
      2,
    );
    expect(served).toBe(1);
    expect(data[at.result]).toBe(sumRangeModClosedForm(10, 20));
    expect(data[at.endEpochMs]!).toBeGreaterThanOrEqual(data[at.startEpochMs]!);
  });

  it.each([
    ['throws', () => { throw new Error('boom'); }, /boom/],
    ['returns a promise', () => Promise.resolve(1), /synchronously/],
  ])('marks the lane failed when the kernel %s', (_name, kernel, message) => {
    const { control, data } = block(1, 2);
    Atomics.store(control, 0, LaneState.posted);
    expect(() => serveLane(kernel, control, data, 0, 2)).toThrow(message);
    expect(Atomics.load(control, 0)).toBe(LaneState.failed);
  });
});

// Starting Node worker threads that load TypeScript takes seconds on a loaded 2-core machine: a generous timeout.
describe('atomics dispatch across threads (Node worker threads standing in for Web Workers)', { timeout: 90_000 }, () => {
  const started: Worker[] = [];
  /** Each worker's exit, listened for from its start: one that exits before a test looks is not missed. */
  const exits: Array<Promise<unknown>> = [];
  afterEach(async () => {
    exits.splice(0);
    await Promise.all(started.splice(0).map((w) => w.terminate()));
  });

  /** Node cannot load TypeScript in a worker by itself: tsx's loader does it, as it does for the bench runner. */
  const LOAD_FIXTURE = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(
    new URL('../fixtures/atomics-lane.worker.ts', import.meta.url).href,
  )}, __filename))`;

  /** A stand-in pool whose lanes serve in Node worker threads, as task workers do in the browser. */
  function threadPool(): WorkerPool {
    return {
      lanes: (count: number) =>
        Array.from({ length: count }, () => ({
          serveAtomics: (ref: { kernel: string }, control: Int32Array, data: Float64Array, lane: number, argWords: number) =>
            new Promise<number>((resolve, reject) => {
              const worker = new Worker(LOAD_FIXTURE, { eval: true, workerData: { kernel: ref.kernel, control, data, lane, argWords } });
              started.push(worker);
              // An 'error' event rejects this too; serving reports it, so it is not reported twice.
              exits.push(once(worker, 'exit').catch(() => undefined));
              worker.once('message', (m: { served?: number; error?: string }) =>
                m.error !== undefined ? reject(new Error(m.error)) : resolve(m.served!),
              );
              worker.once('error', reject);
            }),
        })),
    } as unknown as WorkerPool;
  }

  it.each([
    ['waitAsync', 2, 7],
    ['polling', 2, 7],
    ['waitAsync', 3, 1],
  ] as const)('%s: %i lanes run %i random tasks exactly, then stop and exit', async (mode, lanes, tasks) => {
    // Node has Atomics.waitAsync; hiding it exercises the polling fallback that older browsers take.
    const atomics = Atomics as { waitAsync?: unknown };
    const saved = atomics.waitAsync;
    if (mode === 'polling') atomics.waitAsync = undefined;
    try {
      const signal = new AbortController().signal;
      const dispatcher = await startAtomicsDispatch(threadPool(), lanes, { workload: 'tiny-tasks', kernel: 'sumRangeWords' }, 2, signal);
      expect(dispatcher.waitMode).toBe(mode);
      const args = Array.from({ length: tasks }, () => {
        const start = randomStart();
        return [start, start + 1 + Math.floor(Math.random() * 5_000)] as [number, number];
      });
      const { results, spans } = await dispatcher.map(args, signal);
      expect(results).toEqual(args.map(([s, e]) => sumRangeModClosedForm(s, e)));
      expect(spans.filter((s) => s.phase === 'compute')).toHaveLength(tasks);
      await dispatcher.stop();
      await Promise.all(exits);
    } finally {
      atomics.waitAsync = saved;
    }
  });

  it("rejects with the kernel's own error when it throws in a worker", async () => {
    const signal = new AbortController().signal;
    const dispatcher = await startAtomicsDispatch(threadPool(), 2, // The fixture worker resolves its own kernel names; this one exists only there.
      { workload: 'tiny-tasks', kernel: 'throws' } as unknown as KernelRef, 2, signal);
    await expect(dispatcher.map([[1, 2], [3, 4], [5, 6]], signal)).rejects.toThrow(/kernel failed on purpose/);
    await dispatcher.stop();
  });

  it('stops waiting when the run is cancelled', async () => {
    const controller = new AbortController();
    const dispatcher = await startAtomicsDispatch(threadPool(), 1, { workload: 'tiny-tasks', kernel: 'sumRangeWords' }, 2, controller.signal);
    const pending = dispatcher.map([[1, 1 + 2 ** 29]], controller.signal);
    controller.abort('test');
    await expect(pending).rejects.toThrow(/test|cancel/i);
    await dispatcher.stop();
  });
});
