/** Runs one experiment: every configuration warmed up, sampled, verified, summarised, and fitted. */
import { isAbortError, raceAbort, throwIfAborted } from '../executors/abort.ts';
import { GpuDeviceHolder } from '../executors/gpu-device.ts';
import { isUnavailableError } from '../executors/unavailable.ts';
import { WorkerPool } from '../executors/worker-pool.ts';
import { nextMacrotask } from '../executors/yield.ts';
import { epochNowMs } from '../measure/clock.ts';
import { planSampleCount, wantsAnotherSample, warmedUp, type SamplingPolicy } from '../measure/sampling.ts';
import { median, relativeHalfWidth, roundsConfidenceInterval } from '../measure/stats.ts';
import { round3, toTimeline, type TaskSpan } from '../measure/timeline.ts';
import type { BackendResult, ExperimentResult, MeasuredResult } from '../results/schema.ts';
import { implementationOf, type BackendId, type Configuration, type Params, type Preset, type RunContext, type SetupOutcome, type Workload } from '../workloads/types.ts';
import { fitSweeps, addSpeedups } from './scaling.ts';
import { createExecutor, unavailableReason, type Capabilities } from './backends.ts';
import { resolveParams } from './params.ts';
import { SizeGrowth } from './size-growth.ts';
import { plannedConfigurations, withinLanePlan } from './sweep.ts';
import { defaultWatchdog, runTimeoutMs, watch, WatchdogError, type WatchdogPolicy } from './watchdog.ts';

/** Where a run is, for the progress bar and the headless runner. */
export interface Progress {
  experimentId: string;
  backend: string;
  workers: number;
  size?: number;
  variant?: string;
  phase: 'set-up' | 'warm-up' | 'sampling';
  sample: number;
  sampleCount: number;
  configIndex: number;
  configCount: number;
  /** Which pass over the configurations this is (see SamplingPolicy.rounds), from 0. */
  round: number;
  rounds: number;
  /** 0..1 through this experiment. */
  fraction: number;
}

export interface ExperimentContext {
  signal: AbortSignal;
  random: () => number;
  capabilities: Capabilities;
  hardwareConcurrency: number;
  timerResolutionMs: number;
  sampling: SamplingPolicy;
  onProgress?: (progress: Progress) => void;
  /** Creates the worker pool; tests pass one with a fixture worker. */
  createPool?: () => WorkerPool;
  /** When a configuration that stops making progress is given up; default: defaultWatchdog. */
  watchdog?: WatchdogPolicy;
}

export interface ExperimentRequest {
  workload: Workload;
  preset: Preset;
  overrides?: Record<string, unknown>;
  /** Only these backends (serial is always kept: it is the reference for speedups). */
  backends?: readonly BackendId[];
}

/** Shared by every configuration of one experiment run. */
interface ExperimentScope {
  workload: Workload;
  params: Params;
  ctx: ExperimentContext;
  pool: WorkerPool;
  gpu: GpuDeviceHolder;
  /** Inputs and reference per problem size, made once so every backend gets the same work. */
  prepared: Map<number | undefined, unknown>;
  configCount: number;
  /** The longest run any configuration has made so far: the watchdog's yardstick for one not yet measured. */
  longestRunMs: number | undefined;
}

/** How many configurations an experiment will measure with these parameters (for time estimates). */
export function plannedConfigurationCount(workload: Workload, params: Params, hardwareConcurrency: number, oversubscribe: boolean): number {
  return experimentConfigurations(workload, params, hardwareConcurrency, workload.meta.backends, oversubscribe).length;
}

/** The configurations an experiment measures: the workload's own plan, within the preset's lane plan. */
function experimentConfigurations(
  workload: Workload,
  params: Params,
  hardwareConcurrency: number,
  backends: readonly BackendId[],
  oversubscribe: boolean,
): Configuration[] {
  const planned = workload.configurations
    ? workload.configurations(params, hardwareConcurrency, backends)
    : plannedConfigurations(backends, hardwareConcurrency);
  return withinLanePlan(planned, oversubscribe);
}

