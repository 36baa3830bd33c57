/** What workers run for array addition: a range of shared arrays, or a slice copied to them. */
import { addCopied, addRange } from './add.ts';

/** The experiment's kernels, resolved by name in the page and in every worker. */
export const arrayAddKernels = { addRange, addCopied };
