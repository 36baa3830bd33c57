/** Calling a kernel the same way in every thread. */
import type { Kernel } from './contract.ts';

export { resolveKernel } from '../workloads/kernels.ts';

/** Run a kernel, awaiting only when it is asynchronous so synchronous work pays no microtask. */
export async function callKernel<A, R>(kernel: Kernel<A, R>, arg: A): Promise<R> {
  const result = kernel(arg);
  return result instanceof Promise ? await result : result;
}
