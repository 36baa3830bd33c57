/** The plain-language reading of an experiment, computed from its results: verdicts, warnings, usable cores. */
import type { ExperimentResult } from '../results/schema.ts';
import { busyWarning, plannedCoresNote, type MachineCores } from './machine-reading.ts';
import { estimatedUsableCores, sweepIsNoisy, sweepVerdict, type SweepPoint } from './scaling-metrics.ts';
import { crossoverSize, sizeMarks, speedupMarks } from './speedup-series.ts';

export interface ExperimentReading {
  verdicts: string[];
  warnings: string[];
  /** Usable cores measured by a CPU-bound worker sweep, to set beside the reported hardwareConcurrency. */
  usableCores?: number;
  /** Set when the busy-machine check found the machine busy: shown beside the speedups, which it understates. */
  busyWarning?: string;
}

/**
 * `machine` is what the busy-machine check recorded for the run, when it ran: a busy machine marks every
 * speedup verdict as understated, and fewer cores than reported are said where lane counts are read.
 */
export function readExperiment(
  experiment: ExperimentResult,
  reportedCores: number,
  sizeLabel = 'size',
  machine?: MachineCores,
): ExperimentReading {
  const verdicts: string[] = [];
  const warnings: string[] = [];
  const busy = machine ? busyWarning(machine) : undefined;
  if (busy) warnings.push(busy);
  const bySeries = new Map<string, SweepPoint[]>();
  for (const m of speedupMarks(experiment)) bySeries.set(m.series, [...(bySeries.get(m.series) ?? []), m]);
  const planned = machine && bySeries.size > 0 ? plannedCoresNote(machine) : undefined;
  if (planned) verdicts.push(planned);
  for (const [series, points] of bySeries) {
    const verdict = sweepVerdict(series, points, reportedCores);
    verdicts.push(busy ? `${verdict.slice(0, -1)} (understated: the machine was busy).` : verdict);
    if (sweepIsNoisy(points)) {
      warnings.push(`The ${series} curve is noisy: neighbouring points' intervals overlap; rerun on a quieter machine before trusting its shape.`);
    }
  }
  const sized = sizeMarks(experiment).filter((m) => !m.series.startsWith('serial'));
  for (const series of new Set(sized.map((m) => m.series))) {
    const size = crossoverSize(sized.filter((m) => m.series === series));
    verdicts.push(
      size === null
        ? `${series} never beat serial in the sizes measured.`
        : `${series} beats serial from ${sizeLabel} ≈ ${Math.round(size).toLocaleString('en')}.`,
    );
  }
  const saturatesAt = experiment.derived?.eventLoopSaturatesAt;
  if (typeof saturatesAt === 'number') {
    const cap = experiment.derived?.connectionsPerHost;
    verdicts.push(
      `Concurrent requests stop gaining from ${saturatesAt} in flight` +
        (typeof cap === 'number' ? `: over HTTP/1.1 the browser opens at most ${cap} connections per host, and the rest queue.` : '.'),
    );
  }
  const failed = experiment.results.filter((r) => r.available && 'error' in r).length;
  if (failed > 0) warnings.push(`${failed} configuration${failed === 1 ? '' : 's'} failed; see the table.`);
  const cpuWorkers = experiment.id === 'cpu-heavy' ? bySeries.get('workers') : undefined;
  const usableCores = cpuWorkers ? estimatedUsableCores(cpuWorkers) : undefined;
  return {
    verdicts,
    warnings,
    ...(usableCores !== undefined ? { usableCores } : {}),
    ...(busy ? { busyWarning: busy } : {}),
  };
}
