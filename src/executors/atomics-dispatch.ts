/**
 * Atomics dispatch: persistent workers parked in Atomics.wait on a SharedArrayBuffer mailbox, one task at a
 * time per lane, no message per task. The lowest per-task overhead the browser offers between threads.
 * The page cannot block, so it waits with Atomics.waitAsync where the browser has it, and otherwise polls
 * the mailbox once per macrotask.
 */
import { epochNowMs } from '../measure/clock.ts';
import type { TaskSpan } from '../measure/timeline.ts';
import type { MapOutcome } from './contract.ts';
import type { KernelRef } from '../workloads/kernels.ts';
import { raceAbort, throwIfAborted } from './abort.ts';
import { CONTROL_STRIDE, LaneState, dataStride, laneLayout } from './atomics-protocol.ts';
import { runLanes } from './lanes.ts';
import type { WorkerPool } from './worker-pool.ts';
import { nextMacrotask } from './yield.ts';

type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
type WaitAsync = (array: Int32Array, index: number, value: number, timeoutMs?: number) => WaitAsyncResult;

/** Atomics.waitAsync when this browser has it (ES2024; Chromium has it, older Firefox does not). */
export function findWaitAsync(): WaitAsync | undefined {
  const candidate = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  return typeof candidate === 'function' ? candidate.bind(Atomics) : undefined;
}

/**
 * Resolve once control[index] is no longer `value`: with Atomics.waitAsync where the browser has it, else by
 * looking once per macrotask. The page cannot block, so both the mailbox and the task ring wait this way.
 */
export async function waitWhileEqual(control: Int32Array, index: number, value: number, abort: AbortSignal, waitAsync = findWaitAsync()): Promise<void> {
  while (Atomics.load(control, index) === value) {
    if (waitAsync) {
      const wait = waitAsync(control, index, value);
      if (wait.async) await raceAbort(wait.value, abort);
    } else {
      await nextMacrotask();
      throwIfAborted(abort);
    }
  }
}

/** How the page learns a task is done. */
export type AtomicsWaitMode = 'waitAsync' | 'polling';

/** Persistent workers serving tasks through shared memory; stop() releases them for other work. */
export interface AtomicsDispatcher {
  readonly laneCount: number;
  readonly waitMode: AtomicsWaitMode;
  /** Run every task (its argument words) over the lanes; results in task order. */
  map(args: ReadonlyArray<ArrayLike<number>>, signal: AbortSignal): Promise<MapOutcome<number>>;
  /** Ask every worker to leave its loop and wait (briefly) until they have. */
  stop(): Promise<void>;
}

/** How long stop() waits for workers to leave their loops before leaving them to the pool's terminate(). */
const STOP_GRACE_MS = 2_000;

/**
 * Park the first `laneCount` workers of a started pool in the mailbox loop of `kernel` (taking `argWords`
 * numbers per task). Resolves once every worker is waiting, so no sample pays for the start.
 */
export async function startAtomicsDispatch(
  pool: WorkerPool,
  laneCount: number,
  kernel: KernelRef,
  argWords: number,
  signal: AbortSignal,
): Promise<AtomicsDispatcher> {
  // The engine has checked availability already; this guards direct callers.
  if (typeof SharedArrayBuffer !== 'function') throw new Error('SharedArrayBuffer is not available on this page.');
  const remotes = pool.lanes(laneCount);
  const control = new Int32Array(new SharedArrayBuffer(laneCount * CONTROL_STRIDE * Int32Array.BYTES_PER_ELEMENT));
  const data = new Float64Array(new SharedArrayBuffer(laneCount * dataStride(argWords) * Float64Array.BYTES_PER_ELEMENT));
  const waitAsync = findWaitAsync();
  const serving = remotes.map((remote, lane) => remote.serveAtomics(kernel, control, data, lane, argWords));
  // A lane's failure is read from its state; the rejection itself is only awaited for its message.
  for (const s of serving) s.catch(() => undefined);

  /** Resolve once the lane's state is no longer `value`. */
  const whileState = (stateIndex: number, value: number, abort: AbortSignal) => waitWhileEqual(control, stateIndex, value, abort, waitAsync);

  const stop = async () => {
    for (let lane = 0; lane < laneCount; lane++) {
      const { state } = laneLayout(lane, argWords);
      Atomics.store(control, state, LaneState.stop);
      Atomics.notify(control, state);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
    await Promise.race([Promise.allSettled(serving), grace]);
    clearTimeout(timer);
  };

  try {
    await Promise.all(
      serving.map((served, lane) =>
        // A worker that cannot start its loop (an unknown kernel) never leaves `starting`: its rejection says why.
        Promise.race([
          whileState(laneLayout(lane, argWords).state, LaneState.starting, signal),
          served.then(() => {
            throw new Error('A worker left the shared-memory loop before serving any task.');
          }),
        ]),
      ),
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    laneCount,
    waitMode: waitAsync ? 'waitAsync' : 'polling',
    stop,
    async map(args, abort) {
      const results = new Array<number>(args.length);
      const spans: TaskSpan[] = [];
      await runLanes(laneCount, args.length, async (lane, task) => {
        throwIfAborted(abort);
        const at = laneLayout(lane, argWords);
        data.set(args[task]!, at.args);
        const postedEpochMs = epochNowMs();
        // The store publishes the argument words written above (Atomics are sequentially consistent).
        Atomics.store(control, at.state, LaneState.posted);
        Atomics.notify(control, at.state, 1);
        await whileState(at.state, LaneState.posted, abort);
        const state = Atomics.load(control, at.state);
        if (state !== LaneState.done) {
          if (state === LaneState.failed) await serving[lane];
          throw new Error(`A shared-memory worker stopped mid-task (lane ${lane}, state ${state}).`);
        }
        const receivedEpochMs = epochNowMs();
        const startEpochMs = data[at.startEpochMs]!;
        const endEpochMs = data[at.endEpochMs]!;
        results[task] = data[at.result]!;
        spans.push(
          { lane, task, startEpochMs: postedEpochMs, endEpochMs: startEpochMs, phase: 'dispatch' },
          { lane, task, startEpochMs, endEpochMs, phase: 'compute' },
          { lane, task, startEpochMs: endEpochMs, endEpochMs: receivedEpochMs, phase: 'return' },
        );
      });
      return { results, spans };
    },
  };
}
