/**
 * The run at a glance: for each experiment the post's question, the lab's answer in one line with its key
 * figure, and whether the 95% intervals settle it. What the summary shows and "Copy as Markdown" copies.
 */
import type { EnvironmentReport, ExperimentResult, MeasuredResult } from '../results/schema.ts';
import { breakEvenBoundUs } from './break-even-figure.ts';
import { usableCoresFigures } from './machine-reading.ts';
import { measuredResults, sizeMarks, speedupMarks, sweepLabel } from './speedup-series.ts';

/** A speedup over serial with the range the two medians' 95% intervals allow. */
export interface IntervalSpeedup {
  speedup: number;
  low: number;
  high: number;
}

/** What kind of figure a line leads with: the Markdown table and the tests read it. */
export type FigureKind = 'speedup' | 'throughput' | 'break-even' | 'none';

/** One experiment's line of the summary. */
export interface SummaryLine {
  experimentId: string;
  title: string;
  /** The question of the post this experiment answers. */
  question: string;
  /** The lab's answer in one sentence, with its key figure and what else bounds it. */
  answer: string;
  figureKind: FigureKind;
  /** The key figure as a number (a speedup, GB/s or µs), null when the run holds none. */
  figureValue: number | null;
  /** The key figure printed, e.g. "1.95×", "12.3 GB/s", "120 µs". */
  figureText: string;
  /** True when the 95% intervals settle the answer, false when noise could turn it around. */
  settled: boolean;
  /** Why it is or is not settled, in words. */
  settledNote: string;
  /** Said when the winner's lead over the runner-up is within noise: two runs could name either. */
  tieNote?: string;
}

/** The summary of a whole run: the machine, then one line per experiment. */
export interface RunSummary {
  browser: string;
  reportedCores: number;
  /** Measured usable cores, e.g. "1.97 before the run, 1.95 after"; undefined when no check ran. */
  usableCores?: string;
  lines: SummaryLine[];
}

/** Questions of the post, by experiment id: what a reader came to learn from each. */
export const POST_QUESTIONS: Readonly<Record<string, string>> = {
  'cpu-heavy': 'Do more cores speed up a CPU-bound loop?',
  'io-heavy': 'Does concurrency speed up writing files?',
  'api-calls': 'Do concurrent requests beat one at a time?',
  'array-add': 'Is adding two arrays worth splitting across cores or the GPU?',
  'dot-product': 'Does a matrix product gain from more cores or the GPU?',
  'tiny-tasks': 'How big must a task be before handing it to another thread pays?',
  'data-transfer': 'What is the fastest way to hand data to a worker?',
};

const times = (x: number) => `${x.toFixed(2)}×`;
const whole = (x: number) => Math.round(x).toLocaleString('en');

/** The speedup of `candidate` over `serial` with the range their medians' intervals allow. */
export function intervalSpeedup(candidate: MeasuredResult, serial: MeasuredResult): IntervalSpeedup {
  return {
    speedup: serial.medianMs / candidate.medianMs,
    low: serial.ci95Ms[0] / Math.max(candidate.ci95Ms[1], 1e-9),
    high: serial.ci95Ms[1] / Math.max(candidate.ci95Ms[0], 1e-9),
  };
}

/** Whether a speedup is settled: its interval lies wholly above or wholly below 1. */
export function speedupSettled(s: IntervalSpeedup): boolean {
  return s.low > 1 || s.high < 1;
}

/** "workers × 2", "webgpu tiled", "shared-memory × 4": a configuration as the summary names it. */
export function configurationName(r: Pick<MeasuredResult, 'backend' | 'variant' | 'workers'>): string {
  const single = r.backend === 'serial' || r.backend === 'webgpu' || r.backend === 'gpujs';
  return `${sweepLabel({ backend: r.backend, variant: r.variant }, false)}${single ? '' : ` × ${r.workers}`}`;
}

interface Point {
  result: MeasuredResult;
  serial: MeasuredResult;
  s: IntervalSpeedup;
}

