/** The page's single lab controller: UI state as runes, and the one path every run takes (button or API). */
import { capabilitiesOf, collectEnvironment } from '../env/capabilities.ts';
import { measureUsableCores } from '../env/usable-cores-check.ts';
import { whenPageIdle } from '../env/page-idle.ts';
import { throttledLatest } from './throttled-latest.ts';
import { terminateAllWorkers } from '../executors/worker-pool.ts';
import { runSuite, validateSuiteRequest, type SuiteRequest } from '../engine/run-suite.ts';
import type { Progress } from '../engine/run-experiment.ts';
import type { MachineCores } from '../analysis/machine-reading.ts';
import type { EnvironmentReport, ExperimentResult, Results } from '../results/schema.ts';

export type RunStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

/** Progress across the whole suite, as the progress bar and `parallelLab.progress()` show it. */
export interface SuiteProgress extends Progress {
  experimentIndex: number;
  experimentCount: number;
  /** 0..1 through the suite. */
  overall: number;
  label: string;
  /** Estimated from the preset's budgets and the pace so far, e.g. "about 40 s left". */
  remainingMs: number;
  timeLeft: string;
}

/**
 * Told as a run starts, as each experiment finishes and as the run ends, so the history can save a run as it
 * goes. Observers must not throw into the run; one that does is ignored.
 */
export interface RunObserver {
  runStarted(environment: EnvironmentReport): void;
  experimentDone(experiment: ExperimentResult): void;
  runEnded(outcome: { cancelled: boolean }): void;
  /** As the run goes (an embedding page passes it on to its host); optional. */
  progressed?(progress: SuiteProgress): void;
}

/** How often the progress bar is redrawn during a run: often enough to watch, rarely enough to stay out of the samples. */
const SHOW_PROGRESS_EVERY_MS = 250;

export class LabController {
  environment = $state.raw<EnvironmentReport | null>(null);
  status = $state<RunStatus>('idle');
  /** The run's progress as of now: what `parallelLab.progress()` answers. */
  progress: SuiteProgress | null = null;
  /**
   * What the progress bar shows, and what an embedding page hears: the latest progress at most every
   * SHOW_PROGRESS_EVERY_MS. Redrawn after every sample, the page would paint inside the timed runs of every fast
   * configuration, on the cores the lanes are measured on.
   */
  shownProgress = $state.raw<SuiteProgress | null>(null);
  /** The latest result of each experiment, by id, whichever run produced it. */
  latest = $state.raw<Record<string, ExperimentResult>>({});
  lastResults = $state.raw<Results | null>(null);
  /** What the busy-machine check found during the run that produced each experiment's latest result, by id. */
  machineOf = $state.raw<Record<string, MachineCores>>({});
  message = $state<string | null>(null);

  private abortController: AbortController | null = null;
  private readonly progressDisplay = throttledLatest<SuiteProgress>(SHOW_PROGRESS_EVERY_MS, (progress) => {
    this.shownProgress = progress;
    this.tell((o) => o.progressed?.(progress));
  });
  private environmentPromise: Promise<EnvironmentReport> | null = null;
  private observers: RunObserver[] = [];

  /** Watch every run; returns the function that stops watching. */
  observe(observer: RunObserver): () => void {
    this.observers.push(observer);
    return () => (this.observers = this.observers.filter((o) => o !== observer));
  }

  private tell(call: (observer: RunObserver) => void): void {
    for (const observer of this.observers) {
      try {
        call(observer);
      } catch (error) {
        // Saving is a convenience: a failing observer must not stop or fail the measurement.
        console.error(error);
      }
    }
  }

  /** Detect the environment once; every run reuses it. */
  loadEnvironment(): Promise<EnvironmentReport> {
    this.environmentPromise ??= collectEnvironment().then((env) => (this.environment = env));
    return this.environmentPromise;
  }

  get running(): boolean {
    return this.status === 'running';
  }

