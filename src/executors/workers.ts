/** Web Workers: separate threads, the browser's processes; arguments and results cross by structured clone. */
import { transfer as markTransfer } from 'comlink';
import { epochNowMs } from '../measure/clock.ts';
import type { TaskSpan } from '../measure/timeline.ts';
import type { MapOutcome, TaskExecutor } from './contract.ts';
import type { KernelRef } from '../workloads/kernels.ts';
import { raceAbort, throwIfAborted } from './abort.ts';
import { runLanes } from './lanes.ts';
import type { WorkerPool } from './worker-pool.ts';

/**
 * Tasks each worker holds at once: the one it runs and the next, already posted, so it starts that one the
 * moment it finishes instead of idling for a round trip through the page (about half a millisecond per
 * task in headless Chromium), as process pools prefetch work.
 */
export const TASKS_IN_FLIGHT_PER_WORKER = 2;

/**
 * Run tasks on the first `laneCount` workers of a started pool, one message per task.
 * Each task is drawn in three phases: copy-in (from posting, or from the end of the worker's previous task
 * when it was queued behind it, to the kernel's start: structured clone and delivery), compute, copy-out
 * (from the kernel's end to the reply's arrival).
 * `transfer` names buffers to move instead of copy; then results move back too.
 */
export function workersExecutor(pool: WorkerPool, laneCount: number): TaskExecutor {
  return {
    backend: 'workers',
    laneCount,
    async map<A, R>(
      ref: KernelRef,
      args: readonly A[],
      signal: AbortSignal,
      transfer?: (arg: A) => Transferable[],
    ): Promise<MapOutcome<R>> {
      const lanes = pool.lanes(laneCount);
      const results = new Array<R>(args.length);
      const spans: TaskSpan[] = [];
      // A worker answers in the order it was asked, so this is its previous task's end when a reply arrives.
      const lastEndEpochMs = new Array<number>(laneCount).fill(-Infinity);
      await runLanes(laneCount * TASKS_IN_FLIGHT_PER_WORKER, args.length, async (slot, task) => {
        throwIfAborted(signal);
        const lane = slot % laneCount;
        const arg = args[task]!;
        const sentEpochMs = epochNowMs();
        const call = transfer ? lanes[lane]!.run(ref, markTransfer(arg, transfer(arg)), true) : lanes[lane]!.run(ref, arg);
        const reply = await raceAbort(call, signal);
        const receivedEpochMs = epochNowMs();
        results[task] = reply.value as R;
        const copyInStart = Math.min(reply.startEpochMs, Math.max(sentEpochMs, lastEndEpochMs[lane]!));
        lastEndEpochMs[lane] = reply.endEpochMs;
        spans.push(
          { lane, task, startEpochMs: copyInStart, endEpochMs: reply.startEpochMs, phase: 'copy-in' },
          { lane, task, startEpochMs: reply.startEpochMs, endEpochMs: reply.endEpochMs, phase: 'compute' },
          { lane, task, startEpochMs: reply.endEpochMs, endEpochMs: receivedEpochMs, phase: 'copy-out' },
        );
      });
      return { results, spans };
    },
  };
}
