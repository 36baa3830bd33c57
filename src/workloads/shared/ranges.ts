/** Splitting work into near-equal ranges, one per task or lane. */

/** A half-open range of integers [start, end). */
export interface IntRange {
  start: number;
  end: number;
}

/** Split [start, start + n) into `parts` near-equal ranges, the first ones one longer when it does not divide. */
export function splitRange(start: number, n: number, parts: number): IntRange[] {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  const ranges: IntRange[] = [];
  let cursor = start;
  for (let p = 0; p < parts; p++) {
    const length = base + (p < extra ? 1 : 0);
    ranges.push({ start: cursor, end: cursor + length });
    cursor += length;
  }
  return ranges;
}
