/** What workers run for tiny tasks: a short loop over a range, from arguments or from mailbox words. */
import { sumRangeMod } from './loop.ts';

/** A task: sum the integers in [start, end). */
export interface TaskRange {
  start: number;
  end: number;
}

/** The experiment's kernels, resolved by name in the page and in every worker. */
export const tinyTasksKernels = {
  sumRange: ({ start, end }: TaskRange) => sumRangeMod(start, end),
  // Values read from a Float64Array are doubles: sumRangeMod makes them int32 before its loop.
  sumRangeWords: (words: Float64Array) => sumRangeMod(words[0]!, words[1]!),
};
