/**
 * Shared memory: the same Web Workers, but data lives in SharedArrayBuffers that every thread sees, and
 * work is handed out through an Atomics counter in shared memory rather than a message per task.
 * The browser's analogue of threads on shared memory (NumPy releasing the GIL).
 */
import type { TaskSpan } from '../measure/timeline.ts';
import type { MapOutcome, TaskExecutor } from './contract.ts';
import type { KernelRef } from '../workloads/kernels.ts';
import { raceAbort, throwIfAborted } from './abort.ts';
import { SHARED_CONTROL_SLOTS, SHARED_STOP, type SharedRunReply } from './task-api.ts';
import type { WorkerPool } from './worker-pool.ts';

/** Throws the user-facing reason when shared memory cannot be used here. */
export function assertSharedMemory(): void {
  if (typeof SharedArrayBuffer !== 'function') {
    throw new Error(
      globalThis.crossOriginIsolated
        ? 'SharedArrayBuffer is not available in this browser.'
        : 'SharedArrayBuffer needs a cross-origin isolated page (COOP same-origin and COEP require-corp headers).',
    );
  }
}

/**
 * Arguments are sent once per worker per run; whatever SharedArrayBuffers they hold are shared, not copied.
 * Workers claim tasks with Atomics.add and record timings in shared memory; the lane of a task is the
 * worker that claimed it.
 */
export function sharedMemoryExecutor(pool: WorkerPool, laneCount: number, backend = 'shared-memory'): TaskExecutor {
  assertSharedMemory();
  return {
    backend,
    laneCount,
    async map<A, R>(ref: KernelRef, args: readonly A[], signal: AbortSignal): Promise<MapOutcome<R>> {
      throwIfAborted(signal);
      const lanes = pool.lanes(laneCount);
      const control = new Int32Array(new SharedArrayBuffer(SHARED_CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
      const timings = new Float64Array(new SharedArrayBuffer(Math.max(1, 2 * args.length) * Float64Array.BYTES_PER_ELEMENT));
      // Cancelled, or given up by the watchdog: the workers claim no more tasks even if the page stops listening.
      const stop = () => Atomics.store(control, SHARED_STOP, 1);
      signal.addEventListener('abort', stop, { once: true });
      let replies: Array<SharedRunReply<unknown>>;
      try {
        replies = await raceAbort(
          Promise.all(lanes.map((lane) => lane.runShared(ref, args, control, timings))),
          signal,
        );
      } catch (error) {
        // One lane's kernel threw: it has stopped the others already; this covers a lane lost another way.
        stop();
        throw error;
      } finally {
        signal.removeEventListener('abort', stop);
      }
      const results = new Array<R>(args.length);
      const spans: TaskSpan[] = [];
      replies.forEach((reply, lane) => {
        for (const [task, value] of reply.claimed) {
          results[task] = value as R;
          spans.push({ lane, task, startEpochMs: timings[2 * task]!, endEpochMs: timings[2 * task + 1]!, phase: 'compute' });
        }
      });
      return { results, spans };
    },
  };
}