/** Every non-serial result with a serial reference at its size, with its speedup. */
function pointsOf(experiment: ExperimentResult): Point[] {
  const measured = measuredResults(experiment);
  const serial = new Map<number | undefined, MeasuredResult>();
  for (const r of measured) if (r.backend === 'serial') serial.set(r.size, r);
  return measured.flatMap((r) => {
    const s = serial.get(r.size);
    return r.backend !== 'serial' && s && r.medianMs > 0 ? [{ result: r, serial: s, s: intervalSpeedup(r, s) }] : [];
  });
}

/** The points at the largest size any candidate shares with serial: where sweeps are compared. */
function atLargestSize(points: Point[]): { points: Point[]; size?: number } {
  const sizes = points.flatMap((p) => (p.result.size !== undefined ? [p.result.size] : []));
  if (sizes.length === 0) return { points };
  const size = Math.max(...sizes);
  return { points: points.filter((p) => p.result.size === size), size };
}

const best = <T>(items: T[], score: (t: T) => number): T | undefined =>
  items.reduce<T | undefined>((a, b) => (a === undefined || score(b) > score(a) ? b : a), undefined);

/** The best configuration of another backend (or variant), and whether the winner's lead over it is within noise. */
function runnerUp(points: Point[], winner: Point): { point: Point; withinNoise: boolean } | undefined {
  const family = (p: Point) => sweepLabel(p.result, false);
  const other = best(
    points.filter((p) => family(p) !== family(winner)),
    (p) => p.s.speedup,
  );
  if (!other) return undefined;
  // Same serial reference: compare the two candidates' intervals directly.
  const withinNoise = other.result.ci95Ms[0] <= winner.result.ci95Ms[1];
  return { point: other, withinNoise };
}

/** The lane count from which the winner's sweep stops gaining beyond noise: its fewest lanes within noise of the best. */
function gainsStopAt(points: Point[], winner: Point): number {
  const sweep = points.filter((p) => sweepLabel(p.result, false) === sweepLabel(winner.result, false) && p.result.size === winner.result.size);
  const within = sweep.filter((p) => p.s.high >= winner.s.low).map((p) => p.result.workers);
  return Math.min(winner.result.workers, ...within);
}

function settledWords(s: IntervalSpeedup): string {
  const range = `95% interval ${times(s.low)}–${times(s.high)}`;
  if (s.low > 1) return `settled: ${range}, wholly above 1`;
  if (s.high < 1) return `settled: ${range}, wholly below 1`;
  return `not settled: ${range} includes 1`;
}

function tieWords(winner: Point, other: { point: Point; withinNoise: boolean } | undefined): string | undefined {
  if (!other?.withinNoise) return undefined;
  return `${configurationName(winner.result)} and ${configurationName(other.point.result)} are within noise of each other: another run could rank them the other way.`;
}

/** A line that leads with the best speedup over serial: lane sweeps and size sweeps alike. */
function speedupLine(experiment: ExperimentResult, base: Pick<SummaryLine, 'experimentId' | 'title' | 'question'>, sizeLabel?: string): SummaryLine {
  const all = pointsOf(experiment);
  const { points, size } = atLargestSize(all);
  const winner = best(points, (p) => p.s.speedup);
  if (!winner) return emptyLine(base, 'No configuration was measured against a verified serial reference.');
  const where = size !== undefined ? ` at ${sizeLabel ?? 'size'} ${whole(size)}` : '';
  const name = configurationName(winner.result);
  const parts: string[] = [];
  if (winner.s.speedup > 1) parts.push(`Fastest${where}: ${name}, ${times(winner.s.speedup)} serial`);
  else parts.push(`Nothing beats serial${where}; the best, ${name}, runs at ${times(winner.s.speedup)}`);
  if (size === undefined && winner.result.workers > 1) {
    const stop = gainsStopAt(points, winner);
    if (stop < winner.result.workers) parts.push(`gains stop at ${stop} ${stop === 1 ? 'lane' : 'lanes'} (more add nothing beyond noise)`);
    else parts.push(`peaks at ${winner.result.workers} lanes`);
  }
  if (size !== undefined) {
    const crossover = crossoverOf(experiment, winner.result);
    if (crossover) parts.push(crossover);
  }
  const peak = peakThroughput(experiment);
  if (peak) parts.push(`peak ${peak.text} (${peak.by})`);
  const other = runnerUp(points, winner);
  const tieNote = tieWords(winner, other);
  return {
    ...base,
    answer: `${parts.join('; ')}.`,
    figureKind: 'speedup',
    figureValue: Number(winner.s.speedup.toFixed(2)),
    figureText: times(winner.s.speedup),
    settled: speedupSettled(winner.s),
    settledNote: settledWords(winner.s),
    ...(tieNote ? { tieNote } : {}),
  };
}

