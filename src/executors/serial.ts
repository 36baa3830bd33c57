/** Serial: the main thread runs one task after another, the post's plain list comprehension. */
import { epochNowMs } from '../measure/clock.ts';
import type { TaskSpan } from '../measure/timeline.ts';
import type { MapOutcome, TaskExecutor } from './contract.ts';
import type { KernelRef } from '../workloads/kernels.ts';
import { throwIfAborted } from './abort.ts';
import { callKernel, resolveKernel } from './kernels.ts';

/** One task after another on the calling thread; GPU backends use it to drive their device from the page. */
export function serialExecutor(backend = 'serial'): TaskExecutor {
  return {
    backend,
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
