/**
 * Every experiment's kernels by experiment id: what a worker resolves a task's kernel from. Workers import
 * this rather than registry.ts, which brings each experiment's page-side code with it (WebGPU setup, the
 * lazily loaded gpu.js), none of which a worker runs: bundled into the worker, it emitted a second gpu.js chunk.
 */
import type { Kernel } from './types.ts';
import { kernels as apiCalls } from './api-calls/kernels.ts';
import { kernels as arrayAdd } from './array-add/kernels.ts';
import { kernels as cpuHeavy } from './cpu-heavy/kernels.ts';
import { kernels as dataTransfer } from './data-transfer/kernels.ts';
import { kernels as dotProduct } from './dot-product/kernels.ts';
import { kernels as ioHeavy } from './io-heavy/kernels.ts';
import { kernels as tinyTasks } from './tiny-tasks/kernels.ts';

/** Keyed by `meta.id`; a unit test checks that each entry is the experiment's own `kernels`. */
export const kernelsByWorkload: Readonly<Record<string, Readonly<Record<string, Kernel<any, unknown>>>>> = {
  'cpu-heavy': cpuHeavy,
  'tiny-tasks': tinyTasks,
  'data-transfer': dataTransfer,
  'array-add': arrayAdd,
  'dot-product': dotProduct,
  'api-calls': apiCalls,
  'io-heavy': ioHeavy,
};
