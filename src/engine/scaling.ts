/** Speedups over serial and Amdahl fits, computed from an experiment's results once they are all in. */
import { fitAmdahl, type SpeedupPoint } from '../analysis/amdahl.ts';
import { sweepLabel } from '../analysis/speedup-series.ts';
import type { AmdahlFitRecord, BackendResult, MeasuredResult } from '../results/schema.ts';

export function isMeasured(r: BackendResult): r is MeasuredResult {
  return r.available && 'medianMs' in r;
}

/** Speedup of every measured configuration over the serial median at the same problem size, in the same run. */
export function addSpeedups(results: BackendResult[]): void {
  const serialBySize = new Map<number | undefined, MeasuredResult>();
  for (const r of results) if (isMeasured(r) && r.backend === 'serial') serialBySize.set(r.size, r);
  for (const r of results) {
    const serial = isMeasured(r) ? serialBySize.get(r.size) : undefined;
    if (serial && isMeasured(r) && r.medianMs > 0) r.speedup = Math.round((serial.medianMs / r.medianMs) * 1e4) / 1e4;
  }
}

/** Standard error of a median from its 95% interval, treating it as roughly normal. */
function standardErrorMs(r: MeasuredResult): number {
  return (r.ci95Ms[1] - r.ci95Ms[0]) / (2 * 1.96);
}

/**
 * Amdahl's law per strong-scaling sweep (same backend, variant and size, several lane counts), fitted on
 * lane counts up to the reported core count (past it the machine is oversubscribed, which Amdahl's model
 * does not describe). Speedups are relative to the sweep's own one-lane time, where Amdahl's S(1) = 1 holds;
 * the one-lane cost over serial (messaging, yielding) is kept apart as oneLaneSpeedup.
 */
export function fitSweeps(results: BackendResult[], hardwareConcurrency: number): Record<string, AmdahlFitRecord> {
  const serialBySize = new Map<number | undefined, MeasuredResult>();
  for (const r of results) if (isMeasured(r) && r.backend === 'serial') serialBySize.set(r.size, r);
  const sweeps = new Map<string, MeasuredResult[]>();
  for (const r of results) {
    if (!isMeasured(r) || r.backend === 'serial') continue;
    const key = sweepLabel(r);
    sweeps.set(key, [...(sweeps.get(key) ?? []), r]);
  }
  const fits: Record<string, AmdahlFitRecord> = {};
  for (const [key, unordered] of sweeps) {
    const sweep = unordered.toSorted((a, b) => a.workers - b.workers);
    const serial = serialBySize.get(sweep[0]!.size);
    const oneLane = sweep.find((r) => r.workers === 1);
    if (!serial || !oneLane || sweep.length < 2) continue;
    const baseRelError = standardErrorMs(oneLane) / oneLane.medianMs;
    const points: SpeedupPoint[] = sweep
      .filter((r) => r.workers <= hardwareConcurrency)
      .map((r) => {
        const speedup = oneLane.medianMs / r.medianMs;
        const relError = r === oneLane ? baseRelError : Math.hypot(baseRelError, standardErrorMs(r) / r.medianMs);
        return { workers: r.workers, speedup, standardError: speedup * relError };
      });
    const fit = fitAmdahl(points);
    if (fit) {
      fits[key] = {
        serialFraction: round4(fit.serialFraction),
        serialFractionCi95: [round4(fit.serialFractionCi95[0]), round4(fit.serialFractionCi95[1])],
        r2: fit.r2 === null ? null : round4(fit.r2),
        oneLaneSpeedup: round4(serial.medianMs / oneLane.medianMs),
        fittedWorkers: fit.fittedWorkers,
      };
    }
  }
  return fits;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
