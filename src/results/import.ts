/**
 * The one safe way in for results from outside the page (a file, a share link): size, nesting, value count
 * and prototype keys checked by a cheap scan before parsing (json-scan.ts), the schema checked after. Bad
 * input gives a message a person can act on, never an exception.
 */
import Type from 'typebox';
import Value from 'typebox/value';
import { COMPARISON_SCHEMA_ID, MAX_COMPARISON_RUNS, RESULTS_SCHEMA_ID } from './documents.ts';
import { scanJson, type JsonScanLimits, type JsonScanProblem } from './json-scan.ts';
import { ExperimentSchema, ResultsSchema, type Results } from './schema.ts';
import { compileSchema, validateResults } from './validate.ts';

/** Largest text accepted, in UTF-16 characters (about bytes for JSON): far above any real suite's results. */
export const MAX_IMPORT_CHARS = 50 * 1024 * 1024;

/** Limits of one import; the defaults suit files and links alike. */
export interface ImportOptions {
  /** Refuse longer text before parsing it. */
  maxChars?: number;
  /** Refuse a comparison holding more runs than this. */
  maxRuns?: number;
  /** Schema errors quoted in a message, at most. */
  maxErrors?: number;
  /** Nesting and value-count limits checked before parsing (see scanJson). */
  scanLimits?: JsonScanLimits;
}

/** What an import gives: the runs it holds (one for a results file), or why it was refused. */
export type ImportOutcome =
  | { ok: true; kind: 'results' | 'comparison'; runs: Results[] }
  | { ok: false; message: string };

const READS = `this lab reads ${RESULTS_SCHEMA_ID} and ${COMPARISON_SCHEMA_ID}`;
const UTF16_MESSAGE =
  'This file is saved as UTF-16 text; results files are UTF-8. Save it again as UTF-8 (in most editors: Save As, Encoding: UTF-8) and import it again.';

/** Parse and check results text (a file's content, a link's payload); never throws for bad input. */
export function parseResultsText(text: string, options: ImportOptions = {}): ImportOutcome {
  try {
    return parseChecked(text, options);
  } catch (error) {
    // Only a bug or an exhausted engine gets here; the caller still gets a message, not an exception.
    return { ok: false, message: `The file could not be read: ${describeError(error)}` };
  }
}

/** Read a File or Blob, refusing an oversized one before reading it into memory. */
export async function readResultsFile(file: Blob, options: ImportOptions = {}): Promise<ImportOutcome> {
  const maxChars = options.maxChars ?? MAX_IMPORT_CHARS;
  if (file.size > maxChars) return { ok: false, message: tooLargeMessage(file.size, maxChars) };
  let text: string;
  try {
    text = await file.text();
  } catch (error) {
    return { ok: false, message: `The file could not be read: ${describeError(error)}` };
  }
  return parseResultsText(text, options);
}

function parseChecked(text: string, options: ImportOptions): ImportOutcome {
  const maxChars = options.maxChars ?? MAX_IMPORT_CHARS;
  const maxErrors = options.maxErrors ?? 5;
  if (typeof text !== 'string') return { ok: false, message: 'Nothing to read: the input is not text.' };
  if (text.length > maxChars) return { ok: false, message: tooLargeMessage(text.length, maxChars) };
  // Editors on some systems save a byte-order mark, which JSON.parse does not accept.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return { ok: false, message: 'The file is empty: there are no results in it.' };
  if (looksUtf16(body)) return { ok: false, message: UTF16_MESSAGE };
  // Before JSON.parse, which would spend seconds and gigabytes on deep nesting or millions of values.
  const problem = scanJson(body, options.scanLimits);
  if (problem) return { ok: false, message: scanProblemMessage(problem) };

  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, message: parseErrorMessage(error, body) };
  }

  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, message: `This JSON holds ${what}, not a Parallel Lab results document (${READS}).` };
  }
  const schemaId = (value as { schema?: unknown }).schema;
  if (schemaId === RESULTS_SCHEMA_ID) {
    const tooLong = overlongArray(value);
    if (tooLong) return { ok: false, message: schemaErrorMessage(RESULTS_SCHEMA_ID, [tooLong]) };
    const checked = validateResults(value, maxErrors);
    if (!checked.ok) return { ok: false, message: schemaErrorMessage(RESULTS_SCHEMA_ID, checked.errors.map(tidy)) };
    return { ok: true, kind: 'results', runs: [checked.value] };
  }
  if (schemaId === COMPARISON_SCHEMA_ID) return checkComparison(value, options.maxRuns ?? MAX_COMPARISON_RUNS, maxErrors);
  if (schemaId === undefined) {
    return { ok: false, message: `This JSON has no "schema" field, so it is not a Parallel Lab results document (${READS}).` };
  }
  if (typeof schemaId !== 'string') {
    return { ok: false, message: `The "schema" field should be text naming the format (${READS}).` };
  }
  const newer = /^parallel-lab\//.test(schemaId) ? ': it may come from a newer version of Parallel Lab' : '';
  return { ok: false, message: `Unknown schema "${clip(schemaId, 80)}"${newer} (${READS}).` };
}

const MAX_EXPERIMENTS = (ResultsSchema.properties.experiments as { maxItems?: number }).maxItems ?? Infinity;
const MAX_RESULTS = (ExperimentSchema.properties.results as { maxItems?: number }).maxItems ?? Infinity;

/**
 * The schema's bounds on the two long lists, checked first: listing the errors of a document with
 * thousands of well-formed experiments takes seconds, refusing it on its length takes none.
 */
