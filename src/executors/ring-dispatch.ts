/**
 * Ring dispatch: persistent workers serving whole batches from shared memory (executors/task-ring.ts).
 * The page writes a batch once, publishes it with one store and one notify, and learns that the batch is
 * done once: the per-task cost is a compare-and-swap and the kernel, on the lanes alone. Where the page is
 * one of the lanes (the caller runs tasks too, as fork-join pools do), it claims tasks beside the workers
 * instead of waiting: one worker fewer to wake, and no thread more than there are lanes.
 */
import { epochNowMs } from '../measure/clock.ts';
import type { TaskSpan } from '../measure/timeline.ts';
import type { KernelRef } from '../workloads/kernels.ts';
import { throwIfAborted } from './abort.ts';
import { resolveKernel } from './kernels.ts';
import { findWaitAsync, waitWhileEqual } from './atomics-dispatch.ts';
import type { MapOutcome } from './contract.ts';
import { RING_CONTROL_SLOTS, RING_MAX_TASKS, RingSlot, openClaim, ringLayout, runClaims, type RingKernel } from './task-ring.ts';
import type { WorkerPool } from './worker-pool.ts';

/** How lanes and the page wait between and for batches. */
export interface RingOptions {
  /** Most tasks one batch may hold (the data block is sized for it). */
  capacity: number;
  /** How long a lane spins for the next batch before it sleeps. */
  spinMs: number;
  /** Lanes allowed to spin (never more than the usable cores); the others sleep at once. */
  spinningLanes: number;
  /** How long the page checks synchronously for a short batch's end before it waits on the event loop. */
  pageSpinMs: number;
  /**
   * The page is lane 0 and runs tasks of each batch itself for up to this long (then leaves the rest to the
   * workers, so that input and rendering get their turn); the workers are lanes 1 and up. Absent: the page
   * only hands out, and every lane is a worker.
   */
  pageLaneMs?: number;
}

/** Persistent workers serving batches from the ring; stop() releases them for other work. */
export interface RingDispatcher {
  readonly laneCount: number;
  readonly options: RingOptions;
  /** How the page learns a batch is done: Atomics.waitAsync, or a check per macrotask where it is missing. */
  readonly waitMode: 'waitAsync' | 'polling';
  /** Run every task (its argument words) over the lanes; results in task order. */
  map(args: ReadonlyArray<ArrayLike<number>>, signal: AbortSignal): Promise<MapOutcome<number>>;
  /** Ask every worker to leave its loop and wait (briefly) until they have. */
  stop(): Promise<void>;
  /** Lanes asleep in Atomics.wait now (the others are spinning or running tasks). */
  sleepingLanes(): number;
}

/** How long stop() waits for workers to leave their loops before leaving them to the pool's terminate(). */
const STOP_GRACE_MS = 2_000;

/** Lanes that may spin on a machine with `cores` usable cores: never more than the cores. */
export function spinningLaneCount(laneCount: number, cores: number): number {
  return Math.max(0, Math.min(laneCount, Math.floor(cores)));
}

/**
 * Park workers of a started pool in the ring loop of `kernel` (taking `argWords` numbers per task): the
 * first `laneCount` of them, or one fewer where the page is a lane. Resolves once every worker is in its
 * loop, so no sample pays for the start.
 */
