/**
 * A checked results or comparison document as read-only DOM: what the lab shows of an opened run (the
 * summary, each experiment's verdicts, warnings, table, Amdahl fits, speedup chart and scaling metrics) and
 * of a comparison (medians side by side, curves overlaid, then every run), computed by the lab's own analysis.
 */
import { describeAmdahlFit } from '../analysis/amdahl.ts';
import { compareRuns, overlaidSpeedupMarks, type CompareCell } from '../analysis/compare-runs.ts';
import { readExperiment } from '../analysis/experiment-reading.ts';
import { describeUsableCores } from '../analysis/machine-reading.ts';
import { describeInterval, formatMs, formatTimes } from '../analysis/number-format.ts';
import { summarizeRun } from '../analysis/run-summary.ts';
import { pointMetrics } from '../analysis/scaling-metrics.ts';
import { referenceCurves, speedupMarks, type SpeedupMark } from '../analysis/speedup-series.ts';
import type { ExperimentResult, Results } from '../results/schema.ts';
import { sizeLabelOf } from '../workloads/size-labels.ts';
import { h, type Child } from './dom.ts';
import { drawSpeedupChart } from './draw-speedup-chart.ts';

/** A document that passed the checks: one run, or the runs of a comparison. */
export interface ShownDocument {
  kind: 'results' | 'comparison';
  runs: Results[];
}

/** What to show of it. */
export interface RenderOptions {
  /** Show only these experiment ids (all when undefined or empty). */
  experimentIds?: readonly string[];
}

/** The whole view of a checked document. */
export function renderDocument(shown: ShownDocument, options: RenderOptions = {}): HTMLElement {
  const only = options.experimentIds && options.experimentIds.length > 0 ? new Set(options.experimentIds) : undefined;
  const runs = only ? shown.runs.map((run) => ({ ...run, experiments: run.experiments.filter((e) => only.has(e.id)) })) : shown.runs;
  if (shown.kind === 'comparison') return renderComparison(runs);
  return renderRun(runs[0]!, 'h2');
}

const date = (iso: string) => new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
const fixed = (x: number | undefined, digits = 2) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

/** One run: where and when it was measured, the summary, then each experiment. */
function renderRun(run: Results, heading: 'h2' | 'h3'): HTMLElement {
  const env = run.environment;
  const summary = summarizeRun(run, sizeLabelOf);
  const browser = `${env.browser.name} ${env.browser.version}${env.os ? ` on ${env.os}` : ''}`;
  const usable = env.usableCores !== undefined ? ` (${env.usableCores.toFixed(2)} measured usable)` : '';
  return h(
    'section',
    { class: 'run', 'data-run-created': run.createdAt },
    h(heading, {}, `Results: ${browser}`),
    h(
      'p',
      { class: 'muted' },
      `Measured ${date(run.createdAt)}, ${plural(env.hardwareConcurrency, 'reported core')}${usable}; `,
      `${plural(run.experiments.length, 'experiment')}${run.cancelled ? ', run not finished' : ''}. Read from a file; nothing was run here.`,
    ),
    summary.lines.length > 0 &&
      h(
        'div',
        { class: 'summary', 'data-part': 'summary' },
        h('h3', {}, 'At a glance'),
        h('ul', { class: 'lines' }, summary.lines.map((line) =>
          h(
            'li',
            { 'data-summary-line': line.experimentId, 'data-settled': String(line.settled) },
            h('span', { class: 'question' }, `${line.title}: ${line.question}`),
            ' ',
            h('strong', { class: 'figure' }, line.figureText),
            ' ',
            h('span', { class: line.settled ? 'badge settled' : 'badge', title: line.settledNote }, line.settled ? 'settled' : 'not settled'),
            ' ',
            line.answer,
            line.tieNote && h('em', { class: 'tie' }, line.tieNote),
          ),
        )),
      ),
    run.experiments.length === 0 && h('p', { class: 'muted' }, 'This run has no finished experiment.'),
    run.experiments.map((experiment) => renderExperiment(experiment, run)),
  );
}

