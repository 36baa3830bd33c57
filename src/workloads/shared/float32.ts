/** Float32 inputs and outputs shared by the array experiments: random fills, exact comparison, poisoning, sharing. */

/**
 * Fill with random non-zero values of magnitude in [0.5, 2) and either sign, from one draw each.
 * Two such float32 values sum exactly in a double, so JavaScript's `a + b` rounded to float32 is the
 * IEEE float32 sum, bit for bit the same as the GPU's: results can be compared exactly.
 */
export function fillRandomNonZero(target: Float32Array, random: () => number): Float32Array {
  for (let i = 0; i < target.length; i++) {
    const r = random();
    target[i] = r < 0.5 ? -(0.5 + 3 * r) : 0.5 + 3 * (r - 0.5);
  }
  return target;
}

/** The first index where two float32 arrays differ bit for bit (so NaN and -0 count), or -1. */
export function firstMismatch(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  const x = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const y = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** Elements poisoned before each run: enough that a run skipping any sizeable part of its output is caught. */
export const POISONED_ELEMENTS = 256;

/**
 * Set the first, the last and POISONED_ELEMENTS random elements of an output reused across runs to NaN, fresh
 * positions each time, so a run that leaves its output (or a stretch of it) unwritten fails the check instead
 * of passing on the last run's answer. Sparse on purpose: filling all of it would pull every cache line to
 * this thread and charge lanes on other cores for fetching them back, which serial does not pay.
 */
export function poisonOutput(output: Float32Array, random: () => number = Math.random): void {
  if (output.length === 0) return;
  output[0] = Number.NaN;
  output[output.length - 1] = Number.NaN;
  for (let k = 0; k < POISONED_ELEMENTS; k++) output[Math.floor(random() * output.length)] = Number.NaN;
}

/** The same numbers in a SharedArrayBuffer, which shared-memory lanes read where it is, without a copy. */
export function toShared(source: Float32Array): Float32Array {
  const shared = new Float32Array(new SharedArrayBuffer(source.byteLength));
  shared.set(source);
  return shared;
}
