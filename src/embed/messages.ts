/**
 * The iframe API between the lab in a frame and the tutorial page around it: the messages each side sends
 * (versioned, so tutorials can rely on the names) and the checks a message from the host must pass before
 * the lab acts on it. Plain data and functions: no DOM, so the checks are tested in Node.
 */
import type { SuiteRequest } from '../engine/run-suite.ts';
import type { Results } from '../results/schema.ts';
import { PRESETS, type Preset } from '../workloads/types.ts';

/** The version every message carries; a message of another version is answered with an error. */
export const EMBED_PROTOCOL_VERSION = 1;

/** Every message type starts with this, so the lab ignores the other messages a page may receive. */
export const MESSAGE_PREFIX = 'parallel-lab/';

/** Longest request id the lab accepts (it is echoed back in every answer). */
export const MAX_ID_LENGTH = 80;

/** lab → host, once the lab can run. */
export interface ReadyMessage {
  type: 'parallel-lab/ready';
  v: 1;
  experiments: string[];
  /** Whether the frame is cross-origin isolated (SharedArrayBuffer, shared-memory backends). */
  isolated: boolean;
}

/** lab → host, as a run goes. */
export interface ProgressMessage {
  type: 'parallel-lab/progress';
  v: 1;
  id: string;
  /** 0 to 1 over the whole run. */
  overall: number;
  label: string;
}

/** lab → host: the run's results document (parallel-lab/results, schema-valid). */
export interface ResultMessage {
  type: 'parallel-lab/result';
  v: 1;
  id: string;
  results: Results;
}

/** lab → host: the request was refused, the run failed or it was cancelled. */
export interface ErrorMessage {
  type: 'parallel-lab/error';
  v: 1;
  /** The request's id where the message had a usable one. */
  id?: string;
  message: string;
  /** True when the run was cancelled (by the host or in the frame). */
  cancelled?: boolean;
}

/** lab → host: the frame's content height changed, in CSS pixels. */
export interface ResizeMessage {
  type: 'parallel-lab/resize';
  v: 1;
  height: number;
}

/** Everything the lab sends. */
export type LabMessage = ReadyMessage | ProgressMessage | ResultMessage | ErrorMessage | ResizeMessage;

/** host → lab: run these experiments. */
export interface RunMessage {
  type: 'parallel-lab/run';
  v: 1;
  id: string;
  experiments: string[];
  preset: Preset;
  params?: Record<string, Record<string, unknown>>;
  backends?: string[];
}

/** host → lab: cancel the run with this id. */
export interface CancelMessage {
  type: 'parallel-lab/cancel';
  v: 1;
  id: string;
}

/** Everything the host may send. */
export type HostMessage = RunMessage | CancelMessage;

/** The outcome of reading a message: act on it, answer with an error, or ignore it (not for the lab). */
export type ReadOutcome = { kind: 'message'; message: HostMessage } | { kind: 'refused'; id?: string; reason: string } | { kind: 'ignored' };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringList = (value: unknown, max: number): value is string[] =>
  Array.isArray(value) && value.length <= max && value.every((s) => typeof s === 'string' && s.length > 0 && s.length <= MAX_ID_LENGTH);

/**
 * Read what the host posted. Messages that are not the lab's (no `parallel-lab/` type) are ignored; the
 * lab's with a wrong shape or version are refused with the reason. Never throws, whatever `data` is.
 */
export function readHostMessage(data: unknown): ReadOutcome {
  try {
    if (!isRecord(data) || typeof data.type !== 'string' || !data.type.startsWith(MESSAGE_PREFIX)) return { kind: 'ignored' };
    const id = typeof data.id === 'string' && data.id.length > 0 && data.id.length <= MAX_ID_LENGTH ? data.id : undefined;
    const refuse = (reason: string): ReadOutcome => ({ kind: 'refused', ...(id !== undefined ? { id } : {}), reason });
    if (data.v !== EMBED_PROTOCOL_VERSION) {
      return refuse(`Unknown message version ${JSON.stringify(data.v)?.slice(0, 20) ?? String(data.v)}: this lab speaks version ${EMBED_PROTOCOL_VERSION}.`);
    }
    if (id === undefined) return refuse(`A message needs an id: a string of 1 to ${MAX_ID_LENGTH} characters.`);
    if (data.type === 'parallel-lab/cancel') return { kind: 'message', message: { type: data.type, v: 1, id } };
    if (data.type !== 'parallel-lab/run') return refuse(`Unknown message type "${data.type.slice(0, 60)}": the lab takes parallel-lab/run and parallel-lab/cancel.`);
    if (!isStringList(data.experiments, 64) || data.experiments.length === 0) {
      return refuse('experiments must be a non-empty list of experiment ids.');
    }
    const preset = data.preset ?? 'default';
    if (typeof preset !== 'string' || !(PRESETS as readonly string[]).includes(preset)) {
      return refuse(`preset must be one of ${PRESETS.join(', ')}.`);
    }
    if (data.params !== undefined && !(isRecord(data.params) && Object.values(data.params).every(isRecord))) {
      return refuse('params must map experiment ids to objects of parameter values, e.g. { "cpu-heavy": { "tasks": 8 } }.');
    }
    if (data.backends !== undefined && !isStringList(data.backends, 32)) return refuse('backends must be a list of backend ids.');
    return {
      kind: 'message',
      message: {
        type: 'parallel-lab/run',
        v: 1,
        id,
        experiments: [...data.experiments],
        preset: preset as Preset,
        ...(data.params !== undefined ? { params: data.params as Record<string, Record<string, unknown>> } : {}),
        ...(data.backends !== undefined ? { backends: [...data.backends] } : {}),
      },
    };
  } catch (error) {
    // A getter that throws, a proxy: whatever the host sent, the frame answers instead of failing.
    return { kind: 'refused', reason: `The message could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The suite request a run message asks for (checked further by validateSuiteRequest before it runs). */
export function suiteRequestOf(message: RunMessage): SuiteRequest {
  return {
    experiments: message.experiments,
    preset: message.preset,
    ...(message.params ? { params: message.params } : {}),
    ...(message.backends ? { backends: message.backends as SuiteRequest['backends'] } : {}),
  };
}

/**
 * `?parentOrigin=https://a.example&parentOrigin=https://b.example` (or comma-separated): the only parents
 * allowed to drive the lab and to receive its results. Entries that are not origins are reported, not
 * silently dropped; no entry means any parent.
 */
export function parseParentOrigins(search: string): { origins: string[]; invalid: string[] } {
  const query = new URLSearchParams(search);
  const entries = query.getAll('parentOrigin').flatMap((value) => value.split(',')).map((s) => s.trim()).filter(Boolean);
  const origins: string[] = [];
  const invalid: string[] = [];
  for (const entry of entries.slice(0, 16)) {
    let origin: string | undefined;
    try {
      const url = new URL(entry);
      if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === entry.replace(/\/$/, '')) origin = url.origin;
    } catch {
      origin = undefined;
    }
    if (origin) origins.push(origin);
    else invalid.push(entry.slice(0, 100));
  }
  return { origins, invalid: entries.length > 16 ? [...invalid, `${entries.length - 16} more`] : invalid };
}
