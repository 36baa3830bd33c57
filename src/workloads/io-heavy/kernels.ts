/** What io-heavy's tasks run, on the page or in any worker; a worker loads this and nothing else of the experiment. */
import { syncAccessProblem, writeFileAsync, writeFileSync } from './opfs.ts';

export const kernels = { writeFileAsync, writeFileSync, syncAccessProblem };
