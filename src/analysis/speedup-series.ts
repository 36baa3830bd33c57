/** Chart-ready series from an experiment's results: measured speedups with error bars, ideal and Amdahl lines. */
import type { ExperimentResult, MeasuredResult } from '../results/schema.ts';
import { amdahlSpeedup } from './amdahl.ts';

export interface SpeedupMark {
  backend: string;
  workers: number;
  speedup: number;
  /** Speedup range implied by the two medians' 95% intervals (pessimistic end to optimistic end). */
  low: number;
  high: number;
}

export interface CurvePoint {
  series: string;
  workers: number;
  speedup: number;
}

export function measuredResults(experiment: ExperimentResult): MeasuredResult[] {
  return experiment.results.filter((r): r is MeasuredResult => r.available && 'medianMs' in r);
}

/** Speedups over serial for every measured configuration except serial itself. */
export function speedupMarks(experiment: ExperimentResult): SpeedupMark[] {
  const measured = measuredResults(experiment);
  const serial = measured.find((r) => r.backend === 'serial');
  if (!serial) return [];
  return measured
    .filter((r) => r.backend !== 'serial')
    .map((r) => ({
      backend: r.backend,
      workers: r.workers,
      speedup: serial.medianMs / r.medianMs,
      low: serial.ci95Ms[0] / Math.max(r.ci95Ms[1], 1e-9),
      high: serial.ci95Ms[1] / Math.max(r.ci95Ms[0], 1e-9),
    }));
}

/** The ideal line (speedup = workers) and each fitted Amdahl curve, sampled densely for drawing. */
export function referenceCurves(experiment: ExperimentResult, maxWorkers: number): CurvePoint[] {
  const xs: number[] = [];
  for (let p = 1; p <= maxWorkers * 1.0001; p *= 2 ** 0.125) xs.push(p);
  const curves: CurvePoint[] = xs.map((p) => ({ series: 'ideal', workers: p, speedup: p }));
  for (const [backend, fit] of Object.entries(experiment.amdahl)) {
    for (const p of xs) {
      curves.push({
        series: `Amdahl fit (${backend})`,
        workers: p,
        speedup: fit.oneLaneSpeedup * amdahlSpeedup(fit.serialFraction, p),
      });
    }
  }
  return curves;
}
