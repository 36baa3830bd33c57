/** Web Workers: separate threads, the browser's processes; arguments and results cross by structured clone. */
import { transfer as markTransfer } from 'comlink';
import { epochNowMs } from '../measure/clock.ts';
import type { TaskSpan } from '../measure/timeline.ts';
import type { KernelRef, MapOutcome, TaskExecutor } from '../workloads/types.ts';
import { raceAbort, throwIfAborted } from './abort.ts';
import { runLanes } from './lanes.ts';
import type { WorkerPool } from './worker-pool.ts';

/**
 * Run tasks on the first `laneCount` workers of a started pool, one message per task.
 * Each task is drawn in three phases: copy-in (from posting to the kernel's start: structured clone and
 * queueing), compute, copy-out (from the kernel's end to the reply's arrival).
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
      await runLanes(laneCount, args.length, async (lane, task) => {
        throwIfAborted(signal);
        const arg = args[task]!;
        const sentEpochMs = epochNowMs();
        const call = transfer ? lanes[lane]!.run(ref, markTransfer(arg, transfer(arg)), true) : lanes[lane]!.run(ref, arg);
        const reply = await raceAbort(call, signal);
        const receivedEpochMs = epochNowMs();
        results[task] = reply.value as R;
        spans.push(
          { lane, task, startEpochMs: sentEpochMs, endEpochMs: reply.startEpochMs, phase: 'copy-in' },
          { lane, task, startEpochMs: reply.startEpochMs, endEpochMs: reply.endEpochMs, phase: 'compute' },
          { lane, task, startEpochMs: reply.endEpochMs, endEpochMs: receivedEpochMs, phase: 'copy-out' },
        );
      });
      return { results, spans };
    },
  };
}
