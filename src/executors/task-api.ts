/** What a task worker offers the page, exposed through comlink by workers/task.worker.ts. */
import { transfer } from 'comlink';
import { epochNowMs } from '../measure/clock.ts';
import type { KernelRef } from '../workloads/kernels.ts';
import { callKernel, resolveKernel } from './kernels.ts';
import type { Kernel } from './contract.ts';
import { serveLane, type WordKernel } from './atomics-protocol.ts';
import { serveRing, type RingKernel } from './task-ring.ts';

/** A task's value and when it ran, on the clock the page shares (see epochNowMs). */
export interface TaskReply<R> {
  value: R;
  startEpochMs: number;
  endEpochMs: number;
}

/** Slots of the shared control block a shared-memory run coordinates through. */
export const SHARED_NEXT_TASK = 0;
/**
 * Non-zero once a lane's kernel has thrown or the page has given up on the run: no lane claims another task,
 * so one failure ends the run in about one task's time instead of after the whole queue.
 */
export const SHARED_STOP = 1;
/** Int32 slots the control block of a shared-memory run needs. */
export const SHARED_CONTROL_SLOTS = 4;

/** A shared-memory run's reply: the tasks this worker claimed, with their values (often undefined: output is in shared memory). */
export interface SharedRunReply<R> {
  claimed: Array<[task: number, value: R]>;
}

/** The buffers inside a value that can move instead of being copied (typed arrays and ArrayBuffers, not shared ones). */
export function transferablesOf(value: unknown): Transferable[] {
  if (value instanceof ArrayBuffer) return [value];
  if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) return [value.buffer];
  return [];
}

export const taskApi = {
  /** Answers once the worker's module has loaded, so spawn time is never inside a sample. */
  ready(): boolean {
    return true;
  },

  /**
   * Run one task. Arguments arrive by structured clone (copied) unless the caller transferred them;
   * with `transferResult` an ArrayBuffer result moves back instead of being copied.
   */
  async run<A, R>(ref: KernelRef, arg: A, transferResult = false): Promise<TaskReply<R>> {
    const kernel = resolveKernel<A, R>(ref);
    const startEpochMs = epochNowMs();
    const value = await callKernel(kernel, arg);
    const reply = { value, startEpochMs, endEpochMs: epochNowMs() };
    return transferResult ? transfer(reply, transferablesOf(value)) : reply;
  },

  /**
   * Shared-memory run: every worker gets the whole (small) argument list once, and claims tasks one at a
   * time with Atomics.add on a shared counter, so lanes balance without a message per task. Each task's
   * start and end go into `timings` (Float64Array over a SharedArrayBuffer, two slots per task).
   */
  async runShared<A, R>(ref: KernelRef, args: readonly A[], control: Int32Array, timings: Float64Array): Promise<SharedRunReply<R>> {
    return claimSharedTasks(resolveKernel<A, R>(ref), args, control, timings);
  },

  /**
   * Serve tasks posted through a shared-memory mailbox (executors/atomics-dispatch.ts) until the page sets
   * this lane's stop state. The worker blocks in Atomics.wait meanwhile and answers no other call.
   */
  serveAtomics(ref: KernelRef, control: Int32Array, data: Float64Array, lane: number, argWords: number): number {
    return serveLane(resolveKernel<Float64Array, unknown>(ref) as WordKernel, control, data, lane, argWords);
  },

  /**
   * Serve batches from the task ring (executors/task-ring.ts) until the page stops it, spinning up to
   * `spinMs` between batches before sleeping. The worker answers no other call meanwhile.
   */
  serveRing(ref: KernelRef, control: Int32Array, data: Float64Array, lane: number, laneCount: number, argWords: number, spinMs: number): number {
    return serveRing(resolveKernel<Float64Array, unknown>(ref) as RingKernel, control, data, lane, laneCount, argWords, spinMs);
  },
};

export type TaskApi = typeof taskApi;

/**
 * One lane of a shared-memory run: claim the next task with Atomics.add until none is left or the run is
 * stopped (SHARED_STOP). A kernel that throws sets the stop slot before rethrowing, so the other lanes
 * finish the task they hold and claim no more.
 */
export async function claimSharedTasks<A, R>(
  kernel: Kernel<A, R>,
  args: readonly A[],
  control: Int32Array,
  timings: Float64Array,
): Promise<SharedRunReply<R>> {
  const claimed: Array<[number, R]> = [];
  while (Atomics.load(control, SHARED_STOP) === 0) {
    const task = Atomics.add(control, SHARED_NEXT_TASK, 1);
    if (task >= args.length) break;
    timings[2 * task] = epochNowMs();
    let value: R;
    try {
      value = await callKernel(kernel, args[task]!);
    } catch (error) {
      Atomics.store(control, SHARED_STOP, 1);
      throw error;
    }
    timings[2 * task + 1] = epochNowMs();
    claimed.push([task, value]);
  }
  return { claimed };
}
