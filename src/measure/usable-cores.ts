/**
 * Usable parallelism, from timings of a short CPU-bound loop on one worker and on several at once.
 * Pure arithmetic and decisions only: the browser side that takes the timings is env/usable-cores-check.ts.
 *
 * Usable cores are cores' worth of full-speed work: N workers each doing one unit at once, against the time
 * one unit takes on one undisturbed worker. The reference is the fastest one-worker time seen (a run can
 * only be slowed by other work, never sped up), including short trials that fit between other processes'
 * turns; against a median one-worker time instead, a machine loaded by many processes would look idle,
 * since each added worker would still win its own share of the load.
 *
 * Two things make the reported core count wrong for the lab: a busy machine (another process takes
 * part of every core, so speedups come out low although the machine is the same) and a browser that
 * reports more cores than exist (WebKit reports 4 on a 2-core machine). Both show as too little
 * throughput on N workers; they differ in shape. Fewer cores give a clean plateau: k workers run at
 * full speed and N workers do no more work than k. A busy machine gives no such step: every count
 * above one runs slower than it should.
 */
import { median } from './stats.ts';

/** More workers than this would make the check itself long and the answer no better. */
export const MAX_CHECKED_WORKERS = 16;

/** Below this share of the throughput the checked workers should give, the machine is not delivering its cores. */
export const USABLE_SHARE_THRESHOLD = 0.8;

/** k workers count as running at full speed when they give at least this share of k workers' throughput. */
export const FULL_SPEED_SHARE = 0.9;

/** A throughput within this share of a whole core count is a plateau there (k cores), not a fraction. */
export const PLATEAU_TOLERANCE_SHARE = 0.1;

/** How long one timed unit of the loop should take: long against timer and messaging noise, short for the check. */
export const TARGET_UNIT_MS = 60;

/** What the check concluded about the machine. */
export type CoreVerdict = 'as-reported' | 'fewer-cores' | 'busy';

/** Workers to start for the check: the reported count, capped, at least one. */
export function checkedWorkerCount(reportedCores: number): number {
  return Math.max(1, Math.min(MAX_CHECKED_WORKERS, Math.floor(reportedCores) || 1));
}

/**
 * Iterations for one unit of `targetMs`, from a timed trial of `triedIterations` that took `elapsedMs`.
 * Bounded so the loop's values stay below 2^31 (the kernel's int32 counters) and never vanish to nothing.
 */
export function calibratedIterations(triedIterations: number, elapsedMs: number, targetMs = TARGET_UNIT_MS): number {
  const perMs = triedIterations / Math.max(elapsedMs, 1e-3);
  return Math.round(Math.min(2 ** 30, Math.max(10_000, perMs * targetMs)));
}

/**
 * One unit's time on one undisturbed worker: the fastest one-worker run, or the fastest short trial scaled up
 * to a unit when that was faster still.
 */
export function referenceUnitMs(oneWorkerMs: readonly number[], trialUnitMs = Infinity): number {
  return Math.min(trialUnitMs, ...oneWorkerMs);
}

/**
 * Cores' worth of full-speed work `workerCount` workers gave, each doing one unit at once:
 * workerCount × (reference unit time / median batch time), clamped to [1, workerCount].
 * The batch's median, so one preempted batch does not decide.
 */
export function usableCoresFrom(referenceMs: number, batchMs: readonly number[], workerCount: number): number {
  const batch = median(batchMs);
  if (!(referenceMs > 0) || !Number.isFinite(referenceMs) || !(batch > 0)) return 1;
  return Math.min(workerCount, Math.max(1, (workerCount * referenceMs) / batch));
}

/**
 * The whole core count worth probing for a plateau, when the throughput of `workerCount` workers falls clearly
 * short and sits close to a whole number of at least two cores; undefined when there is nothing to probe.
 * One core is never taken for a plateau: a 2-core machine with one busy core looks just like it.
 */
export function plateauToProbe(usableCores: number, workerCount: number): number | undefined {
  if (usableCores >= USABLE_SHARE_THRESHOLD * workerCount) return undefined;
  const k = Math.round(usableCores);
  if (k < 2 || k >= workerCount) return undefined;
  return Math.abs(usableCores - k) <= PLATEAU_TOLERANCE_SHARE * k ? k : undefined;
}

/** Timings of one check, as taken: the evidence behind its verdict. */
export interface CoreCheckTimings {
  workerCount: number;
  /** The fastest short trial on one worker, scaled to one unit; see referenceUnitMs. */
  trialUnitMs?: number;
  oneWorkerMs: readonly number[];
  batchMs: readonly number[];
  /** The plateau probe, when one was run: `workerCount` workers at once, each doing one unit. */
  probe?: { workerCount: number; batchMs: readonly number[] };
}

/** What one check found; `busy` is the warning the results and the page carry. */
export interface CoreJudgement {
  workerCount: number;
  /** Cores' worth of throughput, two decimals. */
  usableCores: number;
  verdict: CoreVerdict;
  busy: boolean;
  /** The whole core count found by a plateau, when the verdict is fewer-cores. */
  plateauCores?: number;
}

/** Read a check's timings: as reported, fewer cores than reported (a plateau), or busy. */
export function judgeCores(timings: CoreCheckTimings): CoreJudgement {
  const { workerCount, oneWorkerMs, batchMs, probe } = timings;
  const referenceMs = referenceUnitMs(oneWorkerMs, timings.trialUnitMs);
  const usable = usableCoresFrom(referenceMs, batchMs, workerCount);
  const base = { workerCount, usableCores: Math.round(usable * 100) / 100 };
  if (usable >= USABLE_SHARE_THRESHOLD * workerCount) return { ...base, verdict: 'as-reported', busy: false };
  const k = plateauToProbe(usable, workerCount);
  if (k !== undefined && probe?.workerCount === k) {
    const atK = usableCoresFrom(referenceMs, probe.batchMs, k);
    if (atK >= FULL_SPEED_SHARE * k) return { ...base, verdict: 'fewer-cores', busy: false, plateauCores: k };
  }
  return { ...base, verdict: 'busy', busy: true };
}

/**
 * The core count the sweep and the Amdahl fit plan for: the measured plateau when the browser reported clearly
 * more cores than the machine has, else the reported count. A busy machine keeps the reported count: busy is a
 * warning about these timings, not a different machine.
 */
export function coresForScaling(reportedCores: number, judgement: Pick<CoreJudgement, 'verdict' | 'plateauCores'> | undefined): number {
  const reported = Math.max(1, Math.floor(reportedCores));
  if (judgement?.verdict !== 'fewer-cores' || judgement.plateauCores === undefined) return reported;
  return Math.max(1, Math.min(reported, judgement.plateauCores));
}

