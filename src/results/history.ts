/**
 * Saved runs in IndexedDB (through `idb`). A local run is written as it goes: one record per run, one per
 * finished experiment, each write committed before its promise resolves, so a reload or crash mid-suite
 * loses at most the experiment that was running. Imported files and links are saved the same way.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { RESULTS_SCHEMA_ID } from './documents.ts';
import type { EnvironmentReport, ExperimentResult, Results } from './schema.ts';

/** The validator, loaded when a saved run is first read or an outside one saved: the history list needs none. */
const loadValidator = () => import('./validate.ts');

/** The database name the page uses; tests pass their own. */
export const HISTORY_DB_NAME = 'parallel-lab-history';
const DB_VERSION = 1;
/** A results document holds at most this many experiments (the schema's bound). */
const MAX_EXPERIMENTS_PER_RUN = 100;

/** Where a saved run came from: this page, an imported file, or a share link. */
export type RunSource = 'local' | 'file' | 'link';
/** `unfinished`: never finished, so either running now or cut off by a reload or crash. */
export type SavedRunStatus = 'unfinished' | 'complete' | 'cancelled';

/** One line of the history list. */
export interface RunSummary {
  id: string;
  createdAt: string;
  browser: { name: string; version: string };
  hardwareConcurrency: number;
  os?: string;
  experimentIds: string[];
  /** Finished without being cancelled. */
  complete: boolean;
  status: SavedRunStatus;
  source: RunSource;
}

interface RunRecord {
  id: string;
  createdAt: string;
  app: Results['app'];
  environment: EnvironmentReport;
  source: RunSource;
  status: SavedRunStatus;
  experimentIds: string[];
  finishedAt?: string;
}

interface ExperimentRecord {
  runId: string;
  index: number;
  experiment: ExperimentResult;
}

interface HistorySchema extends DBSchema {
  runs: { key: string; value: RunRecord; indexes: { createdAt: string } };
  experiments: { key: [string, number]; value: ExperimentRecord };
}

/** A history operation failed; `message` is written for the person using the page. */
export class HistoryError extends Error {
  override name = 'HistoryError';
}

/** IndexedDB cannot be used here (private mode, blocked storage, another tab holding an old version). */
export class HistoryUnavailableError extends HistoryError {
  override name = 'HistoryUnavailableError';
}

/** How to open the history. */
export interface OpenHistoryOptions {
  /** Database name (tests use their own). */
  name?: string;
  /** Give up on an open that never answers (seen in some browsers' private modes). */
  timeoutMs?: number;
}

/** The saved runs; get one with openHistory(). */
export interface History {
  /** Start a local run; returns its id. `app` is the lab's name and version as results record it. */
  startRun(environment: EnvironmentReport, options: { app: Results['app']; createdAt?: string }): Promise<string>;
  /** Add a finished experiment to a run; resolves once it is committed to disk. */
  appendExperiment(runId: string, experiment: ExperimentResult): Promise<void>;
  /** Mark a run finished, or cancelled. */
  finishRun(runId: string, outcome: { cancelled: boolean }): Promise<void>;
  /** Every saved run, newest first. */
  listRuns(): Promise<RunSummary[]>;
  /** One run as a results document (an unfinished run reads as cancelled), or undefined if there is none. */
  getRun(runId: string): Promise<Results | undefined>;
  /** Remove a run and its experiments. */
  deleteRun(runId: string): Promise<void>;
  /** Save a results document read from a file or link; the same document saved again returns the first copy. */
  importRun(results: Results, source: Exclude<RunSource, 'local'>): Promise<{ runId: string; alreadySaved: boolean }>;
  /** Close the connection. */
  close(): void;
}

