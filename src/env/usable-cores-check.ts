/**
 * The busy-machine check in the page: a short CPU-bound loop, calibrated on one of the check's workers (a
 * page's main thread may run it at another speed: Firefox's does), timed on one worker and on every checked
 * worker at once, interleaved so a passing spell of load falls on both. The arithmetic and the verdict are in
 * measure/usable-cores.ts; this file only takes the timings.
 */
import { raceAbort, throwIfAborted } from '../executors/abort.ts';
import { WorkerPool } from '../executors/worker-pool.ts';
import {
  calibratedIterations,
  checkedWorkerCount,
  judgeCores,
  plateauToProbe,
  referenceUnitMs,
  TARGET_UNIT_MS,
  usableCoresFrom,
  type CoreJudgement,
} from '../measure/usable-cores.ts';
import { sumRangeClosedForm } from '../workloads/cpu-heavy/sum-range.ts';
import type { IntRange } from '../workloads/shared/ranges.ts';
import type { KernelRef } from '../workloads/types.ts';

/** The cpu-heavy experiment's loop: pure computation, no memory traffic, the same code in every thread. */
const LOOP: KernelRef = { workload: 'cpu-heavy', kernel: 'sumRange' };

/** Timed runs of each kind; medians of three ignore one preempted run. */
const ROUNDS = 3;

/**
 * After this long the check takes no further round (it always takes one): on a loaded machine every unit
 * stretches, and the check runs twice per suite, so it must stay short whatever it finds.
 */
const BUDGET_MS = 800;

/**
 * Calibration trials last at least this long, and at least TRIAL_MIN_TICKS timer ticks: long enough to time,
 * short enough that one often runs between other processes' turns on a loaded machine.
 */
const TRIAL_MIN_MS = 5;
const TRIAL_MIN_TICKS = 50;

/** Timed trials at the calibrated size; the fastest is the one no other process interrupted. */
const TRIALS = 5;

/** One check as measured: the judgement and what it cost. */
export interface UsableCoresCheck extends CoreJudgement {
  /** Iterations of the loop in one unit of work. */
  iterations: number;
  /** The whole check: starting workers, calibrating and timing. */
  durationMs: number;
  /** Of which starting the workers (loading their script). */
  workerStartMs: number;
  /** The evidence, in ms: the fastest trial scaled to a unit, one worker alone, every worker at once. */
  trialUnitMs: number;
  oneWorkerMs: number[];
  batchMs: number[];
}

/** Where the check's workers come from and how long a unit runs; tests pass their own. */
export interface UsableCoresOptions {
  createPool?: () => WorkerPool;
  targetUnitMs?: number;
  /** The page's measured timer step, which sets how long a calibration trial must be. */
  timerResolutionMs?: number;
}

/**
 * Measure how many cores' worth of throughput workers get here now. Undefined where there is nothing to
 * measure (one reported core, or no workers). Its workers are terminated before it returns, whatever happens.
 */
export async function measureUsableCores(
  reportedCores: number,
  signal: AbortSignal,
  options: UsableCoresOptions = {},
): Promise<UsableCoresCheck | undefined> {
  const workerCount = checkedWorkerCount(reportedCores);
  if (workerCount < 2 || typeof Worker !== 'function') return undefined;
  const startMs = performance.now();
  const pool = options.createPool?.() ?? new WorkerPool();
  try {
    await pool.ensure(workerCount, signal);
    const workerStartMs = Math.round(performance.now() - startMs);
    const first = pool.lanes(1)[0]!;
    /** The loop's time on the first worker, as that worker's clock saw it (no messaging inside). */
    const trialMs = async (iterations: number): Promise<number> => {
      const reply = await raceAbort(first.run(LOOP, { start: 0, end: iterations }), signal);
      return reply.endEpochMs - reply.startEpochMs;
    };
    // Doubling until a trial is long enough to time also lets the JIT compile the loop before the timed trials.
    const minTrialMs = Math.max(TRIAL_MIN_MS, TRIAL_MIN_TICKS * (options.timerResolutionMs ?? 0.1));
    let trialIterations = 1 << 16;
    while ((await trialMs(trialIterations)) < minTrialMs && trialIterations < 2 ** 26) trialIterations *= 2;
    let fastestTrialMs = Infinity;
    for (let t = 0; t < TRIALS; t++) fastestTrialMs = Math.min(fastestTrialMs, await trialMs(trialIterations));
    const iterations = calibratedIterations(trialIterations, fastestTrialMs, options.targetUnitMs ?? TARGET_UNIT_MS);
    const trialUnitMs = (fastestTrialMs * iterations) / trialIterations;
    const unit: IntRange = { start: 0, end: iterations };
    const expected = sumRangeClosedForm(unit);
    /** Wall time for `count` workers each doing `range` at once, checked, so no worker can skip the work. */
    const batch = async (count: number, range: IntRange = unit): Promise<number> => {
      throwIfAborted(signal);
      const before = performance.now();
      const replies = await raceAbort(Promise.all(pool.lanes(count).map((lane) => lane.run(LOOP, range))), signal);
      const elapsedMs = performance.now() - before;
      const want = range === unit ? expected : sumRangeClosedForm(range);
      if (replies.some((reply) => reply.value !== want)) throw new Error('The core check loop gave a wrong sum.');
      return elapsedMs;
    };
    // A fresh worker interprets the loop before its JIT compiles it: the first warmed up calibrating, the
    // others get one whole untimed unit each (Firefox's optimising tier needs more than a short run).
    await batch(workerCount);
    const oneWorkerMs: number[] = [];
    const batchMs: number[] = [];
    // The budget counts the timed rounds only: starting workers takes far longer in some browsers than others.
    const roundsStartMs = performance.now();
    const overBudget = () => performance.now() - roundsStartMs > BUDGET_MS;
    for (let round = 0; round < ROUNDS && !(round > 0 && overBudget()); round++) {
      oneWorkerMs.push(await batch(1));
      batchMs.push(await batch(workerCount));
    }
    const referenceMs = referenceUnitMs(oneWorkerMs, trialUnitMs);
    const k = plateauToProbe(usableCoresFrom(referenceMs, batchMs, workerCount), workerCount);
    const probeMs: number[] = [];
    if (k !== undefined) for (let round = 0; round < ROUNDS && !(round > 0 && overBudget()); round++) probeMs.push(await batch(k));
    const judgement = judgeCores({
      workerCount,
      trialUnitMs,
      oneWorkerMs,
      batchMs,
      ...(k !== undefined ? { probe: { workerCount: k, batchMs: probeMs } } : {}),
    });
    const round1 = (xs: number[]) => xs.map((x) => Math.round(x * 10) / 10);
    return {
      ...judgement,
      iterations,
      durationMs: Math.round(performance.now() - startMs),
      workerStartMs,
      trialUnitMs: round1([trialUnitMs])[0]!,
      oneWorkerMs: round1(oneWorkerMs),
      batchMs: round1(batchMs),
    };
  } finally {
    pool.terminate();
  }
}
