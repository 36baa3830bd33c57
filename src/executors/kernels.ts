/** Resolves a kernel by name in whichever thread asks: the page and every worker share one kernel table. */
import { kernelsByWorkload } from '../workloads/kernels.ts';
import type { Kernel, KernelRef } from '../workloads/types.ts';

export function resolveKernel<A, R>(ref: KernelRef): Kernel<A, R> {
  const kernels = Object.hasOwn(kernelsByWorkload, ref.workload) ? kernelsByWorkload[ref.workload] : undefined;
  if (!kernels) {
    throw new RangeError(`Unknown experiment "${ref.workload}". Known: ${Object.keys(kernelsByWorkload).join(', ')}.`);
  }
  const kernel = Object.hasOwn(kernels, ref.kernel) ? kernels[ref.kernel] : undefined;
  if (!kernel) throw new RangeError(`Experiment "${ref.workload}" has no kernel "${ref.kernel}".`);
  return kernel as Kernel<A, R>;
}

/** Run a kernel, awaiting only when it is asynchronous so synchronous work pays no microtask. */
export async function callKernel<A, R>(kernel: Kernel<A, R>, arg: A): Promise<R> {
  const result = kernel(arg);
  return result instanceof Promise ? await result : result;
}
