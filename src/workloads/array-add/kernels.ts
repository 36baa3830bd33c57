/** What workers run for array addition: a range of shared arrays, a slice copied to them, or SIMD over shared memory. */
import { wasmAddRange } from '../shared/wasm-kernels.ts';
import { addCopied, addRange } from './add.ts';

/** The experiment's kernels, resolved by name in the page and in every worker. */
export const arrayAddKernels = { addRange, addCopied, wasmAddRange };
