/** Serial: the main thread runs one task after another, the post's plain list comprehension. */
import { epochNowMs } from '../measure/clock.ts';
import type { TaskSpan } from '../measure/timeline.ts';
import type { KernelRef, MapOutcome, TaskExecutor } from '../workloads/types.ts';
import { throwIfAborted } from './abort.ts';
import { callKernel, resolveKernel } from './kernels.ts';

export function serialExecutor(): TaskExecutor {
  return {
    backend: 'serial',
    laneCount: 1,
    async map<A, R>(ref: KernelRef, args: readonly A[], signal: AbortSignal): Promise<MapOutcome<R>> {
      const kernel = resolveKernel<A, R>(ref);
      const results: R[] = [];
      const spans: TaskSpan[] = [];
      for (let task = 0; task < args.length; task++) {
        throwIfAborted(signal);
        const startEpochMs = epochNowMs();
        results.push(await callKernel(kernel, args[task]!));
        spans.push({ lane: 0, task, startEpochMs, endEpochMs: epochNowMs() });
      }
      return { results, spans };
    },
  };
}
