/** What data-transfer's tasks run, on the page or in any worker; a worker loads this and nothing else of the experiment. */
import { touchWords } from './payload.ts';

/** What crosses to the worker: the payload and the key to XOR it with. */
export interface TouchArg {
  words: Int32Array;
  key: number;
}

export const kernels = {
  touch: ({ words, key }: TouchArg) => touchWords(words, key),
};
