/**
 * The busy-machine check in the page: a short CPU-bound loop, calibrated here, timed on one worker and on
 * every checked worker at once, interleaved so a passing spell of load falls on both. The arithmetic and the
 * verdict are in measure/usable-cores.ts; this file only takes the timings.
 */
import { raceAbort, throwIfAborted } from '../executors/abort.ts';
import { WorkerPool } from '../executors/worker-pool.ts';
import { calibratedIterations, checkedWorkerCount, judgeCores, plateauToProbe, TARGET_UNIT_MS, usableCoresFrom, type CoreJudgement } from '../measure/usable-cores.ts';
import { sumRange, sumRangeClosedForm, type IntRange } from '../workloads/cpu-heavy/sum-range.ts';
import type { KernelRef } from '../workloads/types.ts';

/** The cpu-heavy experiment's loop: pure computation, no memory traffic, the same code in every thread. */
const LOOP: KernelRef = { workload: 'cpu-heavy', kernel: 'sumRange' };

/** Timed runs of each kind; medians of three ignore one preempted run. */
const ROUNDS = 3;

/** Calibration trials last at least this long, long enough to time yet shorter than a scheduler's time slice. */
const TRIAL_MIN_MS = 4;

/** Timed trials at the calibrated size; the fastest is the one no other process interrupted. */
const TRIALS = 4;

/** One check as measured: the judgement and what it cost. */
export interface UsableCoresCheck extends CoreJudgement {
  /** Iterations of the loop in one unit of work. */
  iterations: number;
  /** The whole check: starting workers, calibrating and timing. */
  durationMs: number;
}

/** Where the check's workers come from and how long a unit runs; tests pass their own. */
export interface UsableCoresOptions {
  createPool?: () => WorkerPool;
  targetUnitMs?: number;
}

/**
 * Iterations of the loop that take about `targetMs` on this page's thread. Doubling a trial until it lasts
 * TRIAL_MIN_MS also lets the JIT compile the loop; the rate then comes from the fastest of a few warm trials,
 * since a trial can only be slowed by other work, never sped up.
 */
function calibrateOnPage(targetMs: number): number {
  const timeMs = (iterations: number) => {
    const start = performance.now();
    sumRange({ start: 0, end: iterations });
    return performance.now() - start;
  };
  let iterations = 1 << 16;
  while (timeMs(iterations) < TRIAL_MIN_MS && iterations < 2 ** 26) iterations *= 2;
  const fastestMs = Math.min(...Array.from({ length: TRIALS }, () => timeMs(iterations)));
  return calibratedIterations(iterations, fastestMs, targetMs);
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
    const iterations = calibrateOnPage(options.targetUnitMs ?? TARGET_UNIT_MS);
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
    // A fresh worker interprets the loop before its JIT compiles it: one short run each, untimed.
    await batch(workerCount, { start: 0, end: Math.max(1, iterations >> 3) });
    const oneWorkerMs: number[] = [];
    const batchMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      oneWorkerMs.push(await batch(1));
      batchMs.push(await batch(workerCount));
    }
    const k = plateauToProbe(usableCoresFrom(oneWorkerMs, batchMs, workerCount), workerCount);
    const probeMs: number[] = [];
    if (k !== undefined) for (let round = 0; round < ROUNDS; round++) probeMs.push(await batch(k));
    const judgement = judgeCores({
      workerCount,
      oneWorkerMs,
      batchMs,
      ...(k !== undefined ? { probe: { workerCount: k, batchMs: probeMs } } : {}),
    });
    return { ...judgement, iterations, durationMs: Math.round(performance.now() - startMs) };
  } finally {
    pool.terminate();
  }
}
