/** Summary statistics over raw timing samples. Samples are always kept; these are views of them. */

/** Running mean and variance by Welford's method: stable where the naive sum of squares cancels. */
export class RunningStats {
  private n = 0;
  private meanValue = 0;
  private m2 = 0;

  push(x: number): void {
    this.n += 1;
    const delta = x - this.meanValue;
    this.meanValue += delta / this.n;
    this.m2 += delta * (x - this.meanValue);
  }

  get count(): number {
    return this.n;
  }

  get mean(): number {
    return this.n > 0 ? this.meanValue : NaN;
  }

  /** Sample variance (n - 1 in the denominator). */
  get variance(): number {
    return this.n > 1 ? this.m2 / (this.n - 1) : NaN;
  }

  get standardDeviation(): number {
    return Math.sqrt(this.variance);
  }
}

/** Ascending copy; the caller's array keeps its order (samples are stored in the order taken). */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median of the samples; NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = sorted(values);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Linear-interpolated quantile, q in [0, 1] (type 7, as in R and NumPy's default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = sorted(values);
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** P(X <= k) for X ~ Binomial(n, 1/2), exact for the sample counts used here. */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let term = Math.pow(0.5, n); // C(n, 0) / 2^n
  let total = term;
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i;
    total += term;
  }
  return total;
}

/** A confidence interval with the coverage it actually achieves (order statistics give discrete levels). */
export interface Interval {
  low: number;
  high: number;
  coverage: number;
}

/**
 * Distribution-free confidence interval for the median from order statistics.
 * Timing samples are skewed (long right tail from preemption), so a t-interval on the mean would mislead.
 * The narrowest symmetric pair (x_(j), x_(n+1-j)) whose coverage reaches the level is returned;
 * with too few samples for that, the full range and its lower coverage.
 */
export function medianConfidenceInterval(values: readonly number[], level = 0.95): Interval {
  const n = values.length;
  if (n === 0) return { low: NaN, high: NaN, coverage: 0 };
  const s = sorted(values);
  if (n === 1) return { low: s[0]!, high: s[0]!, coverage: 0 };
  // Coverage of (x_(j), x_(n+1-j)) is 1 - 2 P(B <= j - 1), B ~ Bin(n, 1/2).
  let best = 1;
  for (let j = 1; j <= n >> 1; j++) {
    if (1 - 2 * binomialHalfCdf(j - 1, n) >= level) best = j;
    else break;
  }
  return { low: s[best - 1]!, high: s[n - best]!, coverage: 1 - 2 * binomialHalfCdf(best - 1, n) };
}

/** Median absolute deviation, a robust spread that one preempted sample cannot inflate. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/** Half an interval's width over its centre: ±0.03 means the value is known within 3% (unknown: Infinity). */
export function relativeHalfWidth(interval: { low: number; high: number }, centre: number): number {
  return centre > 0 ? (interval.high - interval.low) / 2 / centre : Infinity;
}

/** Rounds whose medians' range is a 95% interval of their own: 1 - 2^(1-k) reaches 96.9% at six. */
export const ROUNDS_FOR_95 = 6;

/**
 * Interval of a median measured over rounds, each a fresh set-up. Samples within a round share its set-up
 * (where its buffers landed in memory, which worker threads it got), so they are not independent draws: the
 * order-statistic interval of all samples pooled can claim ±1% while the rounds' medians read 31, 100 and
 * 63 ms. Each round's median then counts as one draw, and the range of k of them holds the median over
 * set-ups with probability 1 - 2^(1-k), distribution-free, as the samples' order statistics do within one
 * set-up. The interval is the wider of that range and the pooled one, and its coverage the rounds'.
 */
export function roundsConfidenceInterval(values: readonly number[], roundSizes: readonly number[]): Interval & { roundMedians: number[] } {
  const pooled = medianConfidenceInterval(values);
  const roundMedians: number[] = [];
  let start = 0;
  for (const size of roundSizes) {
    if (size > 0) roundMedians.push(median(values.slice(start, start + size)));
    start += size;
  }
  const k = roundMedians.length;
  if (k < 2 || start !== values.length) return { ...pooled, roundMedians };
  return {
    low: Math.min(pooled.low, ...roundMedians),
    high: Math.max(pooled.high, ...roundMedians),
    coverage: 1 - 2 ** (1 - k),
    roundMedians,
  };
}
