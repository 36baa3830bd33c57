/** Results out of the page: JSON as the lab reads it back, CSV for spreadsheets, and a file name for both. */
import type { Comparison } from './comparison.ts';
import type { BackendResult, ExperimentResult, Results } from './schema.ts';

/** A document the lab writes: one run, or several side by side. */
export type ExportableDocument = Results | Comparison;

/** Pretty JSON, keys in the order the lab produced them, ending with a newline. */
export function toJson(document: ExportableDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** CSV columns, in order: one row per backend result (an experiment that failed outright gets one row too). */
export const CSV_COLUMNS = [
  'browser',
  'experiment',
  'backend',
  'variant',
  'workers',
  'size',
  'status',
  'medianMs',
  'ci95LowMs',
  'ci95HighMs',
  'speedup',
  'gbPerSecond',
  'gflops',
  'compileMs',
  'verified',
  'samples',
  'errorOrReason',
] as const;

type CsvColumn = (typeof CSV_COLUMNS)[number];
type CsvRow = Partial<Record<CsvColumn, string | number | boolean>>;

/** RFC 4180 CSV (CRLF line ends, quoted where needed) with a guard against formula injection. */
export function toCsv(document: ExportableDocument): string {
  const runs = 'runs' in document ? document.runs : [document];
  const lines = [CSV_COLUMNS.join(',')];
  for (const run of runs) {
    const browser = `${run.environment.browser.name} ${run.environment.browser.version}`;
    for (const experiment of run.experiments) {
      for (const row of rowsOf(experiment)) {
        lines.push(CSV_COLUMNS.map((column) => csvCell({ browser, ...row }[column])).join(','));
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

function rowsOf(experiment: ExperimentResult): CsvRow[] {
  const rows = experiment.results.map((result) => ({ experiment: experiment.id, ...resultRow(result) }));
  if (experiment.error !== undefined) rows.push({ experiment: experiment.id, status: 'failed', errorOrReason: experiment.error });
  return rows;
}

function resultRow(result: BackendResult): CsvRow {
  const common: CsvRow = { backend: result.backend, variant: result.variant, workers: result.workers, size: result.size };
  if (!result.available) return { ...common, status: 'unavailable', errorOrReason: result.reason };
  if (!result.verified) {
    return { ...common, status: 'failed', verified: false, samples: result.samplesMs.length, errorOrReason: result.error };
  }
  return {
    ...common,
    status: 'measured',
    medianMs: result.medianMs,
    ci95LowMs: result.ci95Ms[0],
    ci95HighMs: result.ci95Ms[1],
    speedup: result.speedup,
    gbPerSecond: result.gbPerSecond,
    gflops: result.gflops,
    compileMs: result.compileMs,
    verified: true,
    samples: result.samplesMs.length,
  };
}

/** A JavaScript number as String() writes it: safe to leave alone even when it starts with a minus sign. */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/**
 * One CSV cell. Text starting with = + - @ (or a tab or carriage return) would run as a formula in a
 * spreadsheet, so it gets a leading apostrophe (OWASP's advice); numbers are written as they are.
 */
export function csvCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A file name naming the browser(s), major version and UTC time, e.g. parallel-lab-chromium-156-2026-11-25T06-40.json. */
export function fileNameFor(document: ExportableDocument, ext: string): string {
  const runs = 'runs' in document ? document.runs : [document];
  const who =
    runs.length <= 3
      ? runs.map((run) => browserTag(run.environment.browser)).join('-vs-')
      : `comparison-${runs.length}-runs`;
  const extension = ext.replace(/^\.+/, '').toLowerCase().replace(/[^a-z0-9]/g, '') || 'json';
  return `parallel-lab-${who}-${timeTag(document.createdAt)}.${extension}`;
}

function browserTag(browser: { name: string; version: string }): string {
  const name = slug(browser.name) || 'browser';
  const major = slug(browser.version.split('.')[0] ?? '');
  return major ? `${name}-${major}` : name;
}

/** Minutes in UTC, with '-' for ':' since Windows forbids colons in file names. */
function timeTag(createdAt: string): string {
  const time = Date.parse(createdAt);
  if (Number.isNaN(time)) return 'undated';
  return new Date(time).toISOString().slice(0, 16).replace(':', '-');
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30)
    .replace(/-+$/, '');
}
