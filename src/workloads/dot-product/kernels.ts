/** What dot-product's tasks run, on the page or in any worker; a worker loads this and nothing else of the experiment. */
import { matmulCopied, matmulRows } from './matmul.ts';

export const kernels = { matmulRows, matmulCopied };