/** Open (creating if needed) the history; rejects with a HistoryUnavailableError the page can show. */
export async function openHistory(options: OpenHistoryOptions = {}): Promise<History> {
  const name = options.name ?? HISTORY_DB_NAME;
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (typeof indexedDB === 'undefined' || !indexedDB) {
    throw new HistoryUnavailableError(
      'Saved history is not available: this browser gives the page no IndexedDB (some private modes turn it off). ' +
        'Results still work; export them to keep them.',
    );
  }
  let blocked = false;
  let closedReason: string | null = null;
  let database: IDBPDatabase<HistorySchema> | undefined;
  let opening: Promise<IDBPDatabase<HistorySchema>>;
  try {
    opening = openDB<HistorySchema>(name, DB_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          const runs = db.createObjectStore('runs', { keyPath: 'id' });
          runs.createIndex('createdAt', 'createdAt');
          db.createObjectStore('experiments', { keyPath: ['runId', 'index'] });
        }
      },
      blocked() {
        blocked = true;
      },
      blocking() {
        // Another tab wants a newer version: let it upgrade rather than hold it up.
        closedReason = 'A newer version of Parallel Lab opened in another tab: reload this page to keep saving runs.';
        database?.close();
      },
      terminated() {
        closedReason = 'The browser closed the history database (storage cleared or a disk error): reload the page.';
      },
    });
  } catch (error) {
    // Some browsers throw from indexedDB.open itself when storage is off.
    throw new HistoryUnavailableError(openFailureMessage(error));
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new HistoryUnavailableError(
          blocked
            ? 'Saved history is waiting for another tab of Parallel Lab that holds an older version open: close it, then reload.'
            : 'Saved history is not available: the browser did not open its database (private mode or blocked storage).',
        ),
      );
    }, timeoutMs);
  });
  try {
    database = await Promise.race([opening, timeout]);
  } catch (error) {
    // An open that answers after the timeout must not leak a connection.
    opening.then((late) => late.close()).catch(() => {});
    throw error instanceof HistoryUnavailableError ? error : new HistoryUnavailableError(openFailureMessage(error));
  } finally {
    clearTimeout(timer);
  }
  return createHistory(database, () => closedReason);
}

