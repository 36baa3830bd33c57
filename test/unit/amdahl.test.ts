import { describe, expect, it } from 'vitest';
import { amdahlSpeedup, describeAmdahlFit, efficiency, fitAmdahl, karpFlatt, type SpeedupPoint } from '../../src/analysis/amdahl.ts';

const seed = (Math.random() * 2 ** 31) >>> 0;
function gaussian(random: () => number): number {
  // Box-Muller
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
function lcg(s: number): () => number {
  let state = s >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
}

describe(`Amdahl fit (seed ${seed})`, () => {
  it('the model: S(1) = 1, S(p) -> 1/f, perfect when f = 0', () => {
    expect(amdahlSpeedup(0.3, 1)).toBe(1);
    expect(amdahlSpeedup(0, 8)).toBe(8);
    expect(amdahlSpeedup(0.25, 1e9)).toBeCloseTo(4, 6);
    expect(karpFlatt(amdahlSpeedup(0.1, 4), 4)).toBeCloseTo(0.1, 12);
    expect(efficiency(3, 4)).toBe(0.75);
  });

  it.each([0.02, 0.1, 0.3, 0.6])('recovers serial fraction %f from noisy speedups', (trueF) => {
    const random = lcg(seed + Math.round(trueF * 1000));
    const points: SpeedupPoint[] = [1, 2, 3, 4, 6, 8, 12, 16].map((p) => {
      const exact = amdahlSpeedup(trueF, p);
      const relNoise = 0.02;
      return { workers: p, speedup: exact * (1 + relNoise * gaussian(random)), standardError: exact * relNoise };
    });
    const fit = fitAmdahl(points)!;
    expect(Math.abs(fit.serialFraction - trueF)).toBeLessThan(0.25 * trueF + 0.01);
    expect(fit.serialFractionCi95[0]).toBeLessThanOrEqual(fit.serialFraction);
    expect(fit.serialFractionCi95[1]).toBeGreaterThanOrEqual(fit.serialFraction);
    expect(fit.r2).not.toBeNull();
    expect(fit.r2!).toBeGreaterThan(0.9);
  });

  it('the 95% interval covers the true serial fraction in about 95% of noisy sweeps', () => {
    const random = lcg(seed ^ 0x5bd1e995);
    const trials = 300;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const trueF = 0.01 + random() * 0.5;
      const points = [1, 2, 4, 8].map((p) => {
        const exact = amdahlSpeedup(trueF, p);
        return { workers: p, speedup: exact * (1 + 0.03 * gaussian(random)), standardError: exact * 0.03 };
      });
      const fit = fitAmdahl(points)!;
      if (fit.serialFractionCi95[0] <= trueF && trueF <= fit.serialFractionCi95[1]) covered++;
    }
    // Binomial spread at 300 trials is about 1.3%: 85% would be a real defect, not bad luck.
    expect(covered / trials).toBeGreaterThan(0.85);
  });

  it('the interval narrows with more, tighter points', () => {
    const make = (ps: number[], noise: number) =>
      ps.map((p) => ({ workers: p, speedup: amdahlSpeedup(0.1, p), standardError: amdahlSpeedup(0.1, p) * noise }));
    const loose = fitAmdahl(make([1, 2], 0.05))!;
    const tight = fitAmdahl(make([1, 2, 4, 8, 16], 0.01))!;
    const width = (f: typeof loose) => f.serialFractionCi95[1] - f.serialFractionCi95[0];
    expect(width(tight)).toBeLessThan(width(loose));
  });

  it('refuses a sweep with no point past one worker, and reports a flat curve as flat', () => {
    expect(fitAmdahl([{ workers: 1, speedup: 1 }])).toBeUndefined();
    const flat = fitAmdahl([
      { workers: 1, speedup: 1, standardError: 0.01 },
      { workers: 2, speedup: 0.995, standardError: 0.01 },
      { workers: 4, speedup: 1.004, standardError: 0.01 },
    ])!;
    expect(flat.serialFraction).toBeGreaterThan(0.95);
    expect(flat.r2).toBeNull();
  });
});

describe('describeAmdahlFit', () => {
  const fit = { serialFraction: 0.1, serialFractionCi95: [0.05, 0.15] as [number, number], r2: 0.97, fittedWorkers: [1, 2, 4] };

  it('prints an informative fit with its interval and R²', () => {
    expect(describeAmdahlFit(fit)).toEqual({ informative: true, text: 'serial fraction 10.0% (95% CI 5.0%–15.0%, R² 0.970, on 1, 2, 4 lanes)' });
  });

  it.each([
    ['a fit worse than the mean', { ...fit, serialFraction: 1, serialFractionCi95: [0, 1] as [number, number], r2: -1 }, /^no fit: the points do not follow/],
    ['an interval spanning almost everything', { ...fit, serialFractionCi95: [0, 0.95] as [number, number] }, /^no fit: the points do not follow/],
    ['a flat curve', { ...fit, r2: null }, /^no fit: the speedups are flat within noise/],
    ['one lane count', { ...fit, fittedWorkers: [1] }, /^no fit: too few lane counts/],
  ])('says "no fit" for %s instead of printing numbers', (_, stored, text) => {
    const described = describeAmdahlFit(stored);
    expect(described.informative).toBe(false);
    expect(described.text).toMatch(text);
    expect(described.text).not.toMatch(/R²|%/);
  });
});
