/** Experiment parameters: presets, overrides, and validation with messages that say what is allowed. */
import type { Params, ParamSpec, Preset, Workload } from '../workloads/types.ts';

/** A parameter outside its range or of the wrong kind; the message is shown to the user as it is. */
export class ParamError extends RangeError {
  override name = 'ParamError';
}

/** Check one value against its spec; returns the value or throws a ParamError naming the allowed range. */
export function checkParam(spec: ParamSpec, value: unknown, experimentId: string): number {
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
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

/** The preset's values with the user's overrides applied, every one validated; unknown keys are refused. */
export function resolveParams(workload: Workload, preset: Preset, overrides: Record<string, unknown> = {}): Params {
  const id = workload.meta.id;
  const known = new Set(workload.params.map((p) => p.key));
  for (const key of Object.keys(overrides)) {
    if (!known.has(key)) {
      throw new ParamError(`${id}: unknown parameter "${key}". Known: ${[...known].join(', ')}.`);
    }
  }
  const params: Params = {};
  for (const spec of workload.params) {
    params[spec.key] = checkParam(spec, overrides[spec.key] ?? presetValue(spec, preset), id);
  }
  return params;
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
    const value = Number(raw.replaceAll('_', ''));
    if (raw === '' || !Number.isFinite(value)) throw new ParamError(`${key} must be a number (got "${raw}").`);
    entries.push([key, value]);
  }
  return Object.fromEntries(entries);
}