/** One experiment: verdicts and warnings, the table, the fits, the chart and the scaling metrics. */
function renderExperiment(experiment: ExperimentResult, run: Results): HTMLElement {
  const env = run.environment;
  const sizeLabel = sizeLabelOf(experiment.id);
  const reading = readExperiment(experiment, env.hardwareConcurrency, sizeLabel, env);
  const checked = describeUsableCores(env);
  const marks = speedupMarks(experiment);
  const title = experiment.title ?? experiment.id;
  return h(
    'section',
    { class: 'experiment', 'data-experiment': experiment.id },
    h('h3', {}, title, ' ', h('span', { class: 'muted' }, `(${experiment.preset} preset, ${(experiment.durationMs / 1000).toFixed(1)} s)`)),
    experiment.error && h('p', { class: 'bad' }, `This experiment failed: ${experiment.error}`),
    h(
      'ul',
      { class: 'verdicts', 'data-part': 'verdicts' },
      reading.verdicts.map((v) => h('li', {}, v)),
      reading.usableCores !== undefined && h('li', {}, `Usable cores measured by this sweep: ${reading.usableCores} (reported: ${env.hardwareConcurrency}).`),
      checked && h('li', {}, `Usable cores measured by the check: ${checked}.`),
    ),
    [...(experiment.warnings ?? []), ...reading.warnings].map((w) => h('p', { class: 'warning', role: 'note' }, `⚠ ${w}`)),
    resultsTable(experiment, sizeLabel),
    amdahlFits(experiment),
    h('h4', {}, 'Speedup'),
    marks.length > 0
      ? drawSpeedupChart(marks, referenceCurves(experiment, Math.max(1, ...marks.map((m) => m.workers))), `Speedup over serial against lane count for ${title}`)
      : h('p', { class: 'muted' }, 'No lane sweep to draw (it needs a verified serial reference and two or more lane counts).'),
    scalingTable(marks, experiment),
  );
}

/** A table in a focusable scrolling region, so that a wide one stays reachable by keyboard. */
function scrolling(label: string, table: HTMLTableElement): HTMLElement {
  return h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': label }, table);
}

/** Every configuration: the columns of the lab's results table. */
function resultsTable(experiment: ExperimentResult, sizeLabel: string | undefined): HTMLElement {
  const results = experiment.results;
  const hasSize = results.some((r) => r.size !== undefined);
  const hasVariant = results.some((r) => r.variant !== undefined);
  const hasCompile = results.some((r) => 'compileMs' in r && r.compileMs !== undefined);
  const throughputKind = results.some((r) => 'gflops' in r && r.gflops !== undefined)
    ? 'GFLOP/s'
    : results.some((r) => 'gbPerSecond' in r && r.gbPerSecond !== undefined)
      ? 'GB/s'
      : undefined;
  const extra = (throughputKind ? 1 : 0) + (hasCompile ? 1 : 0);
  const rows = results.flatMap((r) => {
    const cells: Child[] = [h('td', {}, r.backend), hasVariant && h('td', {}, r.variant ?? ''), h('td', {}, r.workers ?? ''), hasSize && h('td', {}, r.size?.toLocaleString('en') ?? '')];
    if (!r.available) {
      cells.push(h('td', { colspan: 5 + extra, class: 'muted left' }, r.skipped ? r.reason : `unavailable: ${r.reason}`));
    } else if ('error' in r) {
      cells.push(h('td', { colspan: 4 + extra, class: 'bad left' }, `failed: ${r.error}`), h('td', { class: 'bad', 'data-verified': 'false' }, '✗'));
    } else {
      const precision = r.precision !== undefined ? ` (±${(r.precision * 100).toFixed(1)}%)` : '';
      const throughput = throughputKind === 'GFLOP/s' ? r.gflops : r.gbPerSecond;
      cells.push(
        h('td', { class: 'median', 'data-median-ms': r.medianMs }, formatMs(r.medianMs)),
        h('td', { title: describeInterval(r) }, `${formatMs(r.ci95Ms[0])}–${formatMs(r.ci95Ms[1])}${precision}`),
        h('td', { class: 'speedup' }, r.speedup !== undefined ? formatTimes(r.speedup) : ''),
        throughputKind && h('td', {}, throughput?.toFixed(2) ?? ''),
        hasCompile && h('td', {}, r.compileMs !== undefined ? formatMs(r.compileMs) : ''),
        h('td', {}, r.samplesMs.length),
        h('td', { class: 'good', 'data-verified': 'true', title: [r.check, r.mode && `mode: ${r.mode}`, r.note].filter(Boolean).join('\n') }, `verified${r.mode ? ` (${r.mode})` : ''}`),
      );
    }
    const row = h('tr', { 'data-backend': r.backend, 'data-workers': r.workers ?? '', 'data-size': r.size ?? '', 'data-variant': r.variant ?? '' }, cells);
    const note = r.available && 'note' in r && r.note ? h('tr', { class: 'note' }, h('td', { colspan: 12, class: 'muted left' }, `↳ ${r.note}`)) : null;
    return note ? [row, note] : [row];
  });
  const head = ['backend', hasVariant && 'variant', 'lanes', hasSize && (sizeLabel ?? 'size'), 'median ms', '95% CI ms', 'speedup', throughputKind, hasCompile && 'compile ms', 'samples', 'check'];
  return scrolling(
    `Results of ${experiment.title ?? experiment.id}, scrolls sideways`,
    h('table', { class: 'results', 'data-experiment': experiment.id }, h('thead', {}, h('tr', {}, head.map((c) => c && h('th', {}, c)))), h('tbody', {}, rows)),
  );
}

