/**
 * Event-loop concurrency: N async tasks on the main thread, the browser's threads-under-the-GIL.
 * While one task waits (network, disk) another runs; computation never overlaps, because there is one thread.
 */
import { epochNowMs } from '../measure/clock.ts';
import type { TaskSpan } from '../measure/timeline.ts';
import type { MapOutcome, TaskExecutor } from './contract.ts';
import type { KernelRef } from '../workloads/kernels.ts';
import { throwIfAborted } from './abort.ts';
import { callKernel, resolveKernel } from './kernels.ts';
import { runLanes } from './lanes.ts';
import { nextMacrotask } from './yield.ts';

export function eventLoopExecutor(laneCount: number): TaskExecutor {
  return {
    backend: 'event-loop',
    laneCount,
    async map<A, R>(ref: KernelRef, args: readonly A[], signal: AbortSignal): Promise<MapOutcome<R>> {
      const kernel = resolveKernel<A, R>(ref);
      const results = new Array<R>(args.length);
      const spans: TaskSpan[] = [];
      await runLanes(
        laneCount,
        args.length,
        async (lane, task) => {
          const startEpochMs = epochNowMs();
          results[task] = await callKernel(kernel, args[task]!);
          spans.push({ lane, task, startEpochMs, endEpochMs: epochNowMs() });
        },
        // Give the other lanes a turn before each task, as the GIL hands over between threads.
        async () => {
          await nextMacrotask();
          throwIfAborted(signal);
        },
      );
      return { results, spans };
    },
  };
}
