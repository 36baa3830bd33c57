/** What workers run for the CPU-heavy loop: the post's `count += i` over a range, in JavaScript or compiled. */
import { wasmSumRange } from '../shared/wasm-kernels.ts';
import { sumRange } from './sum-range.ts';

/** The experiment's kernels, resolved by name in the page and in every worker. */
export const cpuHeavyKernels = { sumRange, wasmSumRange };
