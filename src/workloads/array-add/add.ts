/** Float32 element-wise addition, the post's NumPy `a + b`, as plain functions any thread can run. */

/** Add `a` and `b` into `c` over [start, end), `repeats` times over, as the post repeats `a + b`. */
export interface AddRange {
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
  start: number;
  end: number;
  repeats: number;
}

/**
 * The serial and shared-memory kernel: writes only [start, end) of `c`, so lanes over disjoint ranges of
 * the same shared arrays never touch each other's output.
 */
export function addRange({ a, b, c, start, end, repeats }: AddRange): void {
  for (let r = 0; r < repeats; r++) {
    for (let i = start; i < end; i++) c[i] = a[i]! + b[i]!;
  }
}

/** A slice of the inputs, copied to a worker by structured clone (the browser's pickling). */
export interface AddSlice {
  a: Float32Array;
  b: Float32Array;
  repeats: number;
}

/** The workers kernel: adds its own copies and returns a new array, which is copied back the same way. */
export function addCopied({ a, b, repeats }: AddSlice): Float32Array {
  const c = new Float32Array(a.length);
  addRange({ a, b, c, start: 0, end: a.length, repeats });
  return c;
}