/** Run every configuration of one experiment. Cancellation propagates as an AbortError; other failures are results. */
export async function runExperiment(request: ExperimentRequest, ctx: ExperimentContext): Promise<ExperimentResult> {
  const { workload } = request;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const params = resolveParams(workload, request.preset, request.overrides);
  const wanted = request.backends;
  const backends = workload.meta.backends.filter((b) => !wanted || b === 'serial' || wanted.includes(b));
  const configs = experimentConfigurations(workload, params, ctx.hardwareConcurrency, backends, ctx.sampling.oversubscribe);
  const scope: ExperimentScope = {
    workload,
    params,
    ctx,
    pool: ctx.createPool ? ctx.createPool() : new WorkerPool(),
    gpu: new GpuDeviceHolder(),
    prepared: new Map(),
    configCount: configs.length,
    longestRunMs: undefined,
  };
  // Configurations are measured in rounds, each taking its share of every configuration's samples, so a
  // slow spell of a shared machine falls on all of them alike and the ratios between them stay fair.
  const rounds = Math.max(1, ctx.sampling.rounds);
  const outcomes: Array<Collected | BackendResult> = [];
  const growth = workload.sizeGrowth
    ? new SizeGrowth(workload.sizeGrowth.workExponent, ctx.sampling.growth, workload.meta.sizeLabel ?? 'size')
    : undefined;
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [configIndex, planned] of configs.entries()) {
        throwIfAborted(ctx.signal);
        const earlier = outcomes[configIndex];
        if (earlier !== undefined && !isCollected(earlier)) continue; // unavailable, skipped, or failed in an earlier round
        const reason = unavailableReason(planned.backend, ctx.capabilities);
        if (reason !== undefined) {
          outcomes[configIndex] = { ...describeConfig(planned), available: false, reason };
          continue;
        }
        // A lane sweep runs at the largest size its backend reached at the core count, decided in the first round.
        const config = earlier?.config ?? (growth && planned.laneSweep ? atLargestReached(planned, growth, ctx.hardwareConcurrency) : planned);
        if (round === 0 && growth) {
          const skip = growth.skipReason(config, performance.now() - t0);
          if (skip !== undefined) {
            outcomes[configIndex] = { ...describeConfig(config), available: false, reason: skip, skipped: true };
            continue;
          }
        }
        const outcome = await measureRound(scope, config, { configIndex, round, rounds }, earlier);
        outcomes[configIndex] = outcome;
        if (round === 0 && growth && isCollected(outcome)) growth.record(config, typicalRunMs(outcome), typicalKernelMs(outcome));
      }
    }
  } finally {
    // Spawn cost is its own experiment: the pool lives for this experiment's samples, then goes.
    scope.pool.terminate();
    await scope.gpu.destroy();
  }
  const results = outcomes.map((o) => (isCollected(o) ? summarizeCollected(scope, o) : o));
  addSpeedups(results);
  const derived = workload.summarize?.(results, params);
  const first = scope.prepared.values().next().value;
  return {
    id: workload.meta.id,
    title: workload.meta.title,
    preset: request.overrides && Object.keys(request.overrides).length > 0 ? 'custom' : request.preset,
    params: { ...params, ...(first !== undefined ? (workload.describe?.(first) ?? {}) : {}) },
    startedAt,
    durationMs: round3(performance.now() - t0),
    results,
    amdahl: fitSweeps(results, ctx.hardwareConcurrency),
    ...(derived !== undefined ? { derived } : {}),
    ...(growth ? { sizeSweep: { sizes: measuredSizes(results), stopped: { ...growth.stopped } } } : {}),
  };
}

/** The sizes at which anything was measured, in increasing order. */
function measuredSizes(results: readonly BackendResult[]): number[] {
  return [...new Set(results.filter((r) => r.available && r.size !== undefined).map((r) => r.size!))].sort((a, b) => a - b);
}

/** A lane-sweep configuration moved to the largest size its backend reached at the core count. */
function atLargestReached(config: Configuration, growth: SizeGrowth, hardwareConcurrency: number): Configuration {
  const cores = Math.max(1, Math.floor(hardwareConcurrency));
  const size = growth.largestReached({ ...config, workers: cores });
  return size !== undefined ? { ...config, size } : config;
}

