/** What the worker runs for data transfer: touch every word of the payload it received. */
import { touchWords } from './payload.ts';

/** A payload and the key to XOR into every word of it. */
export interface TouchArg {
  words: Int32Array;
  key: number;
}

/** The experiment's kernels, resolved by name in the page and in every worker. */
export const dataTransferKernels = {
  touch: ({ words, key }: TouchArg) => touchWords(words, key),
};
