/** Every experiment the lab knows, in the order the UI shows them. Adding one: a folder and a line here. */
import type { Workload } from './types.ts';
import { cpuHeavy } from './cpu-heavy/index.ts';
import { tinyTasks } from './tiny-tasks/index.ts';
import { dataTransfer } from './data-transfer/index.ts';
import { arrayAdd } from './array-add/index.ts';
import { dotProduct } from './dot-product/index.ts';
import { apiCalls } from './api-calls/index.ts';
import { ioHeavy } from './io-heavy/index.ts';

export const workloads: readonly Workload<any, any>[] = [cpuHeavy, tinyTasks, dataTransfer, arrayAdd, dotProduct, apiCalls, ioHeavy];

/** An experiment id that names none: bad input, told apart from a failed run (command lines exit 2 for it). */
export class UnknownExperimentError extends RangeError {
  override name = 'UnknownExperimentError';
}

/** Look an experiment up by id, with a message that lists the valid ones. */
export function workloadById(id: string): Workload<any, any> {
  const found = workloads.find((w) => w.meta.id === id);
  if (!found) {
    throw new UnknownExperimentError(`Unknown experiment "${String(id).slice(0, 80)}". Known: ${workloads.map((w) => w.meta.id).join(', ')}.`);
  }
  return found;
}
