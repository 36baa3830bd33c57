/** What array-add's tasks run, on the page or in any worker; a worker loads this and nothing else of the experiment. */
import { addCopied, addRange } from './add.ts';

export const kernels = { addRange, addCopied };
