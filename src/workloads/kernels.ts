/**
 * Every kernel a lane can run, by experiment and name: the only part of the experiments that workers
 * import. It pulls in kernels alone (pure functions), never the registry, the engine or the page's code.
 */
import { apiCallsKernels } from './api-calls/kernels.ts';
import { arrayAddKernels } from './array-add/kernels.ts';
import { cpuHeavyKernels } from './cpu-heavy/kernels.ts';
import { dataTransferKernels } from './data-transfer/kernels.ts';
import { dotProductKernels } from './dot-product/kernels.ts';
import { ioHeavyKernels } from './io-heavy/kernels.ts';
import { tinyTasksKernels } from './tiny-tasks/kernels.ts';

/** A function that does one task's work; it runs in the page or in any worker. */
export type Kernel<A = never, R = unknown> = (arg: A) => R | Promise<R>;

/** Kernels by experiment id, then by name. */
export const kernelRegistry = {
  'cpu-heavy': cpuHeavyKernels,
  'tiny-tasks': tinyTasksKernels,
  'data-transfer': dataTransferKernels,
  'array-add': arrayAddKernels,
  'dot-product': dotProductKernels,
  'api-calls': apiCallsKernels,
  'io-heavy': ioHeavyKernels,
} as const;

type Registry = typeof kernelRegistry;

/** Names a kernel across threads, typed from the registry: a misspelt experiment or kernel fails to compile. */
export type KernelRef = {
  [W in keyof Registry]: { [K in keyof Registry[W] & string]: { workload: W; kernel: K } }[keyof Registry[W] & string];
}[keyof Registry];

/** A typed reference to a kernel, for passing to an executor. */
export function kernelRef<W extends keyof Registry, K extends keyof Registry[W] & string>(workload: W, kernel: K): KernelRef {
  return { workload, kernel } as KernelRef;
}

/** Look a kernel up by reference in whichever thread asks; refs that arrive by message are checked, not trusted. */
export function resolveKernel<A, R>(ref: KernelRef): Kernel<A, R> {
  const kernels = Object.hasOwn(kernelRegistry, ref.workload) ? (kernelRegistry[ref.workload] as Record<string, unknown>) : undefined;
  if (!kernels) throw new RangeError(`Unknown experiment "${ref.workload}" in a kernel reference.`);
  const kernel = Object.hasOwn(kernels, ref.kernel) ? kernels[ref.kernel] : undefined;
  if (typeof kernel !== 'function') throw new RangeError(`Experiment "${ref.workload}" has no kernel "${ref.kernel}".`);
  return kernel as Kernel<A, R>;
}
