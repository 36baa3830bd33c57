import { describe, expect, it } from 'vitest';
import {
  binomialHalfCdf,
  median,
  medianAbsoluteDeviation,
  medianConfidenceInterval,
  quantile,
  roundsConfidenceInterval,
  ROUNDS_FOR_95,
  RunningStats,
} from '../../src/measure/stats.ts';

/** A seeded generator so a failure can be replayed; the seed itself is fresh each run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = (Math.random() * 2 ** 32) >>> 0;

describe(`statistics (seed ${seed})`, () => {
  it('Welford matches the two-pass mean and variance, even on a large offset where naive sums cancel', () => {
    const random = mulberry32(seed);
    const values = Array.from({ length: 1000 }, () => 1e9 + random());
    const stats = new RunningStats();
    values.forEach((v) => stats.push(v));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
    expect(stats.count).toBe(1000);
    expect(Math.abs(stats.mean - mean)).toBeLessThan(1e-5);
    expect(stats.variance / variance).toBeCloseTo(1, 6);
    expect(variance).toBeGreaterThan(0.07); // uniform(0,1) has variance 1/12
  });

  it('median and quantiles of odd and even lengths, order of input kept', () => {
    const values = [5, 1, 4, 2, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 4, 2, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([10, 20], 0.5)).toBe(15);
    expect(median([])).toBeNaN();
  });

  it('binomial CDF at p = 1/2 sums to known values', () => {
    expect(binomialHalfCdf(0, 5)).toBeCloseTo(1 / 32, 12);
    expect(binomialHalfCdf(2, 5)).toBeCloseTo(0.5, 12);
    expect(binomialHalfCdf(5, 5)).toBe(1);
    expect(binomialHalfCdf(-1, 5)).toBe(0);
  });

  it.each([5, 7, 9, 15, 41])('median interval of %i samples reaches 95% when it can and contains the median', (n) => {
    const random = mulberry32(seed + n);
    const values = Array.from({ length: n }, () => 10 + random() * 5);
    const ci = medianConfidenceInterval(values);
    const m = median(values);
    expect(ci.low).toBeLessThanOrEqual(m);
    expect(ci.high).toBeGreaterThanOrEqual(m);
    // Five samples cannot reach 95% (the full range covers 93.75%); seven and more can.
    if (n === 5) expect(ci.coverage).toBeCloseTo(1 - 2 / 32, 12);
    else expect(ci.coverage).toBeGreaterThanOrEqual(0.95);
  });

  it('the median interval covers the true median about 95% of the time', () => {
    const random = mulberry32(seed ^ 0x9e3779b9);
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      // Exponential samples: skewed like timings, true median ln 2.
      const values = Array.from({ length: 15 }, () => -Math.log(1 - random()));
      const ci = medianConfidenceInterval(values);
      if (ci.low <= Math.LN2 && Math.LN2 <= ci.high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.995);
  });

  it('rounds that disagree widen the interval to hold every round\'s median; rounds that agree barely move it', () => {
    const random = mulberry32(seed ^ 0x85ebca6b);
    // Three rounds of a configuration whose set-up decides its speed: each round's samples sit tightly around
    // its own level (±1% noise), the levels far apart, as a buffer's placement in memory makes them.
    const levels = [20 + 30 * random(), 60 + 30 * random(), 120 + 30 * random()];
    const noisy = (level: number) => level * (1 + 0.01 * (random() * 2 - 1));
    const sizes = [10 + Math.floor(random() * 10), 10 + Math.floor(random() * 10), 10 + Math.floor(random() * 10)];
    const values = sizes.flatMap((size, r) => Array.from({ length: size }, () => noisy(levels[r]!)));
    const pooled = medianConfidenceInterval(values);
    const rounds = roundsConfidenceInterval(values, sizes);
    expect(rounds.roundMedians).toHaveLength(3);
    rounds.roundMedians.forEach((m, r) => expect(Math.abs(m / levels[r]! - 1)).toBeLessThan(0.011));
    expect(rounds.low).toBe(Math.min(pooled.low, ...rounds.roundMedians));
    expect(rounds.high).toBe(Math.max(pooled.high, ...rounds.roundMedians));
    expect(rounds.high - rounds.low).toBeGreaterThan(levels[2]! * 0.98 - levels[0]! * 1.02);
    expect(rounds.coverage).toBe(0.75);

    // The same samples from one set-up (every round at one level): about as wide as the pooled interval.
    const level = 50 + 50 * random();
    const agreeing = sizes.flatMap((size) => Array.from({ length: size }, () => noisy(level)));
    const agreed = roundsConfidenceInterval(agreeing, sizes);
    expect((agreed.high - agreed.low) / level).toBeLessThan(0.03);
  });

  it('over six rounds the interval holds the median over set-ups at least 95% of the time', () => {
    const random = mulberry32(seed ^ 0x27d4eb2f);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    let covered = 0;
    let pooledCovered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      // Set-ups spread their speed log-normally around 10 ms (the median over set-ups); samples add a skewed
      // tail within each. Rounds take 2 to 5 samples, as a long configuration's do.
      const sizes = Array.from({ length: ROUNDS_FOR_95 }, () => 2 + Math.floor(random() * 4));
      const values = sizes.flatMap((size) => {
        const level = 10 * Math.exp(0.3 * normal());
        return Array.from({ length: size }, () => level * (1 + 0.02 * -Math.log(1 - random())));
      });
      const ci = roundsConfidenceInterval(values, sizes);
      const pooled = medianConfidenceInterval(values);
      // The level's median is 10; the samples' tail moves a round's median up by 2% × ln 2 at most, on average.
      if (ci.low <= 10 * 1.014 && 10 <= ci.high) covered++;
      if (pooled.low <= 10 * 1.014 && 10 <= pooled.high) pooledCovered++;
      expect(ci.coverage).toBeCloseTo(1 - 2 ** (1 - ROUNDS_FOR_95), 12);
    }
    expect(covered / trials).toBeGreaterThan(0.94);
    // Pooling the samples as if independent claims 95% and falls well short.
    expect(pooledCovered / trials).toBeLessThan(0.9);
  });

  it('one round, or sizes that do not add up to the samples, keep the pooled interval', () => {
    const random = mulberry32(seed ^ 0xc2b2ae35);
    const values = Array.from({ length: 20 }, (_, i) => (i < 10 ? 10 : 40) * (1 + random() / 100));
    const pooled = medianConfidenceInterval(values);
    for (const sizes of [[20], [5, 5, 5], [10, 5, 6]]) {
      const ci = roundsConfidenceInterval(values, sizes);
      expect([ci.low, ci.high, ci.coverage]).toEqual([pooled.low, pooled.high, pooled.coverage]);
    }
  });

  it('MAD ignores one outlier', () => {
    expect(medianAbsoluteDeviation([10, 11, 9, 10, 1000])).toBe(1);
  });
});