/** A measured configuration's typical run: the median of its samples, or its last warm-up run. */
function typicalRunMs(collected: Collected): number {
  return collected.samplesMs.length > 0 ? median(collected.samplesMs) : (collected.warmupMs.at(-1) ?? 0);
}

/** The median of the GPU's own kernel time per sample, where every sample has one (timestamp queries). */
function typicalKernelMs(collected: Collected): number | undefined {
  const kernelMs = collected.timelines.map(({ spans }) =>
    spans.filter((span) => span.phase === 'gpu-kernel').reduce((sum, span) => sum + (span.endEpochMs - span.startEpochMs), 0),
  );
  return kernelMs.length > 0 && kernelMs.every((ms) => ms > 0) ? median(kernelMs) : undefined;
}

/** The identifying fields of a configuration as they appear in results. */
function describeConfig(config: Configuration) {
  return {
    backend: config.backend,
    workers: config.workers,
    ...(config.size !== undefined ? { size: config.size } : {}),
    ...(config.variant !== undefined ? { variant: config.variant } : {}),
  };
}

function preparedFor(scope: ExperimentScope, size: number | undefined): unknown {
  if (!scope.prepared.has(size)) scope.prepared.set(size, scope.workload.prepare(scope.params, scope.ctx.random, size));
  return scope.prepared.get(size);
}

/** One configuration's samples so far, gathered over rounds. */
interface Collected {
  collected: true;
  config: Configuration;
  /** Samples in the order taken, across rounds. */
  samplesMs: number[];
  /** How many of them each round took, in order: a round is a fresh set-up, so its samples belong together. */
  roundSizes: number[];
  warmupMs: number[];
  timelines: Array<{ spans: TaskSpan[]; baseEpochMs: number }>;
  check: string;
  /** Samples wanted in all, planned from the first round's warm-up. */
  plannedSamples: number;
  /** The first round's set-up: the cold compile is the one to report. */
  setup?: SetupOutcome<unknown>;
}

function isCollected(outcome: Collected | BackendResult | undefined): outcome is Collected {
  return outcome !== undefined && 'collected' in outcome;
}

interface RoundPosition {
  configIndex: number;
  round: number;
  rounds: number;
}

/**
 * One round of one configuration: set up, warm up, take this round's share of the samples, tear down.
 * The first round warms up until the JIT settles and plans the sample count; later rounds find the code
 * warm and need one untimed run to refill caches after set-up.
 */
async function measureRound(
  scope: ExperimentScope,
  config: Configuration,
  position: RoundPosition,
  earlier: Collected | undefined,
): Promise<Collected | BackendResult> {
  const { ctx } = scope;
  const guard = new ConfigurationGuard(scope, config);
  const done: RoundProgress = { setUp: false, samplesMs: earlier?.samplesMs ?? [] };
  let implementation: ReturnType<typeof implementationOf> | undefined;
  let outcome: Collected | BackendResult;
  try {
    try {
      // Inside the try: an experiment without this backend's implementation is a failed result, not a failed suite.
      implementation = implementationOf(scope.workload, config.backend);
      outcome = await measureGuarded(scope, config, position, earlier, guard, implementation, done);
    } catch (error) {
      // A cancelled run ends here; an AbortError nobody asked for (a GPU wait its lost device ended, say) is a
      // failure of this configuration like any other.
      if (isAbortError(error) && ctx.signal.aborted) throw error;
      // Whatever is still running for this configuration stops: lanes claim no more tasks, waits end.
      guard.abandon(error);
      const lost = scope.gpu.lostReason;
      outcome = isUnavailableError(error) ? { ...describeConfig(config), available: false, reason: error.message } : {
        ...describeConfig(config),
        available: true,
        verified: false,
        error: describeError(error, config.backend === 'webgpu' ? lost : undefined),
        samplesMs: done.samplesMs,
      };
    }
  } finally {
    // Runs on cancellation too; a tear-down that hangs is given up like any other step.
    if (done.setUp && implementation?.teardown) {
      try {
        await guard.watch(Promise.resolve(implementation.teardown(done.state)), guard.policy.floorMs, 'tear-down', { cancellable: false });
      } catch (error) {
        guard.abandon(error);
        if (!ctx.signal.aborted && isCollected(outcome!)) {
          outcome = { ...describeConfig(config), available: true, verified: false, error: describeError(error, undefined), samplesMs: outcome.samplesMs };
        }
      }
    }
    guard.dispose();
  }
  return outcome;
}

