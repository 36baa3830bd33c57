/** Amdahl's law fitted to a strong-scaling sweep, and the per-point metrics that go with it. */
import { median } from '../measure/stats.ts';
import type { AmdahlFitRecord } from '../results/schema.ts';

/** One measured point: speedup over serial at a worker count, with its standard error when known. */
export interface SpeedupPoint {
  workers: number;
  speedup: number;
  standardError?: number;
}

export interface AmdahlFit {
  /** The fraction of the work that does not parallelise, f in S(p) = 1 / (f + (1 - f) / p). */
  serialFraction: number;
  serialFractionCi95: [number, number];
  /** Coefficient of determination of the fitted speedups; null when they vary no more than their noise. */
  r2: number | null;
  fittedWorkers: number[];
}

/** Amdahl's predicted speedup on p workers for serial fraction f. */
export function amdahlSpeedup(serialFraction: number, workers: number): number {
  return 1 / (serialFraction + (1 - serialFraction) / workers);
}

/** Karp-Flatt metric: the serial fraction implied by one measured point; growing with p means overhead grows. */
export function karpFlatt(speedup: number, workers: number): number {
  if (workers <= 1) return NaN;
  return (1 / speedup - 1 / workers) / (1 - 1 / workers);
}

/** Parallel efficiency: speedup per worker, 1 for perfect scaling. */
export function efficiency(speedup: number, workers: number): number {
  return speedup / workers;
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function studentT975(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return Infinity;
  return T975[Math.floor(degreesOfFreedom) - 1] ?? 1.96;
}

/**
 * Weighted least squares on the speedups themselves (not on times), so the fit is judged where it is drawn.
 * One parameter on [0, 1]: a dense grid finds the basin, golden-section search polishes it.
 * The interval comes from the curvature (Gauss-Newton standard error) scaled by the residual spread.
 * Returns undefined when no point has more than one worker: with one, every f fits.
 */
export function fitAmdahl(points: readonly SpeedupPoint[]): AmdahlFit | undefined {
  const usable = points.filter((p) => p.workers >= 1 && Number.isFinite(p.speedup) && p.speedup > 0);
  if (!usable.some((p) => p.workers > 1)) return undefined;

  // Weights from the spread; a floor keeps one suspiciously tight point from owning the fit.
  const errors = usable.map((p) => p.standardError ?? NaN).filter((e) => Number.isFinite(e) && e > 0);
  const floor = errors.length > 0 ? Math.max(1e-3, 0.25 * median(errors)) : 1;
  const weights = usable.map((p) => {
    const e = p.standardError;
    return e !== undefined && Number.isFinite(e) && e > 0 ? 1 / Math.max(e, floor) ** 2 : 1 / floor ** 2;
  });

  const sse = (f: number) =>
    usable.reduce((sum, p, i) => sum + weights[i]! * (p.speedup - amdahlSpeedup(f, p.workers)) ** 2, 0);

  const gridSize = 1000;
  let best = 0;
  for (let k = 1; k <= gridSize; k++) if (sse(k / gridSize) < sse(best / gridSize)) best = k;
  let lo = Math.max(0, (best - 1) / gridSize);
  let hi = Math.min(1, (best + 1) / gridSize);
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let iter = 0; iter < 60; iter++) {
    const a = hi - phi * (hi - lo);
    const b = lo + phi * (hi - lo);
    if (sse(a) <= sse(b)) hi = b;
    else lo = a;
  }
  const f = (lo + hi) / 2;

  // dS/df = -(1 - 1/p) / (f + (1 - f)/p)^2
  const information = usable.reduce((sum, p, i) => {
    const denominator = f + (1 - f) / p.workers;
    const slope = -(1 - 1 / p.workers) / denominator ** 2;
    return sum + weights[i]! * slope * slope;
  }, 0);
  const dof = usable.length - 1;
  const residualScale = dof > 0 ? Math.max(1, sse(f) / dof) : 1;
  const standardError = information > 0 ? Math.sqrt(residualScale / information) : Infinity;
  const halfWidth = studentT975(Math.max(1, dof)) * standardError;

  const mean = usable.reduce((s, p) => s + p.speedup, 0) / usable.length;
  const total = usable.reduce((s, p) => s + (p.speedup - mean) ** 2, 0);
  const residual = usable.reduce((s, p) => s + (p.speedup - amdahlSpeedup(f, p.workers)) ** 2, 0);
  // R² compares the fit with a flat line; when the points are flat within their own noise it means nothing.
  const noise = usable.reduce((s, p) => s + (p.standardError ?? 0) ** 2, 0);
  const r2 = total > noise && total > 1e-12 ? 1 - residual / total : null;

  return {
    serialFraction: f,
    serialFractionCi95: [Math.max(0, f - halfWidth), Math.min(1, f + halfWidth)],
    r2,
    fittedWorkers: usable.map((p) => p.workers),
  };
}

/** The fields of a stored fit that its description reads. */
type StoredFit = Pick<AmdahlFitRecord, 'serialFraction' | 'serialFractionCi95' | 'r2' | 'fittedWorkers'>;

/**
 * A fit in words a reader can use, or why there is none: with fewer than three lane counts, a flat curve, a
 * fit worse than the mean (R² < 0) or an interval spanning nearly all of 0–100%, the serial fraction says
 * nothing, and printing it ("100.0%, 95% CI 0.0–100.0%, R² −1.000") would suggest it does.
 */
export function describeAmdahlFit(fit: StoredFit): { informative: boolean; text: string } {
  const lanes = `on ${fit.fittedWorkers.join(', ')} lanes`;
  const [low, high] = fit.serialFractionCi95;
  if (fit.fittedWorkers.length < 2) return { informative: false, text: `no fit: too few lane counts (${lanes})` };
  if (fit.r2 === null) return { informative: false, text: `no fit: the speedups are flat within noise (${lanes})` };
  if (fit.r2 < 0 || high - low >= 0.9) {
    return { informative: false, text: `no fit: the points do not follow Amdahl's law closely enough to estimate a serial fraction (${lanes})` };
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return {
    informative: true,
    text: `serial fraction ${pct(fit.serialFraction)} (95% CI ${pct(Math.max(0, low))}–${pct(Math.min(1, high))}, R² ${fit.r2.toFixed(3)}, ${lanes})`,
  };
}