/** "beats serial from n ≈ 65,536" for a size-swept configuration, read from its sweep. */
function crossoverOf(experiment: ExperimentResult, r: MeasuredResult): string | undefined {
  const series = configurationName(r);
  const marks = sizeMarks(experiment).filter((m) => m.series === series && m.speedup !== undefined);
  if (marks.length < 2) return undefined;
  const size = crossoverSizeOf(marks);
  return size === null ? 'never beats serial in the sizes measured' : `beats serial from ≈ ${whole(size)}`;
}

function crossoverSizeOf(marks: { size: number; speedup?: number }[]): number | null {
  const points = [...marks].sort((a, b) => a.size - b.size);
  let first = -1;
  for (let i = points.length - 1; i >= 0 && points[i]!.speedup! > 1; i--) first = i;
  if (first < 0) return null;
  if (first === 0) return points[0]!.size;
  const a = points[first - 1]!;
  const b = points[first]!;
  const t = -Math.log(a.speedup!) / (Math.log(b.speedup!) - Math.log(a.speedup!));
  return Math.exp(Math.log(a.size) + t * (Math.log(b.size) - Math.log(a.size)));
}

/** The highest GFLOP/s or GB/s any configuration reached, and which one. */
function peakThroughput(experiment: ExperimentResult): { value: number; text: string; by: string; unit: 'GFLOP/s' | 'GB/s' } | undefined {
  const measured = measuredResults(experiment);
  const field = measured.some((r) => r.gflops !== undefined) ? 'gflops' : measured.some((r) => r.gbPerSecond !== undefined) ? 'gbPerSecond' : undefined;
  if (!field) return undefined;
  const top = best(
    measured.filter((r) => r[field] !== undefined),
    (r) => r[field]!,
  )!;
  const unit = field === 'gflops' ? 'GFLOP/s' : 'GB/s';
  const value = top[field]!;
  return { value, text: `${value.toFixed(value < 10 ? 2 : 1)} ${unit}`, by: configurationName(top), unit };
}

/** Data transfer: which way of handing data over moves the most GB/s at the largest payload. */
function transferLine(experiment: ExperimentResult, base: Pick<SummaryLine, 'experimentId' | 'title' | 'question'>): SummaryLine {
  const measured = measuredResults(experiment).filter((r) => r.backend !== 'serial' && r.gbPerSecond !== undefined);
  const sizes = measured.flatMap((r) => (r.size !== undefined ? [r.size] : []));
  const size = sizes.length > 0 ? Math.max(...sizes) : undefined;
  const atSize = measured.filter((r) => r.size === size);
  const top = best(atSize, (r) => r.gbPerSecond!);
  if (!top) return emptyLine(base, 'No handover was measured.');
  const others = atSize.filter((r) => r !== top);
  const second = best(others, (r) => r.gbPerSecond!);
  // GB/s is bytes over the median time: the winner is settled when its slowest plausible time beats the runner-up's fastest.
  const withinNoise = second !== undefined && second.ci95Ms[0] <= top.ci95Ms[1];
  const value = top.gbPerSecond!;
  const text = `${value.toFixed(value < 10 ? 2 : 1)} GB/s`;
  const rest = others
    .sort((a, b) => b.gbPerSecond! - a.gbPerSecond!)
    .map((r) => `${configurationName(r)} ${r.gbPerSecond!.toFixed(2)} GB/s`)
    .join(', ');
  return {
    ...base,
    answer: `Fastest at ${whole(size ?? 0)} bytes: ${configurationName(top)}, ${text}${rest ? ` (then ${rest})` : ''}.`,
    figureKind: 'throughput',
    figureValue: Number(value.toFixed(2)),
    figureText: text,
    settled: second === undefined ? true : !withinNoise,
    settledNote:
      second === undefined
        ? 'settled: the only handover measured'
        : withinNoise
          ? `not settled: its 95% interval overlaps ${configurationName(second)}'s`
          : `settled: its 95% interval clears ${configurationName(second)}'s`,
    ...(withinNoise && second ? { tieNote: `${configurationName(top)} and ${configurationName(second)} are within noise of each other: another run could rank them the other way.` } : {}),
  };
}

