/** How many timed samples a configuration gets, and when its warm-up is over. */
import { median, medianConfidenceInterval, relativeHalfWidth } from './stats.ts';

export interface SamplingPolicy {
  /** Untimed runs first: JIT compilation, worker start-up and caches settle before anything counts. */
  warmupRuns: number;
  /** More warm-up runs, until two in a row agree within `warmupTolerance`, up to this many. */
  maxWarmupRuns: number;
  /** Warm-up stops after this much time too (at least `warmupRuns` runs): no configuration warms up forever. */
  maxWarmupMs: number;
  warmupTolerance: number;
  minSamples: number;
  /**
   * The fewest samples of a configuration whose runs are long next to its budget (one run over a fifth of
   * it): the budget decides there, and the recorded precision shows what that costs. At most minSamples.
   */
  minSamplesLongRuns: number;
  maxSamples: number;
  /** Keep sampling short configurations until this much time has been measured. */
  minTotalMs: number;
  /** A sample must span this many timer ticks for quantisation to be negligible (1000 ticks: 0.1% error). */
  minTicksPerSample: number;
  /**
   * Passes over an experiment's configurations, each taking its share of every configuration's samples:
   * on a shared, noisy machine a slow spell then slows every configuration alike, not just one.
   */
  rounds: number;
  /**
   * Adaptive sampling: after the planned samples, the last round keeps sampling until the 95% interval of the
   * median is within ± this fraction of it, or the configuration's time budget is spent.
   */
  targetPrecision: number;
  /** Time a configuration may spend on timed samples, all rounds together, before adaptive sampling stops. */
  budgetMs: number;
  /** A configuration one run of which takes this many times its budget is stopped with an error. */
  overBudgetFactor: number;
  /** Size sweeps: how far each backend's sizes grow (see engine/size-growth.ts). */
  growth: { maxRunMs: number; serialRunFactor: number; experimentBudgetMs: number };
  /** Lane sweeps go on past the core count (to twice it), so the cost of oversubscribing shows. */
  oversubscribe: boolean;
}

/**
 * "Run all": the whole suite in about a minute on a 2-core machine. One pass, a short warm-up and ~0.2 s of
 * samples per configuration (medians within ±3% where that time allows), lanes up to the core count.
 */
export const defaultSampling: SamplingPolicy = {
  warmupRuns: 2,
  maxWarmupRuns: 4,
  maxWarmupMs: 300,
  warmupTolerance: 0.05,
  minSamples: 5,
  minSamplesLongRuns: 3,
  maxSamples: 41,
  minTotalMs: 100,
  minTicksPerSample: 1_000,
  rounds: 1,
  targetPrecision: 0.03,
  budgetMs: 200,
  overBudgetFactor: 20,
  growth: { maxRunMs: 200, serialRunFactor: 3, experimentBudgetMs: 10_000 },
  oversubscribe: false,
};

/**
 * For numbers worth publishing: more warm-up and samples, medians within ±1.5%, and six interleaved rounds:
 * each a fresh set-up, so the rounds' medians make a distribution-free 95% interval over set-ups (96.9%).
 */
export const thoroughSampling: SamplingPolicy = {
  warmupRuns: 3,
  maxWarmupRuns: 12,
  maxWarmupMs: 5_000,
  warmupTolerance: 0.03,
  minSamples: 9,
  minSamplesLongRuns: 9,
  maxSamples: 101,
  minTotalMs: 1_000,
  minTicksPerSample: 1_000,
  rounds: 6,
  targetPrecision: 0.015,
  budgetMs: 4_000,
  overBudgetFactor: 10,
  growth: { maxRunMs: 2_000, serialRunFactor: 4, experimentBudgetMs: 120_000 },
  oversubscribe: true,
};

/**
 * Tests and a first look, in about half the default's time: one pass, a shorter warm-up and fewer samples
 * (medians within ±5% where the time allows), sizes that stop sooner. A run may still take as long as
 * the default's longest (the over-budget stop is at the same 4 s).
 */
export const quickSampling: SamplingPolicy = {
  warmupRuns: 2,
  maxWarmupRuns: 3,
  maxWarmupMs: 200,
  warmupTolerance: 0.1,
  minSamples: 5,
  minSamplesLongRuns: 3,
  maxSamples: 15,
  minTotalMs: 60,
  minTicksPerSample: 1_000,
  rounds: 1,
  targetPrecision: 0.05,
  budgetMs: 100,
  overBudgetFactor: 40,
  growth: { maxRunMs: 60, serialRunFactor: 3, experimentBudgetMs: 5_000 },
  oversubscribe: false,
};

/**
 * Samples to plan, given how long the warm-up took: at least the minimum; more when samples are short
 * next to the timer's resolution or to the time budget, since each then carries more relative noise.
 */
export function planSampleCount(warmupMs: number, timerResolutionMs: number, policy: SamplingPolicy): number {
  const shortForTimer = warmupMs < policy.minTicksPerSample * timerResolutionMs;
  const byBudget = Math.ceil(policy.minTotalMs / Math.max(warmupMs, timerResolutionMs, 1e-3));
  const wanted = shortForTimer ? policy.maxSamples : byBudget;
  const fewest = warmupMs > policy.budgetMs / 5 ? Math.min(policy.minSamples, policy.minSamplesLongRuns) : policy.minSamples;
  // Never more than the budget holds (beyond the minimum), however coarse the timer.
  const affordable = Math.max(fewest, Math.floor(policy.budgetMs / Math.max(warmupMs, 1e-3)));
  return Math.min(policy.maxSamples, affordable, Math.max(fewest, wanted));
}

/**
 * Whether warm-up is over: the minimum runs are done and the last two agree (tiered JITs keep
 * recompiling hot code for several runs), or the maximum runs or time are reached.
 */
export function warmedUp(warmupMs: readonly number[], policy: SamplingPolicy): boolean {
  const n = warmupMs.length;
  if (n === 0) return false;
  // One run as long as the warm-up's time: the JIT has tiered up inside it (on-stack replacement).
  if (warmupMs.reduce((sum, ms) => sum + ms, 0) >= policy.maxWarmupMs) return true;
  if (n < policy.warmupRuns) return false;
  if (n >= policy.maxWarmupRuns) return true;
  const a = warmupMs[n - 1]!;
  const b = warmupMs[n - 2] ?? Infinity;
  return Math.abs(a - b) <= policy.warmupTolerance * Math.min(a, b);
}

/** Half the width of the median's 95% interval over the median: ±0.03 means the median is known within 3%. */
export function relativePrecision(samplesMs: readonly number[]): number {
  return samplesMs.length < 2 ? Infinity : relativeHalfWidth(medianConfidenceInterval(samplesMs), median(samplesMs));
}

/**
 * Whether to take another sample after the planned ones: the interval is still wider than the target, the
 * budget has room for one more sample of the typical length, and the maximum is not reached.
 */
export function wantsAnotherSample(samplesMs: readonly number[], spentMs: number, policy: SamplingPolicy): boolean {
  if (samplesMs.length >= policy.maxSamples) return false;
  if (relativePrecision(samplesMs) <= policy.targetPrecision) return false;
  return spentMs + median(samplesMs) <= policy.budgetMs;
}
