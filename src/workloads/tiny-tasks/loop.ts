/** The tiny task: the post's `count += i` loop, short enough that handing it to another thread may not pay. */

/**
 * The sum is kept modulo 2^29 and every loop index stays below 2^29, so `count + i` stays below 2^30: every
 * value is a small integer in every engine (V8's Smis are 31-bit). Wider values would let the JIT's type
 * feedback drift to doubles on some threads and not others, and the same task would run ten times slower
 * in one worker than on the page (seen in Chromium with a 32-bit wrap).
 */
const SUM_BITS = 29;
const SUM_MASK = 2 ** SUM_BITS - 1;

/** Largest random start of a task's range. */
export const MAX_START = 2 ** 27;

/** Most iterations one task may take: start + iterations stays below 2^29 (about 0.1 s on a fast core). */
export const MAX_ITERATIONS = 2 ** SUM_BITS - MAX_START - 1;

/**
 * Iterations per call of the inner loop. V8 optimises a loop that runs long in few calls by on-stack
 * replacement, and in Chromium that left the loop in a middle tier, 2.5-3 times slower, on some threads and not
 * others, run after run (one lane of two at a third of the other's speed, the page slower in one path than in
 * the next). A loop function called once per chunk is called thousands of times, so every thread compiles it
 * whole in its top tier; a call per 4,096 iterations (a few µs) costs nothing measurable.
 */
export const SUM_CHUNK = 4_096;

/** Sum of the integers in [start, end) modulo 2^29: `count += i`, kept exact without BigInt, whose cost would swamp a 1 µs task. */
export function sumRangeMod(start: number, end: number): number {
  // `| 0`: integers that arrive as doubles (a copied message, a Float64Array) run the same int32 loop.
  const last = end | 0;
  let count = 0;
  for (let from = start | 0; from < last; from += SUM_CHUNK) count = sumChunk(count, from, Math.min(from + SUM_CHUNK, last));
  return count;
}

/** The post's loop over one chunk, carrying the running count modulo 2^29. */
function sumChunk(count: number, from: number, to: number): number {
  for (let i = from; i < to; i++) count = (count + i) & SUM_MASK;
  return count;
}

/** Closed form of sumRangeMod, the reference every backend's answer is checked against. */
export function sumRangeModClosedForm(start: number, end: number): number {
  if (end <= start) return 0;
  const a = BigInt(start);
  const b = BigInt(end);
  return Number(BigInt.asUintN(SUM_BITS, ((a + b - 1n) * (b - a)) / 2n));
}

/** Loop iterations per microsecond from one timing. */
export function iterationsPerUsFrom(iterations: number, durationMs: number): number {
  if (!(durationMs > 0)) throw new RangeError(`A calibration timing must be positive (got ${durationMs} ms).`);
  return iterations / (durationMs * 1_000);
}

/** Iterations that take about `sizeUs` microseconds at `iterationsPerUs`: at least one, at most MAX_ITERATIONS. */
export function iterationsForUs(sizeUs: number, iterationsPerUs: number): number {
  const iterations = Math.max(1, Math.round(sizeUs * iterationsPerUs));
  if (iterations > MAX_ITERATIONS) {
    throw new RangeError(`A ${sizeUs} µs task needs ${iterations} iterations, more than ${MAX_ITERATIONS}: lower the task size.`);
  }
  return iterations;
}

/** Calibration results land here, a module-level write no compiler may drop, so the loops stay in. */
let sink = 0;

/** Calls of one chunk that warm the loop up (at least, and at most whatever the clock says), and the least and most time that takes (ms). */
const WARM_CALLS = 2_000;
const WARM_MAX_CALLS = 200_000;
const WARM_MIN_MS = 20;
const WARM_MAX_MS = 200;
/** Rounds of timing at most, and how close (a fraction) a round must come to the best so far to end them. */
const CALIBRATION_ROUNDS = 4;
const CALIBRATION_AGREEMENT = 0.05;

/**
 * Iterations per microsecond of sumRangeMod on this thread, once its JIT has reached its top tier: thousands
 * of chunk-long calls first (for at least WARM_MIN_MS, so the optimising compiler, which runs beside the page,
 * has finished), then the loop length is doubled until one call takes `targetMs` and the fastest of `repeats`
 * calls at that length counts (the fastest, because interruptions only ever add time). Rounds of that repeat
 * until one agrees with the best so far within 5%, and the best counts: a rate taken while the loop still ran
 * in a lower tier would make every task shorter than its label says.
 */
export function measureIterationsPerUs(targetMs = 10, repeats = 5, now: () => number = () => performance.now()): number {
  // Random starts, as the tasks draw them, so the calibration sees the values the tasks will.
  const timeOne = (iterations: number) => {
    const start = 1 + Math.floor(Math.random() * MAX_START);
    const t0 = now();
    sink ^= sumRangeMod(start, start + iterations);
    return now() - t0;
  };
  const warmStart = now();
  for (let calls = 0; ; calls++) {
    const elapsed = now() - warmStart;
    if ((calls >= WARM_CALLS && elapsed >= WARM_MIN_MS) || elapsed >= WARM_MAX_MS || calls >= WARM_MAX_CALLS) break;
    timeOne(SUM_CHUNK);
  }
  let best = 0;
  for (let round = 0; round < CALIBRATION_ROUNDS; round++) {
    let iterations = 1 << 12;
    while (timeOne(iterations) < targetMs && iterations < MAX_ITERATIONS / 2) iterations *= 2;
    let bestMs = Infinity;
    for (let r = 0; r < repeats; r++) bestMs = Math.min(bestMs, timeOne(iterations));
    const rate = iterationsPerUsFrom(iterations, Math.max(bestMs, 1e-3));
    const agrees = Math.abs(rate - best) <= CALIBRATION_AGREEMENT * Math.max(rate, best);
    best = Math.max(best, rate);
    if (agrees) break;
  }
  return best;
}

/** Mantissas of the sizes in each decade: 1-10, 1-3-10, or 1-2-5-10. */
const MANTISSAS: Record<number, readonly number[]> = { 1: [1], 2: [1, 3], 3: [1, 2, 5] };

/**
 * Task sizes (µs) from `minUs` to `maxUs`: round numbers, `perDecade` of them per decade, with both ends
 * always included.
 */
export function taskSizesUs(minUs: number, maxUs: number, perDecade: number): number[] {
  const lo = Math.min(minUs, maxUs);
  const hi = Math.max(minUs, maxUs);
  const mantissas = MANTISSAS[perDecade] ?? MANTISSAS[1]!;
  const sizes = new Set<number>([lo, hi]);
  for (let exponent = Math.floor(Math.log10(lo)); 10 ** exponent <= hi; exponent++) {
    for (const m of mantissas) {
      const size = Number((m * 10 ** exponent).toPrecision(6));
      if (size > lo && size < hi) sizes.add(size);
    }
  }
  return [...sizes].sort((a, b) => a - b);
}