/** Tiny tasks: the smallest task size from which some way of handing tasks over beats serial. */
function breakEvenLine(experiment: ExperimentResult, base: Pick<SummaryLine, 'experimentId' | 'title' | 'question'>): SummaryLine {
  const entries = Object.entries(experiment.derived ?? {}).filter(([k]) => k.startsWith('breakEvenUs.'));
  if (entries.length === 0) return speedupLine(experiment, base, 'task size (µs)');
  const name = (key: string) => key.slice('breakEvenUs.'.length).replace('.', ' ');
  // "≤N": the path won at the smallest size measured, N µs, so it ranks as N.
  const bounded = entries.flatMap(([key, value]) => {
    const us = breakEvenBoundUs(value);
    return us === undefined ? [] : [{ key, us, atSmallest: typeof value !== 'number' }];
  });
  const winner = best(bounded, (entry) => -entry.us);
  const never = entries.filter(([, v]) => v === 'never' || v === null).map(([k]) => name(k));
  if (!winner) {
    return { ...emptyLine(base, `No way of handing tasks over beat serial in the sizes measured (${never.join(', ')}).`), settled: false };
  }
  const { key, us, atSmallest } = winner;
  const [, backend, variant] = key.split('.');
  // Settled when the sizes either side of the break-even are on their side beyond noise.
  const series = pointsOf(experiment)
    .filter((p) => p.result.backend === backend && (variant === undefined || p.result.variant === variant) && p.result.size !== undefined)
    .sort((a, b) => a.result.size! - b.result.size!);
  const below = [...series].reverse().find((p) => p.result.size! < us);
  const above = series.find((p) => p.result.size! >= us);
  const settled = (below === undefined || below.s.high < 1) && (above === undefined || above.s.low > 1) && series.length > 0;
  const lanes = series[0]?.result.workers ?? 2;
  const micro = (x: number) => (x < 10 ? String(Number(x.toPrecision(2))) : whole(x));
  const usText = (entry: { us: number; atSmallest: boolean }) => `${entry.atSmallest ? '≤ ' : ''}${micro(entry.us)} µs`;
  const others = bounded.filter((entry) => entry.key !== key).map((entry) => `${name(entry.key)} from ${usText(entry)}`);
  // In the post's words: how much work a task needs before handing it to other threads pays.
  const lead = atSmallest
    ? `${name(key)} beats serial already at the smallest tasks measured: ${lanes} lanes beat one from ${micro(us)} µs of work per task`
    : `${name(key)} beats serial from tasks of ≈ ${micro(us)} µs: a task needs about ${micro(us)} µs of work before ${lanes} lanes beat one`;
  return {
    ...base,
    answer: lead + (others.length > 0 ? `; ${others.join(', ')}` : '') + (never.length > 0 ? `; ${never.join(', ')} never in the sizes measured` : '') + '.',
    figureKind: 'break-even',
    figureValue: Number(us.toPrecision(3)),
    figureText: usText({ us, atSmallest }),
    settled,
    settledNote: settled
      ? 'settled: the sizes either side of it lose and win beyond their 95% intervals'
      : 'not settled: a size next to it is within noise of serial',
  };
}

function emptyLine(base: Pick<SummaryLine, 'experimentId' | 'title' | 'question'>, answer: string): SummaryLine {
  return { ...base, answer, figureKind: 'none', figureValue: null, figureText: '–', settled: false, settledNote: 'not settled: nothing to compare' };
}

