/** What a lane runs for IO-heavy work: write, read back and delete one file in OPFS. */
import { syncAccessProblem, writeFileAsync, writeFileSync } from './opfs.ts';

/** The experiment's kernels, resolved by name in the page and in every worker. */
export const ioHeavyKernels = { writeFileAsync, writeFileSync, syncAccessProblem };
