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

  private opening: Promise<History | null> | null = null;
  /** Writes run one after another: an experiment is never appended before its run exists. */
  private writes: Promise<void> = Promise.resolve();
  /** The run this page is recording, once its record exists; null when it could not be started. */
  private currentRun: Promise<string | null> = Promise.resolve(null);

  constructor(private readonly databaseName?: string) {}

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
      this.runs = await history.listRuns();
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

  async delete(runId: string): Promise<void> {
    const history = await this.require();
    await history.deleteRun(runId);
    await this.refreshWith(history);
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The page's history (the lab's runs are recorded into it from main.ts). */
export const savedRuns = new HistoryController();