/**
 * What keeps one configuration from hanging the suite: a signal of its own (aborted by Cancel, or by the
 * watchdog with the reason), a limit on each step derived from the runs measured so far, and the pool's
 * report of a worker that died. Given up, its workers are terminated; the pool starts fresh ones for the next.
 */
class ConfigurationGuard {
  readonly policy: WatchdogPolicy;
  private readonly controller = new AbortController();
  private readonly workerFailure: Promise<never>;
  private readonly stopListening: () => void;
  private readonly onCancel: () => void;
  private readonly label: string;
  /** The longest run of this configuration so far. */
  private longestRunMs: number | undefined;

  constructor(
    private readonly scope: ExperimentScope,
    config: Configuration,
  ) {
    this.policy = scope.ctx.watchdog ?? defaultWatchdog;
    const outer = scope.ctx.signal;
    this.onCancel = () => this.controller.abort(outer.reason);
    if (outer.aborted) this.onCancel();
    else outer.addEventListener('abort', this.onCancel, { once: true });
    let fail: (error: Error) => void = () => undefined;
    this.workerFailure = new Promise<never>((_, reject) => (fail = reject));
    this.workerFailure.catch(() => undefined);
    this.stopListening = scope.pool.onWorkerFailure((message) => fail(new WatchdogError(message)));
    this.label = [
      `${config.backend} × ${config.workers}`,
      ...(config.size !== undefined ? [`size ${config.size}`] : []),
      ...(config.variant !== undefined ? [config.variant] : []),
    ].join(', ');
  }

  /** Aborted on Cancel, or when this configuration is given up (then its reason is the failure). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Record a finished run, which sets the limit for the next. */
  ran(durationMs: number): void {
    this.longestRunMs = Math.max(this.longestRunMs ?? 0, durationMs);
    this.scope.longestRunMs = Math.max(this.scope.longestRunMs ?? 0, durationMs);
  }

  /** The limit for the next run: a multiple of the longest run measured so far, never below the floor. */
  runLimitMs(): number {
    const sampling = this.scope.ctx.sampling;
    return runTimeoutMs(this.policy, this.longestRunMs ?? this.scope.longestRunMs, sampling.budgetMs * sampling.overBudgetFactor);
  }

  /** Settle with `work`, or fail with a WatchdogError when it takes over `timeoutMs` or a worker dies meanwhile. */
  watch<T>(work: Promise<T>, timeoutMs: number, step: string, options: { cancellable: boolean } = { cancellable: true }): Promise<T> {
    const watched = watch(work, timeoutMs, `${this.label}, ${step}`, this.workerFailure);
    // Cancel ends a wait too, even on work that ignores its signal; a tear-down is let finish.
    return options.cancellable ? raceAbort(watched, this.signal) : watched;
  }

  /** Give up on this configuration: stop what still runs for it and, after a hang or a dead worker, its workers. */
  abandon(error: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(error instanceof Error ? error : new Error(String(error)));
    if (error instanceof WatchdogError) this.scope.pool.terminate();
  }

  dispose(): void {
    this.scope.ctx.signal.removeEventListener('abort', this.onCancel);
    this.stopListening();
  }
}

/** How far a round got, for its tear-down and for the samples a failed configuration keeps. */
interface RoundProgress {
  setUp: boolean;
  state?: unknown;
  samplesMs: number[];
}

