/** Square float32 matrix products, the post's `np.dot(a, b)`, as plain functions any thread can run. */

/** Tile edge of the JavaScript kernel: three 64×64 float32 tiles (48 KiB) stay in a core's L1/L2 cache. */
export const JS_BLOCK = 64;

/**
 * cRows = aRows · b for a block of rows (row-major, n columns), cache-blocked: tiles of rows, of k and of
 * columns, i-k-j inside, so the innermost loop walks a row of b and a row of c contiguously.
 * cRows is zeroed first. Each c element still sums over k in increasing order, as the plain loop does.
 */
export function multiplyRows(aRows: Float32Array, b: Float32Array, cRows: Float32Array, n: number, block = JS_BLOCK): void {
  const rows = Math.floor(aRows.length / n);
  cRows.fill(0, 0, rows * n);
  for (let i0 = 0; i0 < rows; i0 += block) {
    const i1 = Math.min(i0 + block, rows);
    for (let k0 = 0; k0 < n; k0 += block) {
      const k1 = Math.min(k0 + block, n);
      for (let j0 = 0; j0 < n; j0 += block) {
        const j1 = Math.min(j0 + block, n);
        for (let i = i0; i < i1; i++) {
          const row = i * n;
          for (let k = k0; k < k1; k++) {
            const aik = aRows[row + k]!;
            const bRow = k * n;
            for (let j = j0; j < j1; j++) cRows[row + j] = cRows[row + j]! + aik * b[bRow + j]!;
          }
        }
      }
    }
  }
}

/** Rows [rowStart, rowEnd) of C = A·B, all three matrices whole (in shared memory, or the page's own). */
export interface MatmulRows {
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
  n: number;
  rowStart: number;
  rowEnd: number;
}

/** The serial and shared-memory kernel: writes only its own rows of c. */
export function matmulRows({ a, b, c, n, rowStart, rowEnd }: MatmulRows): void {
  multiplyRows(a.subarray(rowStart * n, rowEnd * n), b, c.subarray(rowStart * n, rowEnd * n), n);
}

/** A worker's copy of its rows of A and of all of B, as structured clone delivers them. */
export interface MatmulCopied {
  aRows: Float32Array;
  b: Float32Array;
  n: number;
}

/** The workers kernel: returns its rows of C as a new array, copied back to the page. */
export function matmulCopied({ aRows, b, n }: MatmulCopied): Float32Array {
  const cRows = new Float32Array(aRows.length);
  multiplyRows(aRows, b, cRows, n);
  return cRows;
}

/** The reference: C = A·B accumulated in float64 (i-k-j), far more accurate than any float32 backend. */
export function matmulReference64(a: Float32Array, b: Float32Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[row + k]!;
      const bRow = k * n;
      for (let j = 0; j < n; j++) c[row + j] = c[row + j]! + aik * b[bRow + j]!;
    }
  }
  return c;
}

/** Largest |actual − expected| over the largest |expected|: scale-free, and NaN when anything is NaN. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.NaN;
  let maxError = 0;
  let maxValue = 0;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!);
    if (Number.isNaN(error)) return Number.NaN;
    maxError = Math.max(maxError, error);
    maxValue = Math.max(maxValue, Math.abs(expected[i]!));
  }
  return maxValue > 0 ? maxError / maxValue : maxError;
}
