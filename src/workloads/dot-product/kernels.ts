/** What workers run for the matrix product: rows of C from shared matrices, from copies, or in WebAssembly SIMD. */
import { wasmMatmulRows, wasmMatmulScratchBytes } from '../shared/wasm-kernels.ts';
import { matmulCopied, matmulRows } from './matmul.ts';

/** The experiment's kernels, resolved by name in the page and in every worker. */
export const dotProductKernels = { matmulRows, matmulCopied, wasmMatmulRows, wasmMatmulScratchBytes };
