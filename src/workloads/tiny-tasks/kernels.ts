/** What tiny-tasks' tasks run, on the page or in any worker; a worker loads this and nothing else of the experiment. */
import { sumRangeMod } from './loop.ts';

/** A task: sum the integers in [start, end). */
export interface TaskRange {
  start: number;
  end: number;
}

export const kernels = {
  sumRange: ({ start, end }: TaskRange) => sumRangeMod(start, end),
  // `| 0`: values read from a Float64Array are doubles, and a double start would teach the worker's JIT a
  // double loop, slowing every later task of that worker (pooled ones included) about tenfold.
  sumRangeWords: (words: Float64Array) => sumRangeMod(words[0]! | 0, words[1]! | 0),
};
