/** What an executor offers: run a list of tasks over lanes, as Python's `executor.map(func, args)`. */
import type { TaskSpan } from '../measure/timeline.ts';
import type { KernelRef } from '../workloads/kernels.ts';

export type { Kernel } from '../workloads/kernels.ts';

/** Results in task order, and when each task ran. */
export interface MapOutcome<R> {
  results: R[];
  spans: TaskSpan[];
}

/** Runs a list of tasks over a number of lanes, the analogue of `executor.map(func, args)`. */
export interface TaskExecutor {
  /** The backend id this executor serves (several backends share an executor kind). */
  readonly backend: string;
  readonly laneCount: number;
  map<A, R>(kernel: KernelRef, args: readonly A[], signal: AbortSignal, transfer?: (arg: A) => Transferable[]): Promise<MapOutcome<R>>;
}
