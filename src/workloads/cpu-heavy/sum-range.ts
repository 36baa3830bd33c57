/** The post's CPU-heavy loop, `count += i`, made exact for any range. */
import type { IntRange } from '../shared/ranges.ts';

/**
 * Largest chunk whose running double sum stays an exact integer: chunk * maxValue must stay below 2^53.
 * Values stay below 2^31 (see meta limits), so 2^22 terms sum to at most 2^53 - 2^22.
 */
const EXACT_CHUNK = 1 << 22;

/**
 * Sum of the integers in [start, end), counted one by one as in the post.
 * The hot loop adds into a double (as V8 and SpiderMonkey would for `count += i`); each chunk's
 * double is exact, and chunks are carried into a BigInt, so totals past 2^53 stay exact.
 */
export function sumRange({ start, end }: IntRange): bigint {
  let total = 0n;
  for (let chunkStart = start; chunkStart < end; chunkStart += EXACT_CHUNK) {
    const chunkEnd = Math.min(end, chunkStart + EXACT_CHUNK);
    let count = 0;
    for (let i = chunkStart; i < chunkEnd; i++) count += i;
    total += BigInt(count);
  }
  return total;
}

/** Closed form of the same sum, the reference every backend's answer is checked against. */
export function sumRangeClosedForm({ start, end }: IntRange): bigint {
  if (end <= start) return 0n;
  const a = BigInt(start);
  const b = BigInt(end);
  return ((a + b - 1n) * (b - a)) / 2n;
}