function createHistory(db: IDBPDatabase<HistorySchema>, closedReason: () => string | null): History {
  /** Run one operation, turning IndexedDB's errors into messages a person can act on. */
  async function guard<T>(action: string, operation: () => Promise<T>): Promise<T> {
    const reason = closedReason();
    if (reason) throw new HistoryError(reason);
    try {
      return await operation();
    } catch (error) {
      if (error instanceof HistoryError) throw error;
      throw new HistoryError(storageFailureMessage(action, error, closedReason()));
    }
  }

  async function runRecord(runId: string, tx: { objectStore(name: 'runs'): { get(key: string): Promise<RunRecord | undefined> } }) {
    const run = await tx.objectStore('runs').get(runId);
    if (!run) throw new HistoryError(`There is no saved run with id "${runId}" (it may have been deleted).`);
    return run;
  }

  return {
    startRun: (environment, options) =>
      guard('start saving the run', async () => {
        const id = newRunId();
        const record: RunRecord = {
          id,
          createdAt: options.createdAt ?? new Date().toISOString(),
          app: { ...options.app },
          environment,
          source: 'local',
          status: 'unfinished',
          experimentIds: [],
        };
        const tx = db.transaction('runs', 'readwrite', { durability: 'strict' });
        await Promise.all([tx.store.add(record), tx.done]);
        return id;
      }),

    appendExperiment: (runId, experiment) =>
      guard(`save the ${experiment.id} experiment`, async () => {
        // 'strict': the promise resolves once the data is on disk, not merely handed to the OS.
        const tx = db.transaction(['runs', 'experiments'], 'readwrite', { durability: 'strict' });
        const write = async () => {
          const run = await runRecord(runId, tx);
          if (run.experimentIds.length >= MAX_EXPERIMENTS_PER_RUN) {
            throw new HistoryError(`A run holds at most ${MAX_EXPERIMENTS_PER_RUN} experiments.`);
          }
          // The index is read inside the transaction, so overlapping appends still get distinct, ordered slots.
          const index = run.experimentIds.length;
          await tx.objectStore('experiments').add({ runId, index, experiment });
          await tx.objectStore('runs').put({ ...run, experimentIds: [...run.experimentIds, experiment.id] });
        };
        await settle(tx, write);
      }),

    finishRun: (runId, outcome) =>
      guard('finish the run', async () => {
        const tx = db.transaction('runs', 'readwrite', { durability: 'strict' });
        const write = async () => {
          const run = await runRecord(runId, tx);
          const status: SavedRunStatus = outcome.cancelled ? 'cancelled' : 'complete';
          await tx.store.put({ ...run, status, finishedAt: new Date().toISOString() });
        };
        await settle(tx, write);
      }),

    listRuns: () =>
      guard('read the history', async () => {
        const runs = await db.getAllFromIndex('runs', 'createdAt');
        return runs.reverse().map(summaryOf);
      }),

    getRun: (runId) =>
      guard('read the run', async () => {
        const tx = db.transaction(['runs', 'experiments'], 'readonly');
        const run = await tx.objectStore('runs').get(runId);
        if (!run) return undefined;
        const records = await tx.objectStore('experiments').getAll(experimentsOf(runId));
        await tx.done;
        const results: Results = {
          schema: RESULTS_SCHEMA_ID,
          createdAt: run.createdAt,
          app: run.app,
          environment: run.environment,
          experiments: records.sort((a, b) => a.index - b.index).map((r) => r.experiment),
          ...(run.status === 'complete' ? {} : { cancelled: true }),
        };
        const { validateResults } = await loadValidator();
        const checked = validateResults(results, 3);
        if (!checked.ok) {
          throw new HistoryError(
            `The saved run from ${run.createdAt} no longer matches the results format (${checked.errors.join('; ')}). ` +
              'It may come from an older version of the lab; you can delete it.',
          );
        }
        return checked.value;
      }),

    deleteRun: (runId) =>
      guard('delete the run', async () => {
        const tx = db.transaction(['runs', 'experiments'], 'readwrite');
        await Promise.all([tx.objectStore('runs').delete(runId), tx.objectStore('experiments').delete(experimentsOf(runId)), tx.done]);
      }),

    importRun: (results, source) =>
      guard('save the imported results', async () => {
        const { validateResults } = await loadValidator();
        const checked = validateResults(results, 3);
        if (!checked.ok) throw new HistoryError(`These results cannot be saved: ${checked.errors.join('; ')}`);
        const experimentIds = results.experiments.map((e) => e.id);
        const tx = db.transaction(['runs', 'experiments'], 'readwrite', { durability: 'strict' });
        const write = async () => {
          // Opening the same link twice (a reload) must not save it twice; a document that differs in any
          // number is another run, even with the same date, browser and experiments.
          const sameTime = await tx.objectStore('runs').index('createdAt').getAll(results.createdAt);
          const wanted = canonicalJson(contentOf(results.app, results.environment, results.experiments, Boolean(results.cancelled)));
          for (const run of sameTime) {
            if (run.environment.userAgent !== results.environment.userAgent || run.experimentIds.join('\n') !== experimentIds.join('\n')) continue;
            const records = await tx.objectStore('experiments').getAll(experimentsOf(run.id));
            const saved = records.sort((a, b) => a.index - b.index).map((r) => r.experiment);
            if (canonicalJson(contentOf(run.app, run.environment, saved, run.status !== 'complete')) === wanted) {
              return { runId: run.id, alreadySaved: true };
            }
          }
          const runId = newRunId();
          await tx.objectStore('runs').add({
            id: runId,
            createdAt: results.createdAt,
            app: results.app,
            environment: results.environment,
            source,
            status: results.cancelled ? 'cancelled' : 'complete',
            experimentIds,
          });
          const experiments = tx.objectStore('experiments');
          for (const [index, experiment] of results.experiments.entries()) await experiments.add({ runId, index, experiment });
          return { runId, alreadySaved: false };
        };
        return await settle(tx, write);
      }),

    close: () => db.close(),
  };
}

