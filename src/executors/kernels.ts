/** Resolves a kernel by name in whichever thread asks: the page and every worker share this registry. */
import { workloadById } from '../workloads/registry.ts';
import type { Kernel, KernelRef } from '../workloads/types.ts';

export function resolveKernel<A, R>(ref: KernelRef): Kernel<A, R> {
  const kernel = workloadById(ref.workload).kernels[ref.kernel];
  if (!kernel) throw new RangeError(`Experiment "${ref.workload}" has no kernel "${ref.kernel}".`);
  return kernel as Kernel<A, R>;
}

/** Run a kernel, awaiting only when it is asynchronous so synchronous work pays no microtask. */
export async function callKernel<A, R>(kernel: Kernel<A, R>, arg: A): Promise<R> {
  const result = kernel(arg);
  return result instanceof Promise ? await result : result;
}
