/** Web Workers: separate threads, the browser's processes; arguments and results cross by structured clone. */
import type { TaskSpan } from '../measure/timeline.ts';
import type { KernelRef, MapOutcome, TaskExecutor } from '../workloads/types.ts';
import { raceAbort, throwIfAborted } from './abort.ts';
import { runLanes } from './lanes.ts';
import type { WorkerPool } from './worker-pool.ts';

/** Run tasks on the first `laneCount` workers of a started pool. */
export function workersExecutor(pool: WorkerPool, laneCount: number): TaskExecutor {
  return {
    backend: 'workers',
    laneCount,
    async map<A, R>(ref: KernelRef, args: readonly A[], signal: AbortSignal): Promise<MapOutcome<R>> {
      const lanes = pool.lanes(laneCount);
      const results = new Array<R>(args.length);
      const spans: TaskSpan[] = [];
      await runLanes(laneCount, args.length, async (lane, task) => {
        throwIfAborted(signal);
        const reply = await raceAbort(lanes[lane]!.run(ref, args[task]!), signal);
        results[task] = reply.value as R;
        spans.push({ lane, task, startEpochMs: reply.startEpochMs, endEpochMs: reply.endEpochMs });
      });
      return { results, spans };
    },
  };
}
