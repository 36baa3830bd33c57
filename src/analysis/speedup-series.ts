/** Chart-ready series from an experiment's results: lane sweeps, size sweeps, ideal and Amdahl lines. */
import type { ExperimentResult, MeasuredResult } from '../results/schema.ts';
import { amdahlSpeedup, describeAmdahlFit } from './amdahl.ts';

export interface SpeedupMark {
  /** The sweep this point belongs to: backend, variant and size (see sweepLabel). */
  series: string;
  backend: string;
  workers: number;
  speedup: number;
  /** Speedup range implied by the two medians' 95% intervals (pessimistic end to optimistic end). */
  low: number;
  high: number;
  /** The configuration's own median and 95% interval, for the time-against-lanes view. */
  medianMs: number;
  ciLowMs: number;
  ciHighMs: number;
}

export interface CurvePoint {
  series: string;
  workers: number;
  speedup: number;
}

/** One point of a size sweep: how a backend fares as the problem grows. */
export interface SizeMark {
  series: string;
  size: number;
  medianMs: number;
  speedup?: number;
  gbPerSecond?: number;
  gflops?: number;
}

export function measuredResults(experiment: ExperimentResult): MeasuredResult[] {
  return experiment.results.filter((r): r is MeasuredResult => r.available && 'medianMs' in r);
}

/** "workers", "webgpu tiled", "shared-memory n=4096": how a sweep is named in legends and fits. */
export function sweepLabel(r: Pick<MeasuredResult, 'backend' | 'variant' | 'size'>, withSize = true): string {
  return [r.backend, r.variant, withSize && r.size !== undefined ? `n=${r.size}` : undefined].filter(Boolean).join(' ');
}

/** Serial medians by problem size: the reference every speedup is taken against. */
function serialBySize(experiment: ExperimentResult): Map<number | undefined, MeasuredResult> {
  const map = new Map<number | undefined, MeasuredResult>();
  for (const r of measuredResults(experiment)) if (r.backend === 'serial') map.set(r.size, r);
  return map;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** Speedups over serial for every lane sweep (same backend, variant and size at two or more lane counts). */
export function speedupMarks(experiment: ExperimentResult): SpeedupMark[] {
  const serial = serialBySize(experiment);
  const candidates = measuredResults(experiment).filter((r) => r.backend !== 'serial' && serial.has(r.size));
  const sweeps = [...groupBy(candidates, (r) => sweepLabel(r)).entries()].filter(([, g]) => new Set(g.map((r) => r.workers)).size > 1);
  return sweeps.flatMap(([series, group]) =>
    group.map((r) => {
      const s = serial.get(r.size)!;
      return {
        series,
        backend: r.backend,
        workers: r.workers,
        speedup: s.medianMs / r.medianMs,
        low: s.ci95Ms[0] / Math.max(r.ci95Ms[1], 1e-9),
        high: s.ci95Ms[1] / Math.max(r.ci95Ms[0], 1e-9),
        medianMs: r.medianMs,
        ciLowMs: r.ci95Ms[0],
        ciHighMs: r.ci95Ms[1],
      };
    }),
  );
}

/** The ideal line (speedup = workers) and each informative Amdahl fit, sampled densely for drawing. */
export function referenceCurves(experiment: ExperimentResult, maxWorkers: number): CurvePoint[] {
  const xs: number[] = [];
  for (let p = 1; p <= maxWorkers * 1.0001; p *= 2 ** 0.125) xs.push(p);
  const curves: CurvePoint[] = xs.map((p) => ({ series: 'ideal', workers: p, speedup: p }));
  for (const [key, fit] of Object.entries(experiment.amdahl)) {
    // A fit that says nothing is not drawn either: its curve would look like a finding.
    if (!describeAmdahlFit(fit).informative) continue;
    for (const p of xs) {
      curves.push({ series: `Amdahl fit (${key})`, workers: p, speedup: fit.oneLaneSpeedup * amdahlSpeedup(fit.serialFraction, p) });
    }
  }
  return curves;
}

/**
 * Size sweeps: for each backend, variant and lane count measured at two or more sizes, its time, speedup
 * and throughput per size. The crossover is where a series' speedup passes 1.
 */
export function sizeMarks(experiment: ExperimentResult): SizeMark[] {
  const serial = serialBySize(experiment);
  // Size 0 is a fixed-cost point beside a sweep (tiny-tasks' batch of empty tasks), not a size on its log axis.
  const sized = measuredResults(experiment).filter((r) => r.size !== undefined && r.size > 0);
  const label = (r: MeasuredResult) =>
    `${sweepLabel(r, false)}${r.backend === 'serial' || r.backend === 'webgpu' || r.backend === 'gpujs' ? '' : ` × ${r.workers}`}`;
  const groups = [...groupBy(sized, label).entries()].filter(([, g]) => new Set(g.map((r) => r.size)).size > 1);
  return groups.flatMap(([series, group]) =>
    group.map((r) => {
      const s = serial.get(r.size);
      return {
        series,
        size: r.size!,
        medianMs: r.medianMs,
        ...(s ? { speedup: s.medianMs / r.medianMs } : {}),
        ...(r.gbPerSecond !== undefined ? { gbPerSecond: r.gbPerSecond } : {}),
        ...(r.gflops !== undefined ? { gflops: r.gflops } : {}),
      };
    }),
  );
}

/**
 * The smallest size from which a series beats serial and stays ahead, interpolated on log scales between
 * the last losing and first winning sizes; null when it never wins, the smallest size when it always wins.
 */
export function crossoverSize(marks: readonly SizeMark[]): number | null {
  const points = marks.filter((m) => m.speedup !== undefined).sort((a, b) => a.size - b.size);
  let firstWin = -1;
  for (let i = points.length - 1; i >= 0 && points[i]!.speedup! > 1; i--) firstWin = i;
  if (firstWin < 0) return null;
  if (firstWin === 0) return points[0]!.size;
  const a = points[firstWin - 1]!;
  const b = points[firstWin]!;
  const t = (0 - Math.log(a.speedup!)) / (Math.log(b.speedup!) - Math.log(a.speedup!));
  return Math.exp(Math.log(a.size) + t * (Math.log(b.size) - Math.log(a.size)));
}

/**
 * The configuration whose timeline shows the most: the fastest parallel one at the largest size that has a
 * timeline (where overlap and overheads are plainest), rather than serial at the smallest size. Returns an
 * index into `configs`; 0 when none has a timeline.
 */
export function mostTellingConfiguration(configs: readonly MeasuredResult[]): number {
  const drawable = configs.map((c, i) => ({ c, i })).filter(({ c }) => c.timeline.length > 0);
  const parallel = drawable.filter(({ c }) => c.backend !== 'serial');
  const pool = parallel.length > 0 ? parallel : drawable;
  if (pool.length === 0) return 0;
  const sizes = pool.flatMap(({ c }) => (c.size !== undefined ? [c.size] : []));
  const largest = sizes.length > 0 ? Math.max(...sizes) : undefined;
  const atLargest = pool.filter(({ c }) => c.size === largest);
  return atLargest.reduce((a, b) => (b.c.medianMs < a.c.medianMs ? b : a)).i;
}