/** Each stored Amdahl fit in words, or why it says nothing. */
function amdahlFits(experiment: ExperimentResult): HTMLElement | null {
  const fits = Object.entries(experiment.amdahl);
  if (fits.length === 0) return null;
  return h(
    'p',
    { class: 'amdahl', 'data-part': 'amdahl' },
    fits.map(([key, fit]) => {
      const described = describeAmdahlFit(fit);
      return h('span', { 'data-amdahl': key, 'data-informative': String(described.informative) }, 'Amdahl fit for ', h('strong', {}, key), `: ${described.text}.`);
    }),
  );
}

/** Efficiency, Karp-Flatt and Gustafson per lane count, folded away as in the lab. */
function scalingTable(marks: readonly SpeedupMark[], experiment: ExperimentResult): HTMLElement | null {
  const bySeries = new Map<string, SpeedupMark[]>();
  for (const m of marks) bySeries.set(m.series, [...(bySeries.get(m.series) ?? []), m]);
  if (bySeries.size === 0) return null;
  const rows = [...bySeries].flatMap(([series, points]) =>
    pointMetrics(points, experiment.amdahl[series]).map((row) =>
      h(
        'tr',
        {},
        h('td', {}, series),
        h('td', {}, row.workers),
        h('td', {}, `${fixed(row.speedup)}×`),
        h('td', {}, fixed(row.efficiency)),
        h('td', {}, fixed(row.karpFlatt, 3)),
        h('td', {}, row.gustafson === undefined ? '–' : `${fixed(row.gustafson)}×`),
      ),
    ),
  );
  const head = ['sweep', 'lanes', 'speedup', 'efficiency', 'Karp-Flatt', 'Gustafson'];
  return h(
    'details',
    { class: 'scaling' },
    h('summary', {}, 'Scaling metrics: efficiency, Karp-Flatt, Gustafson'),
    h(
      'p',
      { class: 'muted' },
      'Efficiency is speedup over lanes (1 is perfect). Karp-Flatt is the serial fraction each point implies; growing with the lanes ' +
        "means overhead grows with them. Gustafson's scaled speedup is what the lanes would give if the problem grew with them.",
    ),
    scrolling(`Scaling metrics of ${experiment.title ?? experiment.id}`, h('table', {}, h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))), h('tbody', {}, rows))),
  );
}