  /** Run a suite. Rejects at once, changing nothing, when the request is invalid or a run is in progress. */
  async run(request: SuiteRequest): Promise<Results> {
    if (this.running) throw new Error('A run is already in progress: cancel it or wait for it to finish.');
    validateSuiteRequest(request);
    const environment = await this.loadEnvironment();
    const abortController = new AbortController();
    this.abortController = abortController;
    this.status = 'running';
    this.message = null;
    this.setProgress(null);
    // Hidden pages get throttled timers and lower priority: an experiment that ran while hidden says so.
    let hiddenDuringExperiment = document.hidden;
    const onVisibility = () => (hiddenDuringExperiment ||= document.hidden);
    document.addEventListener('visibilitychange', onVisibility);
    this.tell((o) => o.runStarted(environment));
    let cancelled = true;
    try {
      const results = await runSuite(request, environment, capabilitiesOf(environment), {
        signal: abortController.signal,
        // After the page has drawn what it just showed (the last experiment's charts), not while it draws them.
        checkCores: async (signal) => {
          await whenPageIdle();
          return measureUsableCores(environment.hardwareConcurrency, signal, { timerResolutionMs: environment.timerResolutionMs });
        },
        onProgress: (p) => this.setProgress(describeProgress(p)),
        onExperimentDone: (experiment) => {
          if (hiddenDuringExperiment) {
            experiment.warnings = [
              ...(experiment.warnings ?? []),
              'The page was hidden during this experiment: browsers throttle hidden pages, so its timings may be inflated.',
            ];
          }
          hiddenDuringExperiment = document.hidden;
          this.latest = { ...this.latest, [experiment.id]: experiment };
          this.tell((o) => o.experimentDone(experiment));
        },
      });
      this.lastResults = results;
      this.machineOf = { ...this.machineOf, ...Object.fromEntries(results.experiments.map((e) => [e.id, results.environment])) };
      cancelled = results.cancelled === true;
      this.status = results.cancelled ? 'cancelled' : 'done';
      if (results.cancelled) this.message = `Cancelled: ${String(abortController.signal.reason ?? 'by request')}`;
      return results;
    } catch (error) {
      this.status = 'failed';
      this.message = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      // A failed run did not finish either: it is saved as cancelled, with the experiments it completed.
      this.tell((o) => o.runEnded({ cancelled }));
      document.removeEventListener('visibilitychange', onVisibility);
      this.abortController = null;
      this.setProgress(null);
    }
  }

  /** Record progress at once; show it (and tell the observers) at most every SHOW_PROGRESS_EVERY_MS. */
  private setProgress(progress: SuiteProgress | null): void {
    this.progress = progress;
    if (progress) {
      this.progressDisplay.push(progress);
      return;
    }
    this.progressDisplay.reset();
    this.shownProgress = null;
  }

  /** Stop the run at the next task boundary; its workers are terminated at once. */
  cancel(reason = 'cancelled by the user'): void {
    if (!this.abortController) return;
    this.abortController.abort(reason);
    terminateAllWorkers();
  }
}

/** "about 40 s left", rounded so it does not flicker: to 5 s under a minute, to the quarter minute above. */
export function formatTimeLeft(remainingMs: number): string {
  const seconds = remainingMs / 1000;
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 5) return 'a few seconds left';
  if (seconds < 60) return `about ${Math.ceil(seconds / 5) * 5} s left`;
  return `about ${(Math.ceil((seconds / 60) * 4) / 4).toLocaleString('en')} min left`;
}

function describeProgress(p: Progress & { experimentIndex: number; experimentCount: number; remainingMs: number }): SuiteProgress {
  const lanes = p.backend === 'serial' ? '' : ` × ${p.workers}`;
  const pass = p.rounds > 1 ? `round ${p.round + 1} of ${p.rounds}, ` : '';
  const step = p.phase === 'warm-up' ? `${pass}warm-up` : `${pass}sample ${p.sample + 1} of ${p.sampleCount}`;
  return {
    ...p,
    overall: (p.experimentIndex + p.fraction) / p.experimentCount,
    label: `${p.experimentId}: ${p.backend}${lanes}, ${step}`,
    timeLeft: formatTimeLeft(p.remainingMs),
  };
}

export const lab = new LabController();