/** measureRound's work, every step under the guard's watch. */
async function measureGuarded(
  scope: ExperimentScope,
  config: Configuration,
  position: RoundPosition,
  earlier: Collected | undefined,
  guard: ConfigurationGuard,
  implementation: ReturnType<typeof implementationOf>,
  done: RoundProgress,
): Promise<Collected> {
  const { workload, ctx } = scope;
  const { configIndex, round, rounds } = position;
  const samplesMs = done.samplesMs;
  const steps = scope.configCount * rounds;
  const step = round * scope.configCount + configIndex;
  const report = (phase: Progress['phase'], sample: number, sampleCount: number) =>
    ctx.onProgress?.({
      experimentId: workload.meta.id,
      ...describeConfig(config),
      phase,
      sample,
      sampleCount,
      configIndex,
      configCount: scope.configCount,
      round,
      rounds,
      fraction: (step + (phase === 'sampling' ? (sample + 1) / (sampleCount + 1) : 0)) / steps,
    });
  for (const ms of [...(earlier?.warmupMs ?? []), ...samplesMs]) guard.ran(ms);
  const signal = guard.signal;

  report('set-up', 0, 1);
  const prepared = preparedFor(scope, config.size);
  const setupLimitMs = Math.max(guard.policy.setupMs, guard.policy.floorMs);
  const runContext: RunContext = {
    config,
    params: scope.params,
    signal,
    executor: await guard.watch(createExecutor(config.backend, config.workers, scope.pool, signal), setupLimitMs, 'starting workers'),
    pool: scope.pool,
    cores: ctx.hardwareConcurrency,
    gpuDevice: () => scope.gpu.get(),
  };
  const setup = implementation.setup ? await guard.watch(implementation.setup(runContext, prepared), setupLimitMs, 'set-up') : undefined;
  done.state = setup?.state;
  done.setUp = true;
  const state = setup?.state;

  const timedRun = async (phase: string) => {
    // Let input (a Cancel click) and rendering in before the main thread may be busy for a while.
    await nextMacrotask();
    throwIfAborted(signal);
    implementation.beforeRun?.(prepared, state);
    const baseEpochMs = epochNowMs();
    const start = performance.now();
    let end = start;
    // Timed where the run itself settles, so the watchdog's own bookkeeping stays out of the sample.
    const running = implementation.run(runContext, prepared, state).then((output) => ((end = performance.now()), output));
    const run = await guard.watch(running, guard.runLimitMs(), phase);
    const durationMs = end - start;
    guard.ran(durationMs);
    const check = workload.verify(run.output, prepared);
    if (!check.ok) throw new WrongAnswerError(check.detail);
    return { durationMs, spans: run.spans, baseEpochMs, check: check.detail };
  };

  const warmupMs = earlier?.warmupMs ?? [];
  if (earlier === undefined) {
    while (!warmedUp(warmupMs, ctx.sampling)) {
      report('warm-up', warmupMs.length, ctx.sampling.maxWarmupRuns);
      const { durationMs } = await timedRun('warm-up');
      warmupMs.push(durationMs);
      checkBudget(durationMs, ctx.sampling);
    }
  } else {
    report('warm-up', 0, 1);
    warmupMs.push((await timedRun('warm-up')).durationMs);
  }
  const plannedSamples = earlier?.plannedSamples ?? planSampleCount(warmupMs[warmupMs.length - 1]!, ctx.timerResolutionMs, ctx.sampling);
  // This round's share: the rounds left split what is still wanted.
  const thisRound = Math.ceil((plannedSamples - samplesMs.length) / (rounds - round));

  const timelines = earlier?.timelines ?? [];
  const samplesBefore = samplesMs.length;
  let check = earlier?.check ?? '';
  const takeSample = async (s: number, of: number) => {
    report('sampling', s, of);
    const sample = await timedRun(`sample ${s + 1}`);
    samplesMs.push(round3(sample.durationMs));
    timelines.push({ spans: sample.spans, baseEpochMs: sample.baseEpochMs });
    check = sample.check;
  };
  for (let s = 0; s < thisRound; s++) await takeSample(s, thisRound);
  // Adaptive: the last round samples on until the median is known to the target precision or the budget is spent.
  if (round === rounds - 1) {
    let extra = 0;
    while (wantsAnotherSample(samplesMs, samplesMs.reduce((sum, ms) => sum + ms, 0), ctx.sampling)) {
      await takeSample(thisRound + extra, thisRound + extra + 1);
      extra += 1;
    }
  }
  const firstSetup = earlier ? earlier.setup : setup;
  return {
    collected: true,
    config,
    samplesMs,
    roundSizes: [...(earlier?.roundSizes ?? []), samplesMs.length - samplesBefore],
    warmupMs,
    timelines,
    check,
    plannedSamples,
    ...(firstSetup ? { setup: { ...firstSetup, state: undefined } } : {}),
  };
}

