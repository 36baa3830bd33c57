/**
 * The page's saved runs: opens the IndexedDB history once, records every local run as it goes (one write per
 * finished experiment, in order), and keeps the list the history view shows. When IndexedDB cannot be used,
 * the lab runs as before and `problem` holds the one message to show.
 */
import { APP } from '../engine/run-suite.ts';
import { openHistory, type History, type RunSource, type RunSummary } from '../results/history.ts';
import type { EnvironmentReport, ExperimentResult, Results } from '../results/schema.ts';
import type { RunObserver } from './lab.svelte.ts';

export class HistoryController implements RunObserver {
  /** Saved runs, newest first. */
  runs = $state.raw<RunSummary[]>([]);
  /** Why runs are not being saved, for the person using the page; null while all is well. */
  problem = $state<string | null>(null);
  /** The run being recorded now, so the list can say "running" rather than "unfinished". */
  recordingId = $state<string | null>(null);
  /** A run deleted from the list but kept on disk until the undo period ends, for the "Deleted. Undo" notice. */
  pendingDelete = $state.raw<RunSummary | null>(null);

  private opening: Promise<History | null> | null = null;
  /** Writes run one after another: an experiment is never appended before its run exists. */
  private writes: Promise<void> = Promise.resolve();
  /** The run this page is recording, once its record exists; null when it could not be started. */
  private currentRun: Promise<string | null> = Promise.resolve(null);
  /** Ends the pending delete's undo period: commits it (true) or takes it back (false). */
  private settleDelete: ((commit: boolean) => void) | null = null;
  /** The pending delete, settled once it is committed or undone. */
  private deleting: Promise<unknown> = Promise.resolve();

  /** `undoMs`: how long a deleted run can be brought back before it is removed from disk. */
  constructor(
    private readonly databaseName?: string,
    private readonly undoMs = DELETE_UNDO_MS,
  ) {}

  /** Open the database once; null (with `problem` set) when it cannot be used. */
  open(): Promise<History | null> {
    this.opening ??= openHistory(this.databaseName ? { name: this.databaseName } : {}).then(
      async (history) => {
        await this.refreshWith(history);
        return history;
      },
      (error: unknown) => {
        this.problem = messageOf(error);
        return null;
      },
    );
    return this.opening;
  }

  /** Re-read the list of runs. */
  async refresh(): Promise<RunSummary[]> {
    const history = await this.open();
    if (history) await this.refreshWith(history);
    return this.runs;
  }

  private async refreshWith(history: History): Promise<void> {
    try {
      const pending = this.pendingDelete?.id;
      this.runs = (await history.listRuns()).filter((run) => run.id !== pending);
    } catch (error) {
      this.problem = messageOf(error);
    }
  }

  runStarted(environment: EnvironmentReport): void {
    this.currentRun = this.enqueue(async (history) => {
      const id = await history.startRun(environment, { app: { ...APP } });
      this.recordingId = id;
      return id;
    });
  }

  experimentDone(experiment: ExperimentResult): void {
    const run = this.currentRun;
    void this.enqueue(async (history) => {
      const id = await run;
      if (id) await history.appendExperiment(id, experiment);
    }, () => {
      // Stop recording this run (later experiments would leave gaps), unless another run has begun since.
      if (this.currentRun !== run) return;
      this.currentRun = Promise.resolve(null);
      this.recordingId = null;
    });
  }

  runEnded(outcome: { cancelled: boolean }): void {
    const run = this.currentRun;
    this.currentRun = Promise.resolve(null);
    void this.enqueue(async (history) => {
      const id = await run;
      if (id === null) return;
      try {
        await history.finishRun(id, outcome);
      } finally {
        if (this.recordingId === id) this.recordingId = null;
      }
    });
  }

  /** A saved run as a results document. */
  async get(runId: string): Promise<Results> {
    const history = await this.require();
    const results = await history.getRun(runId);
    if (!results) throw new Error('That run is no longer saved (it was deleted, perhaps in another tab).');
    return results;
  }

  /**
   * Delete a run, with a chance to undo: it leaves the list at once and the disk when the undo period ends
   * (or the next delete begins, or flushDelete() is called). Resolves true once it is removed, false if undone.
   * A page closed meanwhile keeps the run: the safe way to fail.
   */
  async delete(runId: string): Promise<boolean> {
    const history = await this.require();
    await this.flushDelete();
    const run = this.runs.find((r) => r.id === runId);
    if (!run) throw new Error('That run is no longer saved (it was deleted, perhaps in another tab).');
    this.pendingDelete = run;
    this.runs = this.runs.filter((r) => r.id !== runId);
    const deleting = this.deleteAfterUndoPeriod(history, runId);
    this.deleting = deleting.catch(() => false);
    return deleting;
  }

  private async deleteAfterUndoPeriod(history: History, runId: string): Promise<boolean> {
    const commit = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => this.settleDelete?.(true), this.undoMs);
      this.settleDelete = (value) => {
        clearTimeout(timer);
        this.settleDelete = null;
        resolve(value);
      };
    });
    try {
      if (commit) await history.deleteRun(runId);
    } finally {
      this.pendingDelete = null;
      await this.refreshWith(history);
    }
    return commit;
  }

  /** Bring back the run whose delete is pending. */
  undoDelete(): void {
    this.settleDelete?.(false);
  }

  /** Remove the pending run from disk now rather than at the end of its undo period. */
  async flushDelete(): Promise<void> {
    this.settleDelete?.(true);
    await this.deleting;
  }

  /** Save results read from a file or link; the same run saved before gives the existing copy's id. */
  async save(results: Results, source: Exclude<RunSource, 'local'>): Promise<{ runId: string; alreadySaved: boolean }> {
    const history = await this.require();
    const outcome = await history.importRun(results, source);
    await this.refreshWith(history);
    return outcome;
  }

  /** Resolves when every write queued so far has been committed (or has failed). */
  settled(): Promise<void> {
    return this.writes;
  }

  private async require(): Promise<History> {
    const history = await this.open();
    if (!history) throw new Error(this.problem ?? 'Saved history is not available.');
    return history;
  }

  /**
   * Queue a write after the ones before it, then refresh the list. A failure is shown once and ends
   * recording of the current run (`onFailure`); it never reaches the run itself.
   */
  private enqueue<T>(write: (history: History) => Promise<T>, onFailure?: () => void): Promise<T | null> {
    const done = this.writes.then(async () => {
      const history = await this.open();
      if (!history) return null;
      try {
        const value = await write(history);
        await this.refreshWith(history);
        return value;
      } catch (error) {
        this.problem = `This run is no longer being saved: ${messageOf(error)}`;
        onFailure?.();
        return null;
      }
    });
    this.writes = done.then(() => undefined);
    return done;
  }
}

/** How long "Deleted. Undo" stays before the run leaves the disk. */
export const DELETE_UNDO_MS = 10_000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The page's history (the lab's runs are recorded into it from main.ts). */
export const savedRuns = new HistoryController();
