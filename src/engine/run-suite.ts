/** Runs a list of experiments into one results document: the code path of the Run button and of the CLI. */
import { isAbortError } from '../executors/abort.ts';
import { defaultSampling, quickSampling, thoroughSampling } from '../measure/sampling.ts';
import { RESULTS_SCHEMA_ID } from '../results/documents.ts';
import type { EnvironmentReport, ExperimentResult, Results } from '../results/schema.ts';
import { workloadById } from '../workloads/registry.ts';
import type { BackendId, Preset } from '../workloads/types.ts';
import { experimentEstimateMs, SuiteClock } from './eta.ts';
import { checkPreset, ParamError, resolveParams } from './params.ts';
import { plannedConfigurationCount, runExperiment, type ExperimentContext, type Progress } from './run-experiment.ts';
import { BACKEND_IDS, isBackendId, type Capabilities } from './backends.ts';
import { defaultWatchdog } from './watchdog.ts';
import { AFTER_CHECK_MIN_RUN_MS, tryCoreCheck, withCoreFigures, type CoreCheck } from './suite-cores.ts';
import { coresForScaling } from '../measure/usable-cores.ts';

export const APP = { name: 'parallel-lab', version: '0.1.0' } as const;

/** What to run: experiment ids, a preset, per-experiment parameter overrides, optionally only some backends. */
export interface SuiteRequest {
  experiments: string[];
  preset: Preset;
  params?: Record<string, Record<string, unknown>>;
  backends?: BackendId[];
  /**
   * The watchdog's floor in ms (WATCHDOG_FLOOR_RANGE_MS; defaultWatchdog's otherwise): a page running short
   * experiments can hear of a worker that stopped answering sooner than the generous default lets it.
   */
  watchdogFloorMs?: number;
}

/** The watchdog floors a request may ask for: a second at least (a GC pause is no hang), ten minutes at most. */
export const WATCHDOG_FLOOR_RANGE_MS = { min: 1_000, max: 600_000 } as const;

export interface SuiteHooks {
  signal: AbortSignal;
  onProgress?: (progress: Progress & { experimentIndex: number; experimentCount: number; remainingMs: number }) => void;
  /** Called as soon as each experiment finishes, so a later crash loses only the one running. */
  onExperimentDone?: (experiment: ExperimentResult) => void;
  random?: () => number;
  createPool?: ExperimentContext['createPool'];
  /** The busy-machine check, run before the experiments and after long ones; left out, nothing is measured or recorded. */
  checkCores?: CoreCheck;
  /** Experiments that ran less than this (ms) get no check after them; AFTER_CHECK_MIN_RUN_MS unless given. */
  afterCheckMinRunMs?: number;
}

/**
 * Validate the whole request before running anything: a bad parameter in the last experiment
 * should not surface after the first has spent a minute.
 */
export function validateSuiteRequest(request: SuiteRequest): void {
  // It may come from a page script through window.parallelLab: every field is checked for its type first.
  const given: unknown = request;
  if (given === null || typeof given !== 'object') throw new ParamError('A run request must be an object: { experiments, preset }.');
  const { experiments, params, backends } = given as Record<string, unknown>;
  if (!Array.isArray(experiments)) throw new ParamError('experiments must be a list of experiment ids.');
  if (experiments.length === 0) throw new ParamError('No experiment was selected.');
  for (const id of experiments) {
    if (typeof id !== 'string') throw new ParamError('experiments must be a list of experiment ids (text).');
  }
  const preset = checkPreset((given as Record<string, unknown>).preset);
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
    throw new ParamError('params must be an object: { "experiment-id": { key: number } }.');
  }
  const perExperiment = (params ?? {}) as Record<string, unknown>;
  for (const id of experiments as string[]) {
    resolveParams(workloadById(id), preset, Object.hasOwn(perExperiment, id) ? perExperiment[id] : undefined);
  }
  for (const id of Object.keys(perExperiment)) {
    if (!(experiments as string[]).includes(id)) workloadById(id);
  }
  const { watchdogFloorMs } = given as Record<string, unknown>;
  if (
    watchdogFloorMs !== undefined &&
    !(Number.isInteger(watchdogFloorMs) && (watchdogFloorMs as number) >= WATCHDOG_FLOOR_RANGE_MS.min && (watchdogFloorMs as number) <= WATCHDOG_FLOOR_RANGE_MS.max)
  ) {
    throw new ParamError(
      `watchdogFloorMs must be a whole number of ms between ${WATCHDOG_FLOOR_RANGE_MS.min.toLocaleString('en-US')} and ${WATCHDOG_FLOOR_RANGE_MS.max.toLocaleString('en-US')}.`,
    );
  }
  if (backends !== undefined && !Array.isArray(backends)) throw new ParamError('backends must be a list of backend ids.');
  for (const backend of (backends ?? []) as unknown[]) {
    if (typeof backend !== 'string' || !isBackendId(backend)) {
      throw new ParamError(`Unknown backend "${String(typeof backend === 'string' ? backend.slice(0, 80) : typeof backend)}". Known: ${BACKEND_IDS.join(', ')}.`);
    }
  }
}