export async function startRingDispatch(
  pool: WorkerPool,
  laneCount: number,
  kernel: KernelRef,
  argWords: number,
  options: RingOptions,
  signal: AbortSignal,
): Promise<RingDispatcher> {
  if (typeof SharedArrayBuffer !== 'function') throw new Error('SharedArrayBuffer is not available on this page.');
  if (!(options.capacity >= 1 && options.capacity <= RING_MAX_TASKS)) {
    throw new RangeError(`A ring batch holds 1 to ${RING_MAX_TASKS} tasks; ${options.capacity} were asked for.`);
  }
  const layout = ringLayout(laneCount, argWords);
  const control = new Int32Array(new SharedArrayBuffer(RING_CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const data = new Float64Array(new SharedArrayBuffer(layout.dataSlots(options.capacity) * Float64Array.BYTES_PER_ELEMENT));
  const waitAsync = findWaitAsync();
  const pageLane = options.pageLaneMs !== undefined;
  // Resolved before any worker starts: an unknown kernel fails here, with its name.
  const pageKernel = pageLane ? (resolveKernel<Float64Array, unknown>(kernel) as RingKernel) : undefined;
  const pageArgs = new Float64Array(argWords);
  const firstWorkerLane = pageLane ? 1 : 0;
  const workerCount = laneCount - firstWorkerLane;
  const remotes = workerCount > 0 ? pool.lanes(workerCount) : [];
  const serving = remotes.map((remote, index) =>
    remote.serveRing(kernel, control, data, firstWorkerLane + index, laneCount, argWords, index < options.spinningLanes ? options.spinMs : 0),
  );
  // A lane's failure is read from the ring; its rejection is only awaited for its message.
  for (const s of serving) s.catch(() => undefined);
  let generation = 0;
  let broken: Error | undefined;

  /** Resolve once control[slot] is no longer `value`. */
  const whileValue = (slot: number, value: number, abort: AbortSignal) => waitWhileEqual(control, slot, value, abort, waitAsync);

  const stop = async () => {
    Atomics.store(control, RingSlot.stop, 1);
    Atomics.add(control, RingSlot.generation, 1);
    Atomics.notify(control, RingSlot.generation);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
    await Promise.race([Promise.allSettled(serving), grace]);
    clearTimeout(timer);
  };

  /** The error of the lane whose kernel threw, once its call has rejected. */
  const failure = async (): Promise<Error> => {
    // The failed lane's call rejects; the others stay in their loops, so wait for the first rejection only.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reason = await Promise.race([
      ...serving.map((s) => s.then(() => new Promise<never>(() => undefined), (error: unknown) => error)),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), STOP_GRACE_MS))),
    ]);
    clearTimeout(timer);
    return reason instanceof Error ? reason : new Error(`A task-ring worker failed: ${String(reason ?? 'no reason given')}`);
  };

  try {
    for (;;) {
      const ready = Atomics.load(control, RingSlot.ready);
      if (ready >= workerCount) break;
      // A worker that cannot start its loop (an unknown kernel) never counts itself ready: its rejection says why.
      await Promise.race([
        whileValue(RingSlot.ready, ready, signal),
        Promise.race(serving).then(() => {
          throw new Error('A worker left the task ring before serving any batch.');
        }),
      ]);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    laneCount,
    options,
    waitMode: waitAsync ? 'waitAsync' : 'polling',
    stop,
    sleepingLanes: () => Atomics.load(control, RingSlot.sleeping),
    async map(args, abort) {
      throwIfAborted(abort);
      if (broken) throw broken;
      const count = args.length;
      if (count > options.capacity) throw new RangeError(`This ring holds ${options.capacity} tasks per batch; ${count} were given.`);
      if (count === 0) return { results: [], spans: [] };
      for (let task = 0; task < count; task++) data.set(args[task]!, layout.args(task));
      for (let lane = 0; lane < laneCount; lane++) data[layout.wake(lane)] = 0;
      generation += 1;
      Atomics.store(control, RingSlot.count, count);
      Atomics.store(control, RingSlot.done, 0);
      Atomics.store(control, RingSlot.claim, openClaim(generation));
      const postedEpochMs = epochNowMs();
      // The store publishes everything written above (Atomics are sequentially consistent).
      Atomics.store(control, RingSlot.generation, generation);
      Atomics.notify(control, RingSlot.generation, Math.min(count, workerCount));

      if (pageKernel) {
        data[layout.wake(0)] = epochNowMs();
        try {
          // With no worker beside it the page runs the whole batch; otherwise it leaves what is left after its time to them.
          const untilMs = workerCount > 0 ? performance.now() + options.pageLaneMs! : Infinity;
          runClaims(pageKernel, control, data, layout, 0, generation, pageArgs, untilMs);
        } catch (error) {
          // runClaims has marked the ring failed: the workers stop claiming, and later batches are refused.
          broken = error instanceof Error ? error : new Error(String(error));
          throw broken;
        }
      }
      // A short batch ends within microseconds: look for its end before paying for a trip through the event loop.
      const spinUntil = performance.now() + options.pageSpinMs;
      while (Atomics.load(control, RingSlot.finished) !== generation && performance.now() < spinUntil);
      for (let seen = Atomics.load(control, RingSlot.finished); seen !== generation; seen = Atomics.load(control, RingSlot.finished)) {
        await whileValue(RingSlot.finished, seen, abort);
      }
      const receivedEpochMs = epochNowMs();
      if (Atomics.load(control, RingSlot.failed) !== 0) {
        broken = await failure();
        throw broken;
      }

      const results = new Array<number>(count);
      const spans: TaskSpan[] = [];
      // Per lane: its first task (from the batch's publication to the lane's wake-up: hand-out and wake-up) and
      // its last (from its end to the page noticing the batch is done: completion).
      const first = new Array<number>(laneCount).fill(-1);
      const last = new Array<number>(laneCount).fill(-1);
      for (let task = 0; task < count; task++) {
        results[task] = data[layout.result(task)]!;
        const lane = data[layout.lane(task)]!;
        const startEpochMs = data[layout.start(task)]!;
        const endEpochMs = data[layout.end(task)]!;
        spans.push({ lane, task, startEpochMs, endEpochMs, phase: 'compute' });
        if (first[lane] === -1 || startEpochMs < data[layout.start(first[lane]!)]!) first[lane] = task;
        if (last[lane] === -1 || endEpochMs > data[layout.end(last[lane]!)]!) last[lane] = task;
      }
      for (let lane = 0; lane < laneCount; lane++) {
        if (first[lane] === -1) continue;
        spans.push({ lane, task: first[lane]!, startEpochMs: postedEpochMs, endEpochMs: data[layout.wake(lane)]!, phase: 'wake-up' });
        spans.push({ lane, task: last[lane]!, startEpochMs: data[layout.end(last[lane]!)]!, endEpochMs: receivedEpochMs, phase: 'completion' });
      }
      return { results, spans };
    },
  };
}