/** What makes two saved runs the same run: everything but where it came from and its id. */
function contentOf(app: Results['app'], environment: EnvironmentReport, experiments: ExperimentResult[], cancelled: boolean) {
  return { app, environment, experiments, cancelled };
}

/** JSON with object keys sorted, so that the same content written in another key order compares equal. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    // fromEntries defines own properties: a "__proto__" key stays a key.
    return Object.fromEntries(Object.keys(v).sort().map((key) => [key, (v as Record<string, unknown>)[key]]));
  });
}

/**
 * Run a transaction's writes and wait for its commit; on failure, abort it and throw the most telling error:
 * the write's own (say QuotaExceededError) rather than the bare AbortError that the abort itself causes.
 */
async function settle<T>(tx: { abort(): void; done: Promise<void> }, write: () => Promise<T>): Promise<T> {
  const [written, committed] = await Promise.allSettled([write().catch((error: unknown) => abortWith(tx, error)), tx.done]);
  const errors = [written, committed].filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
  if (errors.length > 0) throw errors.find((e) => (e as { name?: unknown } | null)?.name !== 'AbortError') ?? errors[0];
  return (written as PromiseFulfilledResult<T>).value;
}

/** Abort the transaction (so tx.done rejects and nothing half-written stays) and pass the error on. */
function abortWith(tx: { abort(): void }, error: unknown): never {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted: the error below is what matters.
  }
  throw error;
}

function experimentsOf(runId: string): IDBKeyRange {
  return IDBKeyRange.bound([runId, 0], [runId, Number.MAX_SAFE_INTEGER]);
}

function summaryOf(run: RunRecord): RunSummary {
  return {
    id: run.id,
    createdAt: run.createdAt,
    browser: { ...run.environment.browser },
    hardwareConcurrency: run.environment.hardwareConcurrency,
    ...(run.environment.os !== undefined ? { os: run.environment.os } : {}),
    experimentIds: [...run.experimentIds],
    complete: run.status === 'complete',
    status: run.status,
    source: run.source,
  };
}

/** crypto.randomUUID exists only in secure contexts; a page opened over plain http on a LAN address has none. */
function newRunId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function openFailureMessage(error: unknown): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  const detail = error instanceof Error ? error.message : String(error);
  switch (name) {
    case 'SecurityError':
    case 'InvalidStateError':
      return 'Saved history is turned off: the browser does not let this page store data (private browsing or a site-data setting).';
    case 'VersionError':
      return 'The saved history was written by a newer version of Parallel Lab: reload the page to get that version.';
    case 'QuotaExceededError':
      return "Saved history is not available: the browser's storage for this site is full.";
    default:
      return `Saved history is not available: ${name ? `${name}: ` : ''}${detail}`;
  }
}

function storageFailureMessage(action: string, error: unknown, closedReason: string | null): string {
  if (closedReason) return closedReason;
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  const detail = error instanceof Error ? error.message : String(error);
  if (name === 'QuotaExceededError') {
    return `Could not ${action}: the browser's storage for this site is full. Delete old runs from the history; the results on screen are not lost.`;
  }
  if (name === 'InvalidStateError') return `Could not ${action}: the history database was closed. Reload the page.`;
  // A transaction the browser aborted says only "AbortError": most often the storage quota ran out at commit.
  if (name === 'AbortError') {
    return (
      `Could not ${action}: the browser stopped the write before it finished, most often because the storage for this ` +
      'site is full. Nothing was saved; delete old runs from the history and try again. The results on screen are not lost.'
    );
  }
  return `Could not ${action}: ${name ? `${name}: ` : ''}${detail}`;
}
