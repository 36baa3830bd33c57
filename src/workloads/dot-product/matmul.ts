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

/** Largest relative error accepted; float32 accumulation over n ≤ 2048 terms lands orders of magnitude below. */
export const MAX_RELATIVE_ERROR = 1e-3;

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

/** Up to this n the whole float64 reference is made (n = 512: 0.27 Gflop, a fraction of a second once per size). */
export const FULL_CHECK_MAX_N = 512;

/** About this many float64 multiply-adds go into a sampled reference: rows and columns enough, at any n. */
const SAMPLED_CHECK_FLOPS = 2 ** 27;

/**
 * What a product is checked against. Up to FULL_CHECK_MAX_N every element of C; above it, whole rows and
 * whole columns of C in float64: the first and last of each (where edge tiles go wrong) and others drawn at
 * random, so a GPU that reaches n = 4096 is still verified without a minute of JavaScript. Every element of
 * C must be finite either way, so a region a kernel never wrote (poisoned with NaN) cannot pass.
 */
export interface MatmulReference {
  n: number;
  /** Row indices checked, each compared element by element. */
  rows: number[];
  /** rows.length × n float64 values, row after row. */
  rowValues: Float64Array;
  /** Column indices checked. */
  columns: number[];
  /** columns.length × n float64 values, column after column. */
  columnValues: Float64Array;
  /** The largest |C₆₄| among the checked elements: the scale of the relative error. */
  largest: number;
  /** Whether every element is checked. */
  whole: boolean;
}

/** Rows and columns to check: all of them up to FULL_CHECK_MAX_N, else the first, the last and random others. */
export function referenceIndices(n: number, random: () => number): { rows: number[]; columns: number[]; whole: boolean } {
  if (n <= FULL_CHECK_MAX_N) {
    const all = Array.from({ length: n }, (_, i) => i);
    return { rows: all, columns: [], whole: true };
  }
  const count = Math.max(8, Math.min(32, Math.floor(SAMPLED_CHECK_FLOPS / (2 * n * n))));
  const pick = () => {
    const chosen = new Set<number>([0, n - 1]);
    while (chosen.size < count) chosen.add(Math.floor(random() * n));
    return [...chosen].sort((x, y) => x - y);
  };
  return { rows: pick(), columns: pick(), whole: false };
}

/** The float64 reference for these rows and columns of C = A·B (all rows: the whole product). */
export function matmulReferenceSampled(a: Float32Array, b: Float32Array, n: number, random: () => number): MatmulReference {
  const { rows, columns, whole } = referenceIndices(n, random);
  const rowValues = whole ? matmulReference64(a, b, n) : new Float64Array(rows.length * n);
  if (!whole) {
    for (const [r, i] of rows.entries()) {
      const out = rowValues.subarray(r * n, (r + 1) * n);
      for (let k = 0; k < n; k++) {
        const aik = a[i * n + k]!;
        const bRow = k * n;
        for (let j = 0; j < n; j++) out[j] = out[j]! + aik * b[bRow + j]!;
      }
    }
  }
  const columnValues = new Float64Array(columns.length * n);
  const column = new Float64Array(n);
  for (const [c, j] of columns.entries()) {
    for (let k = 0; k < n; k++) column[k] = b[k * n + j]!;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      const aRow = i * n;
      for (let k = 0; k < n; k++) sum += a[aRow + k]! * column[k]!;
      columnValues[c * n + i] = sum;
    }
  }
  let largest = 0;
  for (const v of rowValues) largest = Math.max(largest, Math.abs(v));
  for (const v of columnValues) largest = Math.max(largest, Math.abs(v));
  return { n, rows, rowValues, columns, columnValues, largest, whole };
}

/**
 * Largest |C − C₆₄| over the checked elements, over the largest |C₆₄| among them; NaN when C has the wrong
 * length or any element of C (checked or not) is not finite.
 */
export function sampledRelativeError(c: ArrayLike<number>, reference: MatmulReference): number {
  const { n, rows, rowValues, columns, columnValues, largest } = reference;
  if (c.length !== n * n) return Number.NaN;
  for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i]!)) return Number.NaN;
  let maxError = 0;
  for (const [r, i] of rows.entries()) {
    for (let j = 0; j < n; j++) maxError = Math.max(maxError, Math.abs(c[i * n + j]! - rowValues[r * n + j]!));
  }
  for (const [k, j] of columns.entries()) {
    for (let i = 0; i < n; i++) maxError = Math.max(maxError, Math.abs(c[i * n + j]! - columnValues[k * n + i]!));
  }
  return largest > 0 ? maxError / largest : maxError;
}