/** Several runs: who they are, each experiment's medians side by side with the overlaid curves, then each run. */
function renderComparison(runs: readonly Results[]): HTMLElement {
  const comparison = compareRuns(runs);
  const cellTitle = (cell: CompareCell) =>
    cell.status === 'measured' ? `95% CI ${formatMs(cell.ci95Ms[0])}–${formatMs(cell.ci95Ms[1])} ms` : cell.status === 'missing' ? 'not measured in this run' : cell.text;
  return h(
    'section',
    { class: 'comparison' },
    h('h2', {}, `Comparison of ${runs.length} runs`),
    h(
      'p',
      { class: 'muted' },
      `Matched by experiment, backend, lanes, size and variant. "× first" is a run's median over the first run's (${comparison.labels[0]}): ` +
        'above 1 it took longer. Speedups are each run\'s own, over its own serial.',
    ),
    h('ol', { class: 'runs' }, comparison.labels.map((label, i) => h('li', { 'data-run': i }, label, ' ', h('span', { class: 'muted' }, `(${date(runs[i]!.createdAt)}${runs[i]!.cancelled ? ', not finished' : ''})`)))),
    comparison.experiments.map((experiment) => {
      const hasSize = experiment.rows.some((r) => r.size !== undefined);
      const hasVariant = experiment.rows.some((r) => r.variant !== undefined);
      const marks = overlaidSpeedupMarks(runs, experiment.id, comparison.labels);
      const maxWorkers = Math.max(1, ...marks.map((m) => m.workers));
      const ideal = [1, maxWorkers].map((workers) => ({ series: 'ideal', workers, speedup: workers }));
      const rows = experiment.rows.map((row) =>
        h(
          'tr',
          { 'data-backend': row.backend, 'data-workers': row.workers ?? '', 'data-size': row.size ?? '', 'data-variant': row.variant ?? '' },
          h('td', {}, row.backend),
          hasVariant && h('td', {}, row.variant ?? ''),
          h('td', {}, row.workers ?? ''),
          hasSize && h('td', {}, row.size?.toLocaleString('en') ?? ''),
          row.cells.map((cell, i) =>
            cell.status === 'measured'
              ? [
                  h('td', { class: 'median', 'data-run': i, 'data-median-ms': cell.medianMs, title: cellTitle(cell) }, formatMs(cell.medianMs)),
                  // The first run is the reference: its own ratio is always 1.
                  i > 0 && h('td', { class: 'ratio', 'data-run': i }, cell.ratioToFirst !== undefined ? formatTimes(cell.ratioToFirst) : ''),
                ]
              : h('td', { colspan: i === 0 ? 1 : 2, class: `muted left${cell.status === 'failed' ? ' bad' : ''}`, 'data-run': i, title: cellTitle(cell) }, cell.status),
          ),
        ),
      );
      const table = h(
        'table',
        { class: 'compare', 'data-experiment': experiment.id },
        h(
          'thead',
          {},
          h('tr', {}, h('th', { colspan: 2 + (hasSize ? 1 : 0) + (hasVariant ? 1 : 0) }), comparison.labels.map((label, i) => h('th', { colspan: i === 0 ? 1 : 2, class: 'run-label' }, label))),
          h('tr', {}, h('th', {}, 'backend'), hasVariant && h('th', {}, 'variant'), h('th', {}, 'lanes'), hasSize && h('th', {}, 'size'), comparison.labels.map((_, i) => [h('th', {}, 'median ms'), i > 0 && h('th', {}, '× first')])),
        ),
        h('tbody', {}, rows),
      );
      return h(
        'section',
        { class: 'experiment', 'data-experiment': experiment.id },
        h('h3', {}, experiment.title),
        scrolling('Compared medians, scrolls sideways', table),
        marks.length > 0 && drawSpeedupChart(marks, ideal, `Speedup over serial against lane count for ${experiment.title}, one curve per run`),
      );
    }),
    runs.map((run, i) => h('details', { class: 'run-details', 'data-run': i }, h('summary', {}, `${comparison.labels[i]}: every table and chart`), renderRun(run, 'h3'))),
  );
}