function overlongArray(value: unknown): string | null {
  const experiments = (value as { experiments?: unknown } | null)?.experiments;
  if (!Array.isArray(experiments)) return null;
  if (experiments.length > MAX_EXPERIMENTS) return `/experiments: must not have more than ${MAX_EXPERIMENTS} items`;
  for (const [index, experiment] of experiments.entries()) {
    const results = (experiment as { results?: unknown } | null)?.results;
    if (Array.isArray(results) && results.length > MAX_RESULTS) {
      return `/experiments/${index}/results: must not have more than ${MAX_RESULTS} items`;
    }
  }
  return null;
}

const envelopes = new Map<number, { schema: ReturnType<typeof envelopeSchema>; compiled: { Check(value: unknown): boolean } }>();

/** The comparison's own fields; its runs are checked one by one so that errors name the run. */
function envelopeSchema(maxRuns: number) {
  return Type.Object(
    {
      schema: Type.Literal(COMPARISON_SCHEMA_ID),
      createdAt: Type.String({ format: 'date-time' }),
      runs: Type.Array(Type.Unknown(), { minItems: 1, maxItems: maxRuns }),
    },
    { additionalProperties: false },
  );
}

function checkComparison(value: object, maxRuns: number, maxErrors: number): ImportOutcome {
  let envelope = envelopes.get(maxRuns);
  if (!envelope) {
    const schema = envelopeSchema(maxRuns);
    envelope = { schema, compiled: compileSchema(schema) };
    envelopes.set(maxRuns, envelope);
  }
  if (!envelope.compiled.Check(value)) {
    const errors: string[] = [];
    for (const error of Value.Errors(envelope.schema, value)) {
      errors.push(tidy(`${error.instancePath || '/'}: ${error.message}`));
      if (errors.length >= maxErrors) break;
    }
    return { ok: false, message: schemaErrorMessage(COMPARISON_SCHEMA_ID, errors) };
  }
  const runs: Results[] = [];
  const errors: string[] = [];
  for (const [index, run] of (value as { runs: unknown[] }).runs.entries()) {
    const tooLong = overlongArray(run);
    const checked: ReturnType<typeof validateResults> = tooLong
      ? { ok: false, errors: [tooLong] }
      : validateResults(run, maxErrors - errors.length);
    if (checked.ok) runs.push(checked.value);
    else errors.push(...checked.errors.map((e) => tidy(inRun(index, e))));
    if (errors.length >= maxErrors) break;
  }
  if (errors.length > 0) return { ok: false, message: schemaErrorMessage(COMPARISON_SCHEMA_ID, errors) };
  return { ok: true, kind: 'comparison', runs };
}

/** Re-root a run's error at its place in the comparison: "/experiments/0: …" → "/runs/1/experiments/0: …". */
function inRun(index: number, error: string): string {
  if (error.startsWith('/: ')) return `/runs/${index}${error.slice(1)}`;
  return error.startsWith('/') ? `/runs/${index}${error}` : `/runs/${index}: ${error}`;
}

function schemaErrorMessage(schemaId: string, errors: string[]): string {
  const lines = errors.length > 0 ? errors : ['the document does not match'];
  return `This document does not match ${schemaId}; the first problems found:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** TypeBox reports a property that should not be there as "schema is false": say it plainly. */
function tidy(line: string): string {
  return line.replace(/: schema is false$/, ': is not part of the format').replace(/^\/: /, '(top level): ');
}

/**
 * UTF-16 text read as UTF-8: its byte-order mark becomes two replacement characters and every ASCII
 * character is followed (or preceded) by a NUL.
 */
function looksUtf16(text: string): boolean {
  if (text.startsWith('\ufffd\ufffd')) return true;
  const head = text.slice(0, 64);
  return head.length >= 4 && (head.match(/\u0000/g)?.length ?? 0) >= head.length / 4;
}

function scanProblemMessage(problem: JsonScanProblem): string {
  switch (problem.kind) {
    case 'too-deep':
      return `The JSON is nested too deeply to be a results document (more than ${problem.maxDepth} levels); it was refused before reading it.`;
    case 'too-many-values':
      return `The JSON holds more than ${problem.maxValues.toLocaleString('en-US')} values, far more than a results document has; it was refused before reading it.`;
    case 'forbidden-key':
      return `The file contains a "${problem.key}" key, which no results document has; it was refused as possibly hostile.`;
  }
}

function parseErrorMessage(error: unknown, text: string): string {
  // V8 throws RangeError on a stack overflow, SpiderMonkey InternalError "too much recursion".
  if (!(error instanceof SyntaxError)) {
    if (error instanceof RangeError || /recursion|stack/i.test(describeError(error))) {
      return 'The JSON is nested too deeply to be a results document.';
    }
    return `The file could not be read: ${clip(describeError(error), 200)}`;
  }
  const head = text.trimStart().slice(0, 15).toLowerCase();
  const hint = head.startsWith('<') ? ' It looks like a web page (HTML), not a results file.' : '';
  return `This is not valid JSON (${clip(describeError(error), 200)}).${hint}`;
}

function tooLargeMessage(size: number, maxChars: number): string {
  return `The file is too large to be a results document: ${formatMegabytes(size)} (this lab reads up to ${formatMegabytes(maxChars)}).`;
}

function formatMegabytes(size: number): string {
  return `${(size / (1024 * 1024)).toFixed(size < 1024 * 1024 ? 2 : 1)} MB`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function clip(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}
