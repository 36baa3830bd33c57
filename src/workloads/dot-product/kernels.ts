/** What workers run for the matrix product: rows of C from shared matrices, or from copies. */
import { matmulCopied, matmulRows } from './matmul.ts';

/** The experiment's kernels, resolved by name in the page and in every worker. */
export const dotProductKernels = { matmulRows, matmulCopied };
