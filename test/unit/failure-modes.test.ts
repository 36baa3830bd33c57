/**
 * Failing workers and devices, with in-process stand-ins: a run that never resolves and a worker that dies
 * become failed results of their configuration while the others keep theirs; a kernel that throws in one
 * shared-memory lane stops the others claiming work; a GPU set-up that fails part-way frees what it made.
 */
import { expose } from 'comlink';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runExperiment, type ExperimentContext } from '../../src/engine/run-experiment.ts';
import { tryCoreCheck } from '../../src/engine/suite-cores.ts';
import { runTimeoutMs, type WatchdogPolicy } from '../../src/engine/watchdog.ts';
import { claimSharedTasks, SHARED_CONTROL_SLOTS, SHARED_STOP, taskApi } from '../../src/executors/task-api.ts';
import { WorkerPool, liveWorkerCount } from '../../src/executors/worker-pool.ts';
import type { SamplingPolicy } from '../../src/measure/sampling.ts';
import type { BackendResult, MeasuredResult } from '../../src/results/schema.ts';
import type { BackendImplementation, Configuration, Workload } from '../../src/workloads/types.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<never>(() => undefined);

/** A pool that starts no workers: it counts terminations and lets a test report a worker's death. */
function fakePool() {
  const listeners = new Set<(message: string) => void>();
  return {
    terminations: 0,
    terminate() {
      this.terminations += 1;
    },
    onWorkerFailure(listener: (message: string) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fail(message: string) {
      for (const listener of listeners) listener(message);
    },
  };
}
type FakePool = ReturnType<typeof fakePool>;

const CONFIGS: Configuration[] = [
  { backend: 'serial', workers: 1 },
  { backend: 'event-loop', workers: 1 },
  { backend: 'event-loop', workers: 2 },
];

/**
 * Three configurations adding one to a random input; `misbehave` decides, per configuration and run, whether
 * a run answers after `runMs` (undefined), after another time (a number of ms), or never (a promise that hangs).
 */
function workload(
  runMs: number,
  misbehave: (config: Configuration, run: number, signal: AbortSignal) => number | Promise<never> | undefined,
): Workload<number, number> {
  const runs = new Map<string, number>();
  const impl: BackendImplementation<number, number> = {
    async run(ctx, prepared) {
      const key = `${ctx.config.backend} ${ctx.config.workers}`;
      const run = runs.get(key) ?? 0;
      runs.set(key, run + 1);
      const odd = misbehave(ctx.config, run, ctx.signal);
      if (odd instanceof Promise) await odd;
      await sleep(typeof odd === 'number' ? odd : runMs);
      return { output: prepared + 1, spans: [] };
    },
  };
  return {
    meta: { id: 'stand-in', title: 'Stand-in', postRow: '', summary: '', backends: ['serial', 'event-loop'] },
    params: [],
    implementations: { serial: impl, 'event-loop': impl },
    configurations: () => CONFIGS,
    prepare: (_params, random) => 1 + random(),
    verify: (output, prepared) => ({ ok: output === prepared + 1, detail: output === prepared + 1 ? 'same' : 'wrong' }),
  };
}

function context(pool: FakePool, watchdog: WatchdogPolicy, signal = new AbortController().signal): ExperimentContext {
  const sampling: SamplingPolicy = {
    warmupRuns: 2,
    maxWarmupRuns: 2,
    maxWarmupMs: 1e9,
    warmupTolerance: 1,
    minSamples: 4,
    minSamplesLongRuns: 4,
    maxSamples: 4,
    minTotalMs: 0,
    minTicksPerSample: 1,
    rounds: 1,
    targetPrecision: 1,
    budgetMs: 1e9,
    overBudgetFactor: 10,
    growth: { maxRunMs: 1e9, serialRunFactor: 1, experimentBudgetMs: 1e9 },
    oversubscribe: true,
  };
  return {
    signal,
    random: Math.random,
    capabilities: { workers: true, sharedArrayBuffer: false, crossOriginIsolated: false, webgpu: { available: false, reason: 'none' }, wasmSimd: { simd: false, relaxedSimd: false } },
    hardwareConcurrency: 2,
    timerResolutionMs: 0.001,
    sampling,
    createPool: () => pool as unknown as WorkerPool,
    watchdog,
  };
}

const find = (results: readonly BackendResult[], backend: string, workers: number) => results.find((r) => r.backend === backend && r.workers === workers)!;

describe('watchdog', () => {
  it('a run that never resolves fails its configuration with the reason; the others keep their results, its workers go, the next run works', async () => {
    const pool = fakePool();
    const hangAt = 2 + Math.floor(Math.random() * 4);
    let hungSignal: AbortSignal | undefined;
    const stuck = workload(3, (config, run, signal) => {
      if (config.backend !== 'event-loop' || config.workers !== 1 || run !== hangAt) return undefined;
      hungSignal = signal;
      return never();
    });
    const started = performance.now();
    const experiment = await runExperiment({ workload: stuck as Workload, preset: 'quick' }, context(pool, { floorMs: 150, runFactor: 10, setupMs: 5_000 }));
    expect(performance.now() - started).toBeLessThan(20_000);
    const failed = find(experiment.results, 'event-loop', 1);
    expect(failed).toMatchObject({ available: true, verified: false });
    expect((failed as { error: string }).error).toMatch(/^WatchdogError: No progress for \d+\.\d s during event-loop × 1, (warm-up|sample \d+): given up so the rest of the suite goes on\.$/);
    // Samples taken before the hang are kept.
    expect((failed as { samplesMs: number[] }).samplesMs.length).toBe(Math.max(0, hangAt - 2));
    for (const [backend, workers] of [['serial', 1], ['event-loop', 2]] as const) {
      const ok = find(experiment.results, backend, workers) as MeasuredResult;
      expect(ok.verified, `${backend} × ${workers}`).toBe(true);
      expect(ok.samplesMs).toHaveLength(4);
    }
    // The hung run was told to stop (its lanes claim no more), with the failure as the reason, not a cancel.
    expect(hungSignal?.aborted).toBe(true);
    expect((hungSignal?.reason as Error).name).toBe('WatchdogError');
    // Terminated when given up, and again at the experiment's end.
    expect(pool.terminations).toBe(2);

    const again = await runExperiment({ workload: workload(2, () => undefined) as Workload, preset: 'quick' }, context(fakePool(), { floorMs: 150, runFactor: 10, setupMs: 5_000 }));
    expect(again.results.every((r) => r.available && r.verified)).toBe(true);
  });

  it('the limit follows the measured run time: a run three times the usual passes, a hang is given up after a multiple of it', async () => {
    const runMs = 25 + Math.floor(Math.random() * 10);
    const factor = 12;
    const pool = fakePool();
    const slowThenStuck = workload(runMs, (config, run) => {
      if (config.backend !== 'event-loop' || config.workers !== 2) return undefined;
      if (run === 2) return 3 * runMs;
      return run === 4 ? never() : undefined;
    });
    const experiment = await runExperiment({ workload: slowThenStuck as Workload, preset: 'quick' }, context(pool, { floorMs: 10, runFactor: factor, setupMs: 5_000 }));
    const failed = find(experiment.results, 'event-loop', 2) as { error: string; samplesMs: number[] };
    // Run 2 (the slow one, the first sample) passed: the hang is run 4, the third sample.
    expect(failed.samplesMs).toHaveLength(2);
    const limitS = Number(failed.error.match(/No progress for (\d+\.\d) s/)?.[1]);
    // Derived from the runs measured (at least `factor` times the usual run), far above the 10 ms floor.
    expect(limitS).toBeGreaterThanOrEqual(Math.floor((factor * runMs) / 100) / 10);
    expect((find(experiment.results, 'serial', 1) as MeasuredResult).verified).toBe(true);
  });

  it('a worker that dies fails its configuration at once, without waiting for the limit', async () => {
    const pool = fakePool();
    const message = `A worker stopped with an error: out of memory ${Math.random()}`;
    const dies = workload(2, (config, run) => {
      if (config.backend !== 'event-loop' || config.workers !== 2 || run !== 1) return undefined;
      setTimeout(() => pool.fail(message), 5);
      return never();
    });
    const started = performance.now();
    const experiment = await runExperiment({ workload: dies as Workload, preset: 'quick' }, context(pool, { floorMs: 60_000, runFactor: 20, setupMs: 60_000 }));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect((find(experiment.results, 'event-loop', 2) as { error: string }).error).toBe(`WatchdogError: ${message}`);
    expect((find(experiment.results, 'event-loop', 1) as MeasuredResult).verified).toBe(true);
    expect(pool.terminations).toBe(2);
  });

  it('Cancel during a hang is still a cancellation, not a failed result', async () => {
    const controller = new AbortController();
    const stuck = workload(2, (config) => {
      if (config.backend !== 'event-loop') return undefined;
      setTimeout(() => controller.abort('cancelled by the test'), 10);
      return never();
    });
    await expect(
      runExperiment({ workload: stuck as Workload, preset: 'quick' }, context(fakePool(), { floorMs: 60_000, runFactor: 20, setupMs: 60_000 }, controller.signal)),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('derives the limit from the longest run so far, never below the floor, and from the budget before any run', () => {
    const policy = { floorMs: 1_000 + Math.random() * 1_000, runFactor: 5 + Math.floor(Math.random() * 20), setupMs: 1 };
    const longMs = 500 + Math.random() * 500;
    expect(runTimeoutMs(policy, longMs, 1)).toBeCloseTo(policy.runFactor * longMs, 9);
    expect(runTimeoutMs(policy, 1, 1)).toBe(policy.floorMs);
    expect(runTimeoutMs(policy, undefined, 7_777)).toBe(7_777);
    expect(runTimeoutMs(policy, undefined, 3)).toBe(policy.floorMs);
  });
});

/** A stand-in for a browser Worker: comlink's task API served over a MessageChannel in this thread. */
class FakeWorker extends EventTarget {
  private readonly channel = new MessageChannel();
  constructor() {
    super();
    expose(taskApi, this.channel.port2);
    this.channel.port1.start();
  }
  postMessage(message: unknown, transfer: Transferable[] = []) {
    this.channel.port1.postMessage(message, transfer as never);
  }
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean) {
    if (type === 'message') this.channel.port1.addEventListener(type, listener as never, options);
    else super.addEventListener(type, listener, options);
  }
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean) {
    if (type === 'message') this.channel.port1.removeEventListener(type, listener as never, options);
    else super.removeEventListener(type, listener, options);
  }
  terminate() {
    this.channel.port1.close();
    this.channel.port2.close();
  }
  /** What the browser does when a worker's script throws outside any call. */
  crash(message: string) {
    const event = new Event('error', { cancelable: true });
    Object.assign(event, { message });
    this.dispatchEvent(event);
  }
}

describe('usable-cores check', () => {
  it('a check whose workers never answer is given up: no figure, its signal aborted with the reason, the suite goes on', async () => {
    let seen: AbortSignal | undefined;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const limitMs = 50 + Math.floor(Math.random() * 50);
    const started = performance.now();
    const found = await tryCoreCheck(
      (signal) => {
        seen = signal;
        return never();
      },
      true,
      new AbortController().signal,
      limitMs,
    );
    expect(found).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(seen?.aborted).toBe(true);
    expect((seen?.reason as Error).message).toMatch(/^No progress for 0\.\d s during the usable-cores check/);
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });
});

describe('worker pool', () => {
  it('reports a started worker that fails, until it is terminated, and counts no worker afterwards', async () => {
    const made: FakeWorker[] = [];
    const pool = new WorkerPool(() => {
      const worker = new FakeWorker();
      made.push(worker);
      return worker as unknown as Worker;
    });
    const heard: string[] = [];
    const stop = pool.onWorkerFailure((message) => heard.push(message));
    await pool.ensure(2, new AbortController().signal);
    expect(liveWorkerCount()).toBe(2);
    const reason = `boom ${Math.random()}`;
    made[1]!.crash(reason);
    expect(heard).toEqual([`A worker stopped with an error: ${reason}`]);
    pool.terminate();
    made[0]!.crash('after terminate');
    expect(heard).toHaveLength(1);
    expect(liveWorkerCount()).toBe(0);
    stop();
  });
});

describe('shared-memory lanes', () => {
  const control = () => new Int32Array(new SharedArrayBuffer(SHARED_CONTROL_SLOTS * 4));

  it('a kernel that throws in one lane stops every lane claiming more tasks', async () => {
    const taskCount = 200 + Math.floor(Math.random() * 100);
    const failAt = 3 + Math.floor(Math.random() * 10);
    const ran: number[] = [];
    const kernel = async (task: number) => {
      await sleep(0);
      ran.push(task);
      if (task === failAt) throw new Error(`kernel failed at ${task}`);
      return task * 2;
    };
    const args = Array.from({ length: taskCount }, (_, i) => i);
    const shared = control();
    const timings = new Float64Array(new SharedArrayBuffer(16 * taskCount));
    const lanes = Array.from({ length: 4 }, () => claimSharedTasks(kernel, args, shared, timings));
    const settled = await Promise.allSettled(lanes);
    expect(settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason.message)).toEqual([`kernel failed at ${failAt}`]);
    expect(Atomics.load(shared, SHARED_STOP)).toBe(1);
    // Each other lane may finish the task it held when the kernel threw, and claims none after it.
    expect(ran.length).toBeLessThanOrEqual(failAt + 1 + 3);
    expect(ran.length).toBeLessThan(taskCount);
  });

  it('a lane joining a stopped run claims nothing, and an unstopped run still does all the work', async () => {
    const args = Array.from({ length: 50 }, () => 1 + Math.random());
    const timings = new Float64Array(new SharedArrayBuffer(16 * args.length));
    const stopped = control();
    Atomics.store(stopped, SHARED_STOP, 1);
    const kernel = vi.fn((x: number) => x * 3);
    expect((await claimSharedTasks(kernel, args, stopped, timings)).claimed).toEqual([]);
    expect(kernel).not.toHaveBeenCalled();
    const open = control();
    const replies = await Promise.all([claimSharedTasks(kernel, args, open, timings), claimSharedTasks(kernel, args, open, timings)]);
    const values = replies.flatMap((r) => r.claimed).sort((a, b) => a[0] - b[0]);
    expect(values.map(([task, value]) => [task, value])).toEqual(args.map((x, task) => [task, x * 3]));
  });
});

/** A GPU that records each buffer and whether it was destroyed; an allocation over `memoryBytes` is out of memory. */
function fakeGpu(memoryBytes: number, options: { shaderError?: string } = {}) {
  const buffers: Array<{ label: string; size: number; destroyed: boolean }> = [];
  const scopes: Array<{ filter: string; error: { message: string } | null }> = [];
  const raise = (filter: string, message: string) => {
    const scope = [...scopes].reverse().find((s) => s.filter === filter);
    if (scope && !scope.error) scope.error = { message };
  };
  const device = {
    limits: { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 31, maxComputeWorkgroupsPerDimension: 65_535 },
    features: new Set<string>(),
    lost: new Promise(() => undefined),
    queue: { writeBuffer() {}, submit() {}, onSubmittedWorkDone: () => Promise.resolve() },
    pushErrorScope: (filter: string) => scopes.push({ filter, error: null }),
    popErrorScope: () => Promise.resolve(scopes.pop()!.error),
    createBuffer({ label, size }: { label: string; size: number }) {
      const buffer = { label, size, destroyed: false, destroy: () => (buffer.destroyed = true) };
      buffers.push(buffer);
      const used = buffers.filter((b) => !b.destroyed).reduce((sum, b) => sum + b.size, 0);
      if (used > memoryBytes) raise('out-of-memory', `Not enough memory left for ${label}.`);
      return buffer;
    },
    createShaderModule: () => ({
      getCompilationInfo: () =>
        Promise.resolve({ messages: options.shaderError ? [{ type: 'error', lineNum: 1, linePos: 1, message: options.shaderError }] : [] }),
    }),
    createComputePipelineAsync: () => Promise.resolve({ getBindGroupLayout: () => ({}) }),
    createBindGroup: () => ({}),
    createQuerySet: () => ({ destroy() {} }),
  };
  return { device: device as unknown as GPUDevice, buffers };
}

describe('GPU set-up that fails part-way', () => {
  beforeAll(() => {
    Object.assign(globalThis, {
      GPUMapMode: { READ: 1, WRITE: 2 },
      GPUBufferUsage: { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128, QUERY_RESOLVE: 512 },
    });
  });
  afterAll(() => {
    Reflect.deleteProperty(globalThis, 'GPUMapMode');
    Reflect.deleteProperty(globalThis, 'GPUBufferUsage');
  });
  const signal = new AbortController().signal;

  it('array-add: out of memory on the last buffer frees the three made before it, with a clear message', async () => {
    const { setupArrayAddGpu } = await import('../../src/workloads/array-add/gpu.ts');
    const length = 1024 * (4 + Math.floor(Math.random() * 8));
    // Room for the three storage buffers, not for the read-back.
    const { device, buffers } = fakeGpu(3 * 4 * length + 16);
    await expect(setupArrayAddGpu(device, length, signal)).rejects.toThrow(/^Allocating the array-add buffers failed: the GPU ran out of memory: Not enough memory left for array-add read-back\.$/);
    expect(buffers.map((b) => b.label)).toEqual(['array-add a', 'array-add b', 'array-add c', 'array-add read-back']);
    expect(buffers.filter((b) => !b.destroyed)).toEqual([]);
  });

  it('array-add: with memory enough, the buffers stay for the runs', async () => {
    const { setupArrayAddGpu, teardownArrayAddGpu } = await import('../../src/workloads/array-add/gpu.ts');
    const length = 1024 * (1 + Math.floor(Math.random() * 8));
    const { device, buffers } = fakeGpu(2 ** 30);
    const { gpu } = await setupArrayAddGpu(device, length, signal);
    expect(buffers.filter((b) => b.destroyed)).toEqual([]);
    teardownArrayAddGpu(gpu);
    expect(buffers.every((b) => b.destroyed)).toBe(true);
  });

  it.each(['naive', 'tiled', 'register'] as const)('dot-product %s: out of memory, or a shader that fails after the buffers, frees every buffer', async (variant) => {
    const { setupMatmulGpu } = await import('../../src/workloads/dot-product/gpu.ts');
    const n = 64 + Math.floor(Math.random() * 64);
    const oom = fakeGpu(2 * 4 * n * n + 64);
    await expect(setupMatmulGpu(oom.device, n, variant, signal)).rejects.toThrow(/the GPU ran out of memory: Not enough memory left for matmul [BC]/);
    expect(oom.buffers.length).toBeGreaterThanOrEqual(3);
    expect(oom.buffers.filter((b) => !b.destroyed)).toEqual([]);

    const broken = fakeGpu(2 ** 30, { shaderError: 'unexpected token' });
    await expect(setupMatmulGpu(broken.device, n, variant, signal)).rejects.toThrow(/does not compile: line 1:1 unexpected token/);
    expect(broken.buffers.length).toBe(5);
    expect(broken.buffers.filter((b) => !b.destroyed)).toEqual([]);
  });
});
