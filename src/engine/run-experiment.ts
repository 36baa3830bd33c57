/** Runs one experiment: every configuration warmed up, sampled, verified, summarised, and fitted. */
import { fitAmdahl, type SpeedupPoint } from '../analysis/amdahl.ts';
import { isAbortError, throwIfAborted } from '../executors/abort.ts';
import { WorkerPool } from '../executors/worker-pool.ts';
import { nextMacrotask } from '../executors/yield.ts';
import { epochNowMs } from '../measure/clock.ts';
import { planSampleCount, warmedUp, type SamplingPolicy } from '../measure/sampling.ts';
import { median, medianConfidenceInterval } from '../measure/stats.ts';
import { round3, toTimeline, type TaskSpan } from '../measure/timeline.ts';
import type { AmdahlFitRecord, BackendResult, ExperimentResult, MeasuredResult } from '../results/schema.ts';
import type { BackendId, Params, Preset, Workload } from '../workloads/types.ts';
import { createExecutor, unavailableReason, type Capabilities } from './backends.ts';
import { resolveParams } from './params.ts';
import { isLaneBackend, plannedConfigurations, type Configuration } from './sweep.ts';

/** Where a run is, for the progress bar and the headless runner. */
export interface Progress {
  experimentId: string;
  backend: string;
  workers: number;
  phase: 'warm-up' | 'sampling';
  sample: number;
  sampleCount: number;
  configIndex: number;
  configCount: number;
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
}

export interface ExperimentRequest {
  workload: Workload;
  preset: Preset;
  overrides?: Record<string, unknown>;
  /** Only these backends (serial is always kept: it is the reference for speedups). */
  backends?: readonly BackendId[];
}

/** Run every configuration of one experiment. Cancellation propagates as an AbortError; other failures are results. */
export async function runExperiment(request: ExperimentRequest, ctx: ExperimentContext): Promise<ExperimentResult> {
  const { workload } = request;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const params = resolveParams(workload, request.preset, request.overrides);
  const prepared = workload.prepare(params, ctx.random);
  const wanted = request.backends;
  const backends = workload.meta.backends.filter((b) => !wanted || b === 'serial' || wanted.includes(b));
  const configs = plannedConfigurations(backends, ctx.hardwareConcurrency);
  const pool = ctx.createPool ? ctx.createPool() : new WorkerPool();
  const results: BackendResult[] = [];
  try {
    for (const [configIndex, config] of configs.entries()) {
      throwIfAborted(ctx.signal);
      const reason = unavailableReason(config.backend, ctx.capabilities);
      if (reason !== undefined) {
        results.push({ backend: config.backend, available: false, workers: config.workers, reason });
        continue;
      }
      results.push(await measureConfiguration(workload, prepared, params, config, pool, ctx, configIndex, configs.length));
    }
  } finally {
    // Spawn cost is its own experiment: the pool lives for this experiment's samples, then goes.
    pool.terminate();
  }
  addSpeedups(results);
  return {
    id: workload.meta.id,
    title: workload.meta.title,
    preset: request.overrides && Object.keys(request.overrides).length > 0 ? 'custom' : request.preset,
    params: { ...params, ...(workload.describe?.(prepared) ?? {}) },
    startedAt,
    durationMs: round3(performance.now() - t0),
    results,
    amdahl: fitSweeps(results, ctx.hardwareConcurrency),
  };
}

