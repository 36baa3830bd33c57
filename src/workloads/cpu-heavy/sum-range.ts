/** The post's CPU-heavy loop, `count += i`, made exact for any range. */
import type { IntRange } from '../shared/ranges.ts';

/**
 * Largest chunk whose running double sum stays an exact integer: chunk * maxValue must stay below 2^53.
 * Values stay below 2^31 (see meta limits), so 2^22 terms sum to at most 2^53 - 2^22.
 */
const EXACT_CHUNK = 1 << 22;

/**
 * Iterations per call of the hot loop. A loop that runs long in few calls is compiled by on-stack
 * replacement, and SpiderMonkey later recompiles it into code that runs it 1.5-2x slower, at a moment that
 * differs from thread to thread (a worker ran 8-million-iteration tasks in 7 ms, then in 13 ms for good):
 * the page and the workers then ran the same loop at different speeds, and Firefox's speedups read anywhere
 * from 0.9x to 2.9x on two cores. A function called thousands of times is compiled whole, the same way on
 * every thread: 11 ms in Firefox on the page and in every worker, 6.6 ms in Chromium as before (where calls
 * of 65,536 iterations still left some lanes at 9.3 ms, in V8's middle tier).
 */
const CALL_CHUNK = 1 << 12;

/** `count += i` over [from, to); -0 is a double, so the sum is the double it soon becomes from its first add. */
function sumChunk(from: number, to: number): number {
  let count = -0;
  for (let i = from; i < to; i++) count += i;
  return count;
}

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
    for (let from = chunkStart; from < chunkEnd; from += CALL_CHUNK) count += sumChunk(from, Math.min(chunkEnd, from + CALL_CHUNK));
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
