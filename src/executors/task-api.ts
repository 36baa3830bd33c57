/** What a task worker offers the page, exposed through comlink by workers/task.worker.ts. */
import { epochNowMs } from '../measure/clock.ts';
import type { KernelRef } from '../workloads/types.ts';
import { callKernel, resolveKernel } from './kernels.ts';

/** A task's value and when it ran, on the clock the page shares (see epochNowMs). */
export interface TaskReply<R> {
  value: R;
  startEpochMs: number;
  endEpochMs: number;
}

export const taskApi = {
  /** Answers once the worker's module has loaded, so spawn time is never inside a sample. */
  ready(): boolean {
    return true;
  },

  async run<A, R>(ref: KernelRef, arg: A): Promise<TaskReply<R>> {
    const kernel = resolveKernel<A, R>(ref);
    const startEpochMs = epochNowMs();
    const value = await callKernel(kernel, arg);
    return { value, startEpochMs, endEpochMs: epochNowMs() };
  },
};

export type TaskApi = typeof taskApi;
