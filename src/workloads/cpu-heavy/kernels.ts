/** What cpu-heavy's tasks run, on the page or in any worker; a worker loads this and nothing else of the experiment. */
import { sumRange } from './sum-range.ts';

export const kernels = { sumRange };