async function measureConfiguration(
  workload: Workload,
  prepared: unknown,
  params: Params,
  config: Configuration,
  pool: WorkerPool,
  ctx: ExperimentContext,
  configIndex: number,
  configCount: number,
): Promise<BackendResult> {
  const samplesMs: number[] = [];
  const report = (phase: Progress['phase'], sample: number, sampleCount: number) =>
    ctx.onProgress?.({
      experimentId: workload.meta.id,
      backend: config.backend,
      workers: config.workers,
      phase,
      sample,
      sampleCount,
      configIndex,
      configCount,
      fraction: (configIndex + (phase === 'sampling' ? (sample + 1) / (sampleCount + 1) : 0)) / configCount,
    });
  try {
    const executor = await createExecutor(config.backend, config.workers, pool, ctx.signal);
    const timedRun = async () => {
      // Let input (a Cancel click) and rendering in before the main thread may be busy for a while.
      await nextMacrotask();
      throwIfAborted(ctx.signal);
      const baseEpochMs = epochNowMs();
      const start = performance.now();
      const run = await workload.run(executor, prepared, params, ctx.signal);
      const durationMs = performance.now() - start;
      const check = workload.verify(run.output, prepared);
      if (!check.ok) throw new WrongAnswerError(check.detail);
      return { durationMs, spans: run.spans, baseEpochMs, check: check.detail };
    };

    const warmupMs: number[] = [];
    while (!warmedUp(warmupMs, ctx.sampling)) {
      report('warm-up', warmupMs.length, ctx.sampling.maxWarmupRuns);
      warmupMs.push((await timedRun()).durationMs);
    }
    const sampleCount = planSampleCount(warmupMs[warmupMs.length - 1]!, ctx.timerResolutionMs, ctx.sampling);

    const timelines: Array<{ spans: TaskSpan[]; baseEpochMs: number }> = [];
    let check = '';
    for (let s = 0; s < sampleCount; s++) {
      report('sampling', s, sampleCount);
      const sample = await timedRun();
      samplesMs.push(round3(sample.durationMs));
      timelines.push({ spans: sample.spans, baseEpochMs: sample.baseEpochMs });
      check = sample.check;
    }

    const medianMs = median(samplesMs);
    const ci = medianConfidenceInterval(samplesMs);
    // The timeline shown is the sample closest to the median: typical, not the luckiest or the unluckiest.
    const typical = samplesMs.reduce((best, v, i) => (Math.abs(v - medianMs) < Math.abs(samplesMs[best]! - medianMs) ? i : best), 0);
    const result: MeasuredResult = {
      backend: config.backend,
      available: true,
      workers: config.workers,
      samplesMs,
      warmupMs: warmupMs.map(round3),
      medianMs: round3(medianMs),
      ci95Ms: [round3(ci.low), round3(ci.high)],
      ciCoverage: Math.round(ci.coverage * 1e4) / 1e4,
      verified: true,
      check,
      timeline: toTimeline(timelines[typical]!.spans, timelines[typical]!.baseEpochMs),
    };
    return result;
  } catch (error) {
    if (isAbortError(error)) throw error;
    return {
      backend: config.backend,
      available: true,
      workers: config.workers,
      verified: false,
      error: describeError(error),
      samplesMs,
    };
  }
}

/** A backend answered, but not what the serial reference says. */
export class WrongAnswerError extends Error {
  override name = 'WrongAnswerError';
  constructor(detail: string) {
    super(`Wrong answer: ${detail}`);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return (error.name === 'Error' ? error.message : `${error.name}: ${error.message}`).slice(0, 2_000);
  return String(error).slice(0, 2_000);
}

function isMeasured(r: BackendResult): r is MeasuredResult {
  return r.available && 'medianMs' in r;
}

/** Speedup of every measured configuration over the serial median of the same run. */
function addSpeedups(results: BackendResult[]): void {
  const serial = results.find((r): r is MeasuredResult => isMeasured(r) && r.backend === 'serial');
  if (!serial) return;
  for (const r of results) {
    if (isMeasured(r) && r.medianMs > 0) r.speedup = Math.round((serial.medianMs / r.medianMs) * 1e4) / 1e4;
  }
}

/** Standard error of a median from its 95% interval, treating it as roughly normal. */
function standardErrorMs(r: MeasuredResult): number {
  return (r.ci95Ms[1] - r.ci95Ms[0]) / (2 * 1.96);
}

/**
 * Amdahl's law per swept backend, fitted on worker counts up to the reported core count (past it the
 * machine is oversubscribed, which Amdahl's model does not describe). Speedups are taken relative to the
 * backend's own one-lane time, where Amdahl's S(1) = 1 holds; the one-lane cost over serial (worker
 * messaging, yielding) is kept apart as oneLaneSpeedup.
 */
function fitSweeps(results: BackendResult[], hardwareConcurrency: number): Record<string, AmdahlFitRecord> {
  const serial = results.find((r): r is MeasuredResult => isMeasured(r) && r.backend === 'serial');
  const fits: Record<string, AmdahlFitRecord> = {};
  if (!serial) return fits;
  const backends = new Set(results.filter((r) => isLaneBackend(r.backend)).map((r) => r.backend));
  for (const backend of backends) {
    const sweep = results.filter((r): r is MeasuredResult => isMeasured(r) && r.backend === backend);
    const oneLane = sweep.find((r) => r.workers === 1);
    if (!oneLane) continue;
    const baseRelError = standardErrorMs(oneLane) / oneLane.medianMs;
    const points: SpeedupPoint[] = sweep
      .filter((r) => r.workers <= hardwareConcurrency)
      .map((r) => {
        const speedup = oneLane.medianMs / r.medianMs;
        const relError = r === oneLane ? baseRelError : Math.hypot(baseRelError, standardErrorMs(r) / r.medianMs);
        return { workers: r.workers, speedup, standardError: speedup * relError };
      });
    const fit = fitAmdahl(points);
    if (fit) {
      fits[backend] = {
        serialFraction: round4(fit.serialFraction),
        serialFractionCi95: [round4(fit.serialFractionCi95[0]), round4(fit.serialFractionCi95[1])],
        r2: fit.r2 === null ? null : round4(fit.r2),
        oneLaneSpeedup: round4(serial.medianMs / oneLane.medianMs),
        fittedWorkers: fit.fittedWorkers,
      };
    }
  }
  return fits;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