/** A configuration one run of which takes many times its budget: stopped, so the rest of the suite goes on. */
export class OverBudgetError extends Error {
  override name = 'OverBudgetError';
}

function checkBudget(runMs: number, policy: SamplingPolicy): void {
  if (runMs > policy.budgetMs * policy.overBudgetFactor) {
    throw new OverBudgetError(
      `One run took ${(runMs / 1000).toFixed(1)} s, over ${policy.overBudgetFactor}× this preset's budget of ` +
        `${(policy.budgetMs / 1000).toFixed(1)} s per configuration: stopped so the rest of the suite goes on. ` +
        'A smaller size, or the thorough preset, measures it.',
    );
  }
}

/** Median, interval, throughput and the typical sample's timeline of a configuration whose rounds are done. */
function summarizeCollected(scope: ExperimentScope, collected: Collected): MeasuredResult {
  const { config, samplesMs, roundSizes, warmupMs, timelines, check, setup } = collected;
  const prepared = preparedFor(scope, config.size);
  const medianMs = median(samplesMs);
  const ci = roundsConfidenceInterval(samplesMs, roundSizes);
  // The timeline shown is the sample closest to the median: typical, not the luckiest or the unluckiest.
  const typical = samplesMs.reduce((best, v, i) => (Math.abs(v - medianMs) < Math.abs(samplesMs[best]! - medianMs) ? i : best), 0);
  const throughput = scope.workload.throughput?.(prepared, medianMs) ?? {};
  return {
    ...describeConfig(config),
    available: true,
    samplesMs,
    warmupMs: warmupMs.map(round3),
    medianMs: round3(medianMs),
    ci95Ms: [round3(ci.low), round3(ci.high)],
    ciCoverage: Math.round(ci.coverage * 1e4) / 1e4,
    // The recorded precision is the final interval's, rounds' disagreement included (one sample: unknown, 99).
    precision: Math.round(Math.min(samplesMs.length > 1 ? relativeHalfWidth(ci, medianMs) : Infinity, 99) * 1e4) / 1e4,
    ...(ci.roundMedians.length > 1 ? { roundMediansMs: ci.roundMedians.map(round3) } : {}),
    verified: true,
    check,
    ...(setup?.compileMs !== undefined ? { compileMs: round3(setup.compileMs) } : {}),
    ...(setup?.mode !== undefined ? { mode: setup.mode } : {}),
    ...(setup?.note !== undefined ? { note: setup.note } : {}),
    ...(throughput.gbPerSecond !== undefined ? { gbPerSecond: round3(throughput.gbPerSecond) } : {}),
    ...(throughput.gflops !== undefined ? { gflops: round3(throughput.gflops) } : {}),
    timeline: toTimeline(timelines[typical]!.spans, timelines[typical]!.baseEpochMs),
    ...(setup?.spans && setup.spans.length > 0
      ? { setupTimeline: toTimeline(setup.spans, Math.min(...setup.spans.map((s) => s.startEpochMs))) }
      : {}),
  };
}

/** A backend answered, but not what the serial reference says. */
export class WrongAnswerError extends Error {
  override name = 'WrongAnswerError';
  constructor(detail: string) {
    super(`Wrong answer: ${detail}`);
  }
}

function describeError(error: unknown, gpuLostReason: string | undefined): string {
  const text =
    error instanceof Error ? (error.name === 'Error' ? error.message : `${error.name}: ${error.message}`) : String(error);
  return (gpuLostReason && !text.includes(gpuLostReason) ? `${gpuLostReason} (${text})` : text).slice(0, 2_000);
}
