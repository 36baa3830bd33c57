/** Per-point scaling metrics and the plain-language reading of a sweep, in the spirit of the post's conclusions. */
import type { AmdahlFitRecord } from '../results/schema.ts';
import { efficiency, karpFlatt } from './amdahl.ts';

/** A measured point of a lane sweep: speedup over serial and its interval. */
export interface SweepPoint {
  workers: number;
  speedup: number;
  low: number;
  high: number;
}

export interface PointMetrics extends SweepPoint {
  efficiency: number;
  /** Karp-Flatt experimentally determined serial fraction; NaN at one worker. */
  karpFlatt: number;
  /** Gustafson's scaled speedup at this lane count, from the fitted serial fraction. */
  gustafson?: number;
}

/**
 * Gustafson's scaled speedup p + (1 - p) s: what p lanes would gain if the problem grew with them while the
 * serial part's share s stayed fixed (weak scaling), taking s as the fitted serial fraction. Set beside
 * Amdahl's fixed-size curve it shows why bigger problems parallelise better.
 */
export function gustafsonSpeedup(serialFraction: number, workers: number): number {
  return workers + (1 - workers) * serialFraction;
}

/** Efficiency, Karp-Flatt and (with a fit) Gustafson for every point of a sweep. */
export function pointMetrics(points: readonly SweepPoint[], fit?: AmdahlFitRecord): PointMetrics[] {
  return [...points]
    .sort((a, b) => a.workers - b.workers)
    .map((p) => ({
      ...p,
      efficiency: efficiency(p.speedup, p.workers),
      karpFlatt: karpFlatt(p.speedup, p.workers),
      ...(fit ? { gustafson: gustafsonSpeedup(fit.serialFraction, p.workers) } : {}),
    }));
}

/**
 * The lane count beyond which adding lanes stops helping: the smallest count whose interval overlaps the
 * best point's interval (so no later point is clearly better). Noise decides "clearly", not a threshold.
 */
export function effectiveParallelism(points: readonly SweepPoint[]): number | undefined {
  if (points.length === 0) return undefined;
  const sorted = [...points].sort((a, b) => a.workers - b.workers);
  const best = sorted.reduce((a, b) => (b.speedup > a.speedup ? b : a));
  return sorted.find((p) => p.high >= best.low)?.workers;
}

/**
 * Usable cores estimated from a CPU-bound sweep: the best speedup relative to one lane, rounded.
 * Browsers may clamp or fuzz navigator.hardwareConcurrency; this is what the work actually got.
 */
export function estimatedUsableCores(points: readonly SweepPoint[]): number | undefined {
  const one = points.find((p) => p.workers === 1);
  if (!one || points.length < 2) return undefined;
  const best = Math.max(...points.map((p) => p.speedup / one.speedup));
  return Math.max(1, Math.round(best));
}

/** Whether neighbouring points of a sweep are told apart by their intervals; true means the curve is noise. */
export function sweepIsNoisy(points: readonly SweepPoint[]): boolean {
  const sorted = [...points].sort((a, b) => a.workers - b.workers);
  if (sorted.length < 3) return false;
  let overlapping = 0;
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    const overlap = Math.min(a.high, b.high) - Math.max(a.low, b.low);
    const width = Math.max(a.high - a.low, b.high - b.low, 1e-12);
    if (overlap / width > 0.5 && Math.abs(a.speedup - b.speedup) > 0.15 * Math.max(a.speedup, b.speedup)) overlapping++;
  }
  return overlapping / (sorted.length - 1) > 0.5;
}

/** One sentence reading a lane sweep, as the post would put it. */
export function sweepVerdict(label: string, points: readonly SweepPoint[], reportedCores: number): string {
  const sorted = [...points].sort((a, b) => a.workers - b.workers);
  if (sorted.length === 0) return `${label}: nothing measured.`;
  const best = sorted.reduce((a, b) => (b.speedup > a.speedup ? b : a));
  const last = sorted[sorted.length - 1]!;
  if (best.high < 1) {
    return `${label} lost to serial at every lane count (best ${best.speedup.toFixed(2)}× at ${best.workers}): the overhead of parallelism outweighs the work.`;
  }
  if (best.low <= 1.1 && sorted.every((p) => p.speedup < 1.15)) {
    return `${label} gave no speedup (best ${best.speedup.toFixed(2)}×): the lanes take turns on one thread, as threads under the GIL do on computation.`;
  }
  const parts = [`${label} won: ${best.speedup.toFixed(2)}× at ${best.workers} lane${best.workers === 1 ? '' : 's'}`];
  if (last.workers > best.workers && last.high < best.low) {
    parts.push(`beyond ${best.workers} the time grows: oversubscription`);
  } else if (last.workers > reportedCores && best.workers <= reportedCores) {
    parts.push(`more lanes than the ${reportedCores} reported cores bring nothing`);
  }
  return `${parts.join('; ')}.`;
}
