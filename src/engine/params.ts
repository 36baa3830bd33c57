/** Experiment parameters: presets, overrides, and validation with messages that say what is allowed. */
import { PRESETS, type Params, type ParamSpec, type Preset, type Workload } from '../workloads/types.ts';

/** A parameter outside its range or of the wrong kind; the message is shown to the user as it is. */
export class ParamError extends RangeError {
  override name = 'ParamError';
}

/**
 * Decimal numbers as people type them: `12`, `-0.5`, `1e8`, `1_000_000` (one underscore between digits).
 * Deliberately narrower than Number(): no hex, binary or octal, no Infinity, no lone or trailing underscores,
 * so that `_`, `0x10` or `1_` is refused rather than read as some other number.
 */
const NUMBER_TEXT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d+)?$/;

/** The one parser of numbers typed by a person (parameter fields, the URL, the command line): a finite number, or null. */
export function parseNumberText(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed.length > 100 || !NUMBER_TEXT.test(trimmed)) return null;
  const value = Number(trimmed.replaceAll('_', ''));
  return Number.isFinite(value) ? value : null;
}

/** A parameter field's text checked against its spec: the number, or a ParamError saying what is allowed. */
export function parseParamField(spec: ParamSpec, text: string, experimentId: string): number {
  const value = parseNumberText(text);
  if (value === null) throw new ParamError(`${experimentId}: ${spec.key} must be a number (got ${describeValue(text)}).`);
  return checkParam(spec, value, experimentId);
}

/** A value as a message quotes it, whatever it is: never throws, never long. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (value === null || typeof value !== 'object') return typeof value === 'symbol' ? 'a symbol' : String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** Check one value against its spec; returns the value or throws a ParamError naming the allowed range. */
export function checkParam(spec: ParamSpec, value: unknown, experimentId: string): number {
  const shown = describeValue(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ParamError(`${experimentId}: ${spec.key} must be a number (got ${shown}).`);
  }
  if (spec.integer && !Number.isInteger(value)) {
    throw new ParamError(`${experimentId}: ${spec.key} must be a whole number (got ${shown}).`);
  }
  if (value < spec.min || value > spec.max) {
    throw new ParamError(
      `${experimentId}: ${spec.key} must be between ${spec.min.toLocaleString('en')} and ` +
        `${spec.max.toLocaleString('en')} (got ${value.toLocaleString('en')}).`,
    );
  }
  return value;
}

/** A parameter's value in a preset: `thorough` falls back to `default` where the experiment gives none. */
export function presetValue(spec: ParamSpec, preset: Preset): number {
  return preset === 'thorough' ? (spec.presets.thorough ?? spec.presets.default) : spec.presets[preset];
}

/** Refuse anything but a known preset, by name, before it turns into missing values further down. */
export function checkPreset(preset: unknown): Preset {
  if (typeof preset === 'string' && (PRESETS as readonly string[]).includes(preset)) return preset as Preset;
  throw new ParamError(`Unknown preset ${describeValue(preset)}. Known: ${PRESETS.join(', ')}.`);
}

/** The preset's values with the user's overrides applied, every one validated; unknown keys are refused. */
export function resolveParams(workload: Workload, preset: Preset, overrides: unknown = {}): Params {
  const id = workload.meta.id;
  checkPreset(preset);
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new ParamError(`${id}: parameters must be an object of key: number pairs (got ${describeValue(overrides)}).`);
  }
  const given = overrides as Record<string, unknown>;
  const known = new Set(workload.params.map((p) => p.key));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) {
      throw new ParamError(`${id}: unknown parameter "${key.slice(0, 80)}". Known: ${[...known].join(', ')}.`);
    }
  }
  const params: Params = {};
  for (const spec of workload.params) {
    // Own and defined: `{ n: null }` is a mistake to report, not a request for the preset's value.
    const value = Object.hasOwn(given, spec.key) && given[spec.key] !== undefined ? given[spec.key] : presetValue(spec, preset);
    params[spec.key] = checkParam(spec, value, id);
  }
  checkRanges(workload, params);
  return params;
}

/** Parameters that come in pairs, `minX` and `maxX`: the lower end may not exceed the upper. */
function checkRanges(workload: Workload, params: Params): void {
  for (const spec of workload.params) {
    if (!/^min[A-Z]/.test(spec.key)) continue;
    const upper = `max${spec.key.slice(3)}`;
    const low = params[spec.key];
    const high = params[upper];
    if (low === undefined || high === undefined || low <= high) continue;
    throw new ParamError(
      `${workload.meta.id}: ${spec.key} (${low.toLocaleString('en')}) must not be more than ${upper} (${high.toLocaleString('en')}).`,
    );
  }
}

/** Parse `key=value` pairs as typed on the command line or in a URL, e.g. "n=1e8". */
export function parseParamText(text: string): Record<string, number> {
  // Entries, not assignment: a "__proto__" key must stay a key (and be refused as unknown), not a prototype.
  const entries: Array<[string, number]> = [];
  for (const part of text.split(/[,&]/).map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ParamError(`Expected key=value, got "${part}".`);
    const key = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    const value = parseNumberText(raw);
    if (value === null) throw new ParamError(`${key} must be a number (got ${describeValue(raw)}).`);
    entries.push([key, value]);
  }
  return Object.fromEntries(entries);
}
