/** How many timed samples a configuration gets. */

export interface SamplingPolicy {
  /** Untimed runs first: JIT compilation, worker start-up and caches settle before anything counts. */
  warmupRuns: number;
  /** More warm-up runs, until two in a row agree within `warmupTolerance`, up to this many. */
  maxWarmupRuns: number;
  warmupTolerance: number;
  minSamples: number;
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
}

export const defaultSampling: SamplingPolicy = {
  warmupRuns: 2,
  maxWarmupRuns: 8,
  warmupTolerance: 0.05,
  minSamples: 7,
  maxSamples: 41,
  minTotalMs: 1_000,
  minTicksPerSample: 1_000,
  rounds: 3,
};

/** For numbers worth publishing: more samples and warm-up, five interleaved rounds. */
export const thoroughSampling: SamplingPolicy = {
  warmupRuns: 3,
  maxWarmupRuns: 12,
  warmupTolerance: 0.03,
  minSamples: 15,
  maxSamples: 81,
  minTotalMs: 3_000,
  minTicksPerSample: 1_000,
  rounds: 5,
};

export const quickSampling: SamplingPolicy = {
  warmupRuns: 2,
  maxWarmupRuns: 5,
  warmupTolerance: 0.08,
  minSamples: 5,
  maxSamples: 21,
  minTotalMs: 250,
  minTicksPerSample: 1_000,
  rounds: 1,
};

/**
 * Samples to take, given how long the warm-up took: at least the minimum; more when samples are short
 * next to the timer's resolution or to the time budget, since each then carries more relative noise.
 */
export function planSampleCount(warmupMs: number, timerResolutionMs: number, policy: SamplingPolicy): number {
  const shortForTimer = warmupMs < policy.minTicksPerSample * timerResolutionMs;
  const byBudget = Math.ceil(policy.minTotalMs / Math.max(warmupMs, timerResolutionMs, 1e-3));
  const wanted = shortForTimer ? policy.maxSamples : byBudget;
  return Math.min(policy.maxSamples, Math.max(policy.minSamples, wanted));
}

/**
 * Whether warm-up is over: the minimum runs are done and the last two agree (tiered JITs keep
 * recompiling hot code for several runs), or the maximum is reached.
 */
export function warmedUp(warmupMs: readonly number[], policy: SamplingPolicy): boolean {
  const n = warmupMs.length;
  if (n < policy.warmupRuns) return false;
  if (n >= policy.maxWarmupRuns) return true;
  const a = warmupMs[n - 1]!;
  const b = warmupMs[n - 2] ?? Infinity;
  return Math.abs(a - b) <= policy.warmupTolerance * Math.min(a, b);
}