/** One experiment's summary line; `sizeLabel` names its size sweep's size where it has one. */
export function summarizeExperiment(experiment: ExperimentResult, sizeLabel?: string): SummaryLine {
  const base = {
    experimentId: experiment.id,
    title: experiment.title ?? experiment.id,
    question: POST_QUESTIONS[experiment.id] ?? 'When does running it in parallel pay?',
  };
  if (experiment.error && measuredResults(experiment).length === 0) return emptyLine(base, `This experiment failed: ${experiment.error}`);
  if (experiment.id === 'data-transfer') return transferLine(experiment, base);
  if (experiment.id === 'tiny-tasks') return breakEvenLine(experiment, base);
  return speedupLine(experiment, base, sizeLabel);
}

/** The summary of a run: its machine and a line per experiment, in the run's order. */
export function summarizeRun(
  run: { environment: EnvironmentReport; experiments: readonly ExperimentResult[] },
  sizeLabelOf: (id: string) => string | undefined = () => undefined,
): RunSummary {
  const env = run.environment;
  const usable = usableCoresFigures(env);
  return {
    browser: `${env.browser.name} ${env.browser.version}${env.os ? ` on ${env.os}` : ''}`,
    reportedCores: env.hardwareConcurrency,
    ...(usable ? { usableCores: usable } : {}),
    lines: run.experiments.map((e) => summarizeExperiment(e, sizeLabelOf(e.id))),
  };
}

/** One small-multiple panel: an experiment's speedup curves, against lanes or against size. */
export interface SummaryCurves {
  experimentId: string;
  axis: 'lanes' | 'size';
  series: { name: string; points: { x: number; speedup: number }[] }[];
}

/** The curves drawn in the summary's small multiple: lane sweeps where there are, otherwise size sweeps. */
export function summaryCurves(experiment: ExperimentResult): SummaryCurves {
  const lanes = speedupMarks(experiment);
  const group = (marks: { series: string; x: number; speedup: number }[]) => {
    const map = new Map<string, { x: number; speedup: number }[]>();
    for (const m of marks) map.set(m.series, [...(map.get(m.series) ?? []), { x: m.x, speedup: m.speedup }]);
    return [...map].map(([name, points]) => ({ name, points: points.sort((a, b) => a.x - b.x) }));
  };
  if (lanes.length > 0) {
    return { experimentId: experiment.id, axis: 'lanes', series: group(lanes.map((m) => ({ series: m.series, x: m.workers, speedup: m.speedup }))) };
  }
  const sized = sizeMarks(experiment).filter((m) => !m.series.startsWith('serial') && m.speedup !== undefined && m.speedup > 0);
  return { experimentId: experiment.id, axis: 'size', series: group(sized.map((m) => ({ series: m.series, x: m.size, speedup: m.speedup! }))) };
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The summary as a Markdown table, headed by the browser and machine: what "Copy as Markdown" copies. */
export function summaryMarkdown(summary: RunSummary, measuredAt?: string): string {
  const cores = `${summary.reportedCores} reported cores${summary.usableCores ? ` (usable: ${summary.usableCores})` : ''}`;
  const lines = [
    `**Parallel Lab**: ${summary.browser}, ${cores}${measuredAt ? `, measured ${measuredAt}` : ''}.`,
    '',
    '| Experiment | Question | Key figure | Settled | Answer |',
    '| --- | --- | --- | --- | --- |',
    ...summary.lines.map((l) =>
      `| ${cell(l.title)} | ${cell(l.question)} | ${cell(l.figureText)} | ${l.settled ? 'yes' : 'no'} | ${cell(l.answer + (l.tieNote ? ` ${l.tieNote}` : ''))} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Sizes at which a size-swept series is within noise of serial (its speedup interval includes 1): where a
 * crossover, or "never beats serial", could come out the other way in another run.
 */
export function sizesWithinNoise(experiment: ExperimentResult, series: string): number[] {
  return pointsOf(experiment)
    .filter((p) => p.result.size !== undefined && configurationName(p.result) === series && !speedupSettled(p.s))
    .map((p) => p.result.size!)
    .sort((a, b) => a - b);
}
