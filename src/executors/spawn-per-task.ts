/**
 * Spawn per task: every task gets a brand-new Web Worker, terminated as soon as it answers, the way
 * `ProcessPoolExecutor` inside a loop would start processes per call. The spawn (thread start, module load,
 * first message) is inside the measured time on purpose: it is the overhead being measured.
 */
import { epochNowMs } from '../measure/clock.ts';
import type { TaskSpan } from '../measure/timeline.ts';
import type { MapOutcome, TaskExecutor } from './contract.ts';
import type { KernelRef } from '../workloads/kernels.ts';
import { raceAbort, throwIfAborted } from './abort.ts';
import { runLanes } from './lanes.ts';
import { WorkerPool, spawnTaskWorker, type WorkerFactory } from './worker-pool.ts';

/**
 * Each lane spawns a worker, runs one task on it and terminates it, then spawns the next. Spawned workers
 * are one-worker pools, so the lab's live-worker count sees them, and each is terminated in a `finally`.
 */
export function spawnPerTaskExecutor(laneCount: number, factory: WorkerFactory = spawnTaskWorker): TaskExecutor {
  return {
    backend: 'workers',
    laneCount,
    async map<A, R>(ref: KernelRef, args: readonly A[], signal: AbortSignal): Promise<MapOutcome<R>> {
      const results = new Array<R>(args.length);
      const spans: TaskSpan[] = [];
      await runLanes(laneCount, args.length, async (lane, task) => {
        throwIfAborted(signal);
        const pool = new WorkerPool(factory);
        try {
          const spawnEpochMs = epochNowMs();
          await pool.ensure(1, signal);
          const sentEpochMs = epochNowMs();
          const reply = await raceAbort(pool.lanes(1)[0]!.run(ref, args[task]!), signal);
          const receivedEpochMs = epochNowMs();
          results[task] = reply.value as R;
          spans.push(
            { lane, task, startEpochMs: spawnEpochMs, endEpochMs: sentEpochMs, phase: 'spawn' },
            { lane, task, startEpochMs: sentEpochMs, endEpochMs: reply.startEpochMs, phase: 'copy-in' },
            { lane, task, startEpochMs: reply.startEpochMs, endEpochMs: reply.endEpochMs, phase: 'compute' },
            { lane, task, startEpochMs: reply.endEpochMs, endEpochMs: receivedEpochMs, phase: 'copy-out' },
          );
        } finally {
          pool.terminate();
        }
      });
      return { results, spans };
    },
  };
}