export async function runSuite(
  request: SuiteRequest,
  environment: EnvironmentReport,
  capabilities: Capabilities,
  hooks: SuiteHooks,
): Promise<Results> {
  validateSuiteRequest(request);
  const coresBefore = await tryCoreCheck(hooks.checkCores, capabilities.workers, hooks.signal);
  // Sweeps and fits plan for the cores the machine has: fewer than reported when the browser overstates them.
  const plannedCores = coresForScaling(environment.hardwareConcurrency, coresBefore);
  const results: Results = {
    schema: RESULTS_SCHEMA_ID,
    createdAt: new Date().toISOString(),
    app: { ...APP },
    environment: withCoreFigures(environment, coresBefore, undefined),
    experiments: [],
  };
  const sampling = request.preset === 'quick' ? quickSampling : request.preset === 'thorough' ? thoroughSampling : defaultSampling;
  const clock = new SuiteClock(
    request.experiments.map((id) => {
      const workload = workloadById(id);
      const params = resolveParams(workload, request.preset, request.params?.[id]);
      return experimentEstimateMs(plannedConfigurationCount(workload, params, plannedCores, sampling.oversubscribe), sampling);
    }),
  );
  const experimentsStart = performance.now();
  for (const [experimentIndex, id] of request.experiments.entries()) {
    const experimentStart = performance.now();
    try {
      const experiment = await runExperiment(
        {
          workload: workloadById(id),
          preset: request.preset,
          overrides: request.params?.[id] ?? {},
          ...(request.backends ? { backends: request.backends } : {}),
        },
        {
          signal: hooks.signal,
          random: hooks.random ?? Math.random,
          capabilities,
          hardwareConcurrency: plannedCores,
          ...(request.watchdogFloorMs !== undefined ? { watchdog: { ...defaultWatchdog, floorMs: request.watchdogFloorMs } } : {}),
          timerResolutionMs: environment.timerResolutionMs,
          sampling,
          onProgress: (p) =>
            hooks.onProgress?.({
              ...p,
              experimentIndex,
              experimentCount: request.experiments.length,
              remainingMs: clock.remainingMs(experimentIndex, p.fraction, performance.now() - experimentStart),
            }),
          ...(hooks.createPool ? { createPool: hooks.createPool } : {}),
        },
      );
      clock.finished(experimentIndex, performance.now() - experimentStart);
      results.experiments.push(experiment);
      hooks.onExperimentDone?.(experiment);
    } catch (error) {
      if (isAbortError(error)) {
        results.cancelled = true;
        break;
      }
      throw error;
    }
  }
  const ranLongEnough = performance.now() - experimentsStart >= (hooks.afterCheckMinRunMs ?? AFTER_CHECK_MIN_RUN_MS);
  if (!results.cancelled && ranLongEnough) {
    const coresAfter = await tryCoreCheck(hooks.checkCores, capabilities.workers, hooks.signal);
    results.environment = withCoreFigures(environment, coresBefore, coresAfter);
  }
  return results;
}
