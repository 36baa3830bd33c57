/**
 * Several runs side by side (browsers, machines, days): rows matched by experiment, backend, lanes, size
 * and variant, each run's median, and its ratio to the first run's. Pure, so the compare view only draws.
 */
import type { EnvironmentReport, Results } from '../results/schema.ts';
import type { RunSummary } from '../results/history.ts';
import { speedupMarks, type SpeedupMark } from './speedup-series.ts';

/** One run's entry in a compared row. */
export type CompareCell =
  | {
      status: 'measured';
      medianMs: number;
      ci95Ms: [number, number];
      speedup?: number;
      /** This run's median over the first run's, for the same configuration: 2 means twice as long. */
      ratioToFirst?: number;
    }
  | { status: 'failed' | 'unavailable'; text: string }
  /** The run did not measure this configuration. */
  | { status: 'missing' };

/** One configuration of an experiment, across every run. */
export interface CompareRow {
  /** backend|workers|size|variant: what makes two results the same configuration. */
  key: string;
  backend: string;
  workers?: number;
  size?: number;
  variant?: string;
  /** One cell per run, in the runs' order. */
  cells: CompareCell[];
}

/** One experiment across every run; runs that lack it have only missing cells. */
export interface ExperimentComparison {
  id: string;
  title: string;
  rows: CompareRow[];
}

export interface RunComparison {
  /** A name per run, e.g. "Chromium 156 · 2 cores", unique within the comparison. */
  labels: string[];
  experiments: ExperimentComparison[];
}

/** "chromium" → "Chromium": the results store lower-case browser names. */
function displayBrowser(name: string): string {
  return name ? name[0]!.toUpperCase() + name.slice(1) : 'Unknown browser';
}

/** How a run is named in the compare view: browser, major version and reported cores. */
export function runLabel(environment: Pick<EnvironmentReport, 'browser' | 'hardwareConcurrency'>): string {
  const major = environment.browser.version.split('.')[0];
  const cores = environment.hardwareConcurrency;
  const browser = [displayBrowser(environment.browser.name), major && major !== 'unknown' ? major : undefined].filter(Boolean).join(' ');
  return `${browser} · ${cores} ${cores === 1 ? 'core' : 'cores'}`;
}

/** Labels for several runs; two runs of one browser on one machine are told apart by when they ran. */
export function runLabels(runs: readonly Pick<Results, 'environment' | 'createdAt'>[]): string[] {
  const base = runs.map((run) => runLabel(run.environment));
  const withTime = base.map((label, i) =>
    base.filter((other) => other === label).length > 1 ? `${label} · ${runs[i]!.createdAt.slice(0, 16).replace('T', ' ')}` : label,
  );
  return withTime.map((label, i) => (withTime.filter((other) => other === label).length > 1 ? `${label} (#${i + 1})` : label));
}

type AnyResult = Results['experiments'][number]['results'][number];

function configKey(r: Pick<AnyResult, 'backend' | 'workers' | 'size' | 'variant'>): string {
  return [r.backend, r.workers ?? '', r.size ?? '', r.variant ?? ''].join('|');
}

function cellOf(result: AnyResult | undefined): CompareCell {
  if (!result) return { status: 'missing' };
  if (!result.available) return { status: 'unavailable', text: result.reason };
  if (!result.verified) return { status: 'failed', text: result.error };
  return {
    status: 'measured',
    medianMs: result.medianMs,
    ci95Ms: [result.ci95Ms[0], result.ci95Ms[1]],
    ...(result.speedup !== undefined ? { speedup: result.speedup } : {}),
  };
}

/** Match every run's results by experiment and configuration, in the order they first appear. */
export function compareRuns(runs: readonly Results[]): RunComparison {
  const experimentIds: string[] = [];
  const titles = new Map<string, string>();
  for (const run of runs) {
    for (const experiment of run.experiments) {
      if (!titles.has(experiment.id)) {
        experimentIds.push(experiment.id);
        titles.set(experiment.id, experiment.title ?? experiment.id);
      }
    }
  }
  const experiments = experimentIds.map((id) => {
    // Per run, its results of this experiment by configuration; the first wins if a run repeats one.
    const byRun = runs.map((run) => {
      const map = new Map<string, AnyResult>();
      for (const r of run.experiments.find((e) => e.id === id)?.results ?? []) if (!map.has(configKey(r))) map.set(configKey(r), r);
      return map;
    });
    const rows = new Map<string, CompareRow>();
    for (const map of byRun) {
      for (const [key, r] of map) {
        if (rows.has(key)) continue;
        rows.set(key, {
          key,
          backend: r.backend,
          ...(r.workers !== undefined ? { workers: r.workers } : {}),
          ...(r.size !== undefined ? { size: r.size } : {}),
          ...(r.variant !== undefined ? { variant: r.variant } : {}),
          cells: [],
        });
      }
    }
    for (const row of rows.values()) {
      row.cells = byRun.map((map) => cellOf(map.get(row.key)));
      const first = row.cells[0];
      if (first?.status === 'measured' && first.medianMs > 0) {
        for (const cell of row.cells) if (cell.status === 'measured') cell.ratioToFirst = cell.medianMs / first.medianMs;
      }
    }
    return { id, title: titles.get(id)!, rows: [...rows.values()] };
  });
  return { labels: runLabels(runs), experiments };
}

/** Every run's lane-sweep speedups for one experiment, each series named "<run label>: <sweep>", to overlay. */
export function overlaidSpeedupMarks(runs: readonly Results[], experimentId: string, labels = runLabels(runs)): SpeedupMark[] {
  return runs.flatMap((run, i) => {
    const experiment = run.experiments.find((e) => e.id === experimentId);
    return experiment ? speedupMarks(experiment).map((m) => ({ ...m, series: `${labels[i]}: ${m.series}` })) : [];
  });
}

/**
 * The newest run of each named browser that finished at least one experiment, or undefined for a browser
 * with none: the pair behind "compare the latest Chromium run with the latest Firefox run".
 */
export function latestRunPerBrowser(summaries: readonly RunSummary[], browsers: readonly string[]): Array<RunSummary | undefined> {
  const newestFirst = [...summaries].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  return browsers.map((name) => newestFirst.find((s) => s.browser.name === name && s.experimentIds.length > 0));
}
