/**
 * Time left in a suite, for the progress bar: each experiment's share estimated from its configuration count
 * and the preset's time budgets, then corrected by how the finished experiments compared with their estimates.
 */
import type { SamplingPolicy } from '../measure/sampling.ts';

/** A prior for one experiment: each configuration spends about its sampling budget and half its warm-up cap. */
export function experimentEstimateMs(configCount: number, policy: SamplingPolicy): number {
  return configCount * (policy.budgetMs + policy.maxWarmupMs / 2);
}

/** Tracks a suite's experiments against their estimates. */
export class SuiteClock {
  private readonly estimatesMs: number[];
  private finishedEstimateMs = 0;
  private finishedActualMs = 0;

  constructor(estimatesMs: readonly number[]) {
    this.estimatesMs = [...estimatesMs];
  }

  /** An experiment finished after `actualMs`: later estimates scale by the running ratio of actual to estimate. */
  finished(index: number, actualMs: number): void {
    this.finishedEstimateMs += this.estimatesMs[index] ?? 0;
    this.finishedActualMs += actualMs;
  }

  /** Ratio of actual to estimated time so far (1 before anything finished), kept within 0.2-5. */
  private get correction(): number {
    if (this.finishedEstimateMs <= 0) return 1;
    return Math.min(5, Math.max(0.2, this.finishedActualMs / this.finishedEstimateMs));
  }

  /**
   * Milliseconds left with experiment `index` a `fraction` (0..1) of the way through after `elapsedInExperimentMs`.
   * Past a fifth of the way, the experiment's own pace estimates its remainder; before that, the corrected prior.
   */
  remainingMs(index: number, fraction: number, elapsedInExperimentMs: number): number {
    const later = this.estimatesMs.slice(index + 1).reduce((sum, ms) => sum + ms, 0) * this.correction;
    const prior = (this.estimatesMs[index] ?? 0) * this.correction;
    const current =
      fraction >= 0.2 ? (elapsedInExperimentMs * (1 - fraction)) / fraction : Math.max(0, prior - elapsedInExperimentMs);
    return Math.max(0, current + later);
  }
}
