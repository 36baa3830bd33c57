/**
 * The engine's rounds: every configuration's samples are spread over several passes, so a slow spell of a
 * shared machine cannot land on one configuration alone. Timed on a virtual clock, so the test is exact.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnavailableError } from '../../src/executors/unavailable.ts';
import type { WorkerPool } from '../../src/executors/worker-pool.ts';
import { runExperiment, type ExperimentContext } from '../../src/engine/run-experiment.ts';
import type { SamplingPolicy } from '../../src/measure/sampling.ts';
import type { MeasuredResult } from '../../src/results/schema.ts';
import type { BackendImplementation, Workload } from '../../src/workloads/types.ts';

let clockMs = 0;
afterEach(() => vi.restoreAllMocks());

/**
 * Serial and one event-loop lane doing identical work, each run costing `costOf(runIndex)` virtual ms.
 * `failAt` makes that run give a wrong answer.
 */
function twinWorkload(costOf: (run: number) => number, log: string[], failAt?: number): Workload<number, number> {
  let runs = 0;
  const twin: BackendImplementation<number, number> = {
    async run(ctx, prepared) {
      const run = runs++;
      log.push(ctx.config.backend);
      clockMs += costOf(run);
      return { output: run === failAt ? -prepared : prepared, spans: [] };
    },
  };
  return {
    meta: { id: 'twins', title: 'Twins', postRow: '', summary: '', backends: ['serial', 'event-loop'] },
    params: [],
    implementations: { serial: twin, 'event-loop': twin },
    configurations: () => [
      { backend: 'serial', workers: 1 },
      { backend: 'event-loop', workers: 1 },
    ],
    prepare: (_params, random) => 1 + random(),
    verify: (output, prepared) => ({ ok: output === prepared, detail: output === prepared ? 'same' : 'wrong' }),
  };
}

function context(rounds: number, overrides: Partial<SamplingPolicy> = {}): ExperimentContext {
  const sampling: SamplingPolicy = {
    warmupRuns: 1,
    maxWarmupRuns: 1,
    maxWarmupMs: 1e9,
    warmupTolerance: 1,
    minSamples: 6,
    minSamplesLongRuns: 6,
    maxSamples: 6,
    minTotalMs: 0,
    minTicksPerSample: 1,
    rounds,
    targetPrecision: 0.03,
    budgetMs: 1e9,
    overBudgetFactor: 10,
    growth: { maxRunMs: 1e9, serialRunFactor: 1, experimentBudgetMs: 1e9 },
    oversubscribe: true,
    ...overrides,
  };
  return {
    signal: new AbortController().signal,
    random: Math.random,
    capabilities: { workers: false, sharedArrayBuffer: false, crossOriginIsolated: false, webgpu: { available: false, reason: 'none' }, wasmSimd: { simd: false, relaxedSimd: false } },
    hardwareConcurrency: 2,
    timerResolutionMs: 0.001,
    sampling,
    createPool: () => ({ terminate() {}, onWorkerFailure: () => () => undefined }) as unknown as WorkerPool,
  };
}

async function measure(rounds: number, costOf: (run: number) => number, failAt?: number, sampling: Partial<SamplingPolicy> = {}) {
  clockMs = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => clockMs);
  const log: string[] = [];
  const experiment = await runExperiment({ workload: twinWorkload(costOf, log, failAt) as Workload, preset: 'default' }, context(rounds, sampling));
  return { experiment, log };
}

/** The twins with the event-loop lane's implementation partly replaced (a set-up or run that fails, say). */
function twinsWithEventLoop(replaced: Partial<BackendImplementation<number, number>>): Workload {
  const twins = twinWorkload(() => 1, []);
  return {
    ...twins,
    implementations: { ...twins.implementations, 'event-loop': { ...twins.implementations['event-loop']!, ...replaced } },
  } as Workload;
}

/** Run a workload once on the virtual clock. */
function runOnClock(workload: Workload, ctx: ExperimentContext = context(1)) {
  clockMs = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => clockMs);
  return runExperiment({ workload, preset: 'default' }, ctx);
}

const medianOf = (backend: string, results: readonly unknown[]) =>
  (results as MeasuredResult[]).find((r) => r.backend === backend)!.medianMs;

describe('measuring in rounds', () => {
  it('interleaves the configurations and splits the planned samples over the rounds', async () => {
    const { experiment, log } = await measure(3, () => 1);
    // Per round and configuration: one warm-up run, then two of the six samples.
    expect(log.join(' ')).toBe(Array.from({ length: 3 }, () => 'serial serial serial event-loop event-loop event-loop').join(' '));
    for (const r of experiment.results as MeasuredResult[]) {
      expect(r.samplesMs).toHaveLength(6);
      expect(r.verified).toBe(true);
    }
  });

  it('a slow spell over one stretch of the run no longer lands on one configuration alone', async () => {
    // Runs 7 to 13 are four times slower: in one round that is exactly the event loop's whole block.
    const spell = (run: number) => (run >= 7 && run < 14 ? 4 : 1);
    const once = await measure(1, spell);
    expect(medianOf('event-loop', once.experiment.results) / medianOf('serial', once.experiment.results)).toBe(4);
    const spread = await measure(3, spell);
    const ratio = medianOf('event-loop', spread.experiment.results) / medianOf('serial', spread.experiment.results);
    // Both now carry part of the spell: the distortion of their ratio shrinks from 4× to at most 2.5×.
    expect(Math.max(ratio, 1 / ratio)).toBeLessThanOrEqual(2.5);
  });

  it('records each round\'s median, and an interval that holds them when the rounds disagree', async () => {
    // Each round (a fresh set-up) runs at its own speed, as where its buffers land decides: six runs per round.
    const levels = [5 + 10 * Math.random(), 20 + 10 * Math.random(), 40 + 10 * Math.random()];
    const { experiment } = await measure(3, (run) => levels[Math.floor(run / 6)]!);
    for (const r of experiment.results as MeasuredResult[]) {
      expect(r.roundMediansMs).toEqual(levels.map((ms) => Number(ms.toFixed(3))));
      expect(r.ci95Ms[0]).toBeLessThanOrEqual(r.roundMediansMs![0]!);
      expect(r.ci95Ms[1]).toBeGreaterThanOrEqual(r.roundMediansMs![2]!);
      expect(r.precision).toBeCloseTo((r.ci95Ms[1] - r.ci95Ms[0]) / 2 / r.medianMs, 3);
    }
    // One round: no rounds to record, and the interval is the samples' own.
    const single = await measure(1, () => levels[0]!);
    for (const r of single.experiment.results as MeasuredResult[]) {
      expect(r.roundMediansMs).toBeUndefined();
      expect(r.ci95Ms.map((ms) => ms / levels[0]!)).toEqual([expect.closeTo(1, 3), expect.closeTo(1, 3)]);
    }
  });

  it('a wrong answer in a later round fails the configuration, which then sits the remaining rounds out', async () => {
    const { experiment, log } = await measure(3, () => 1, 9);
    const eventLoop = experiment.results.find((r) => r.backend === 'event-loop')!;
    expect('error' in eventLoop && eventLoop.error).toMatch(/Wrong answer/);
    expect((experiment.results.find((r) => r.backend === 'serial') as MeasuredResult).samplesMs).toHaveLength(6);
    expect(log.filter((b) => b === 'event-loop')).toHaveLength(4);
  });
});

describe('adaptive sampling', () => {
  /** A noisy cost: 10 ± 3 virtual ms, fresh each run. */
  const noisy = () => 10 + 6 * (Math.random() - 0.5);

  it('samples on past the planned count until the median is known to the target precision, and records it', async () => {
    const { experiment } = await measure(1, noisy, undefined, { minSamples: 5, maxSamples: 1_000, targetPrecision: 0.04 });
    for (const r of experiment.results as MeasuredResult[]) {
      expect(r.samplesMs.length).toBeGreaterThan(5);
      expect(r.precision).toBeLessThanOrEqual(0.04);
      expect(r.precision).toBeCloseTo((r.ci95Ms[1] - r.ci95Ms[0]) / 2 / r.medianMs, 3);
    }
  });

  it('stops at the time budget when the target is out of reach, and says how precise the median is', async () => {
    const { experiment } = await measure(1, noisy, undefined, { minSamples: 5, maxSamples: 400, targetPrecision: 0.0001, budgetMs: 120 });
    for (const r of experiment.results as MeasuredResult[]) {
      // Twelve samples of about 10 ms fit a 120 ms budget; none past it.
      expect(r.samplesMs.length).toBeGreaterThanOrEqual(5);
      expect(r.samplesMs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(120 + 13);
      expect(r.precision).toBeGreaterThan(0.0001);
    }
  });

  it('bounds warm-up by time: a configuration that never settles still moves on', async () => {
    // Every run differs from the last by half: the agreement rule alone would warm up to the run cap.
    const { experiment, log } = await measure(1, (run) => (run % 2 === 0 ? 10 : 20), undefined, {
      warmupRuns: 2,
      maxWarmupRuns: 1_000,
      maxWarmupMs: 100,
      warmupTolerance: 0.01,
      minSamples: 5,
      maxSamples: 5,
    });
    for (const r of experiment.results as MeasuredResult[]) expect(r.warmupMs.reduce((a, b) => a + b, 0)).toBeLessThan(100 + 20);
    expect(log.length).toBeLessThan(2 * (8 + 5));
  });

  it('stops a configuration whose one run takes many times its budget, with the reason, and measures the rest', async () => {
    // The event loop's runs (from the sixth on: serial takes 1 warm-up + 5 samples first) cost 50 virtual ms.
    const { experiment } = await measure(1, (run) => (run >= 6 ? 50 : 1), undefined, { minSamples: 5, maxSamples: 5, budgetMs: 4, overBudgetFactor: 10 });
    const eventLoop = experiment.results.find((r) => r.backend === 'event-loop')!;
    expect('error' in eventLoop && eventLoop.error).toMatch(/OverBudgetError: One run took 0\.1 s, over 10× .* budget/);
    expect((experiment.results.find((r) => r.backend === 'serial') as MeasuredResult).verified).toBe(true);
  });
});

describe('a feature the browser lacks', () => {
  it.each([
    ['in set-up', new UnavailableError('No OPFS here.')],
    // comlink re-creates a worker's error as a plain Error that keeps its name.
    ['in a worker', Object.assign(new Error('No OPFS here.'), { name: 'UnavailableError' })],
  ])('thrown %s makes the configuration unavailable with the reason, not failed; the rest is measured', async (_where, error) => {
    const experiment = await runOnClock(
      twinsWithEventLoop({
        async setup() {
          throw error;
        },
      }),
    );
    expect(experiment.results.find((r) => r.backend === 'event-loop')).toEqual({ backend: 'event-loop', workers: 1, available: false, reason: 'No OPFS here.' });
    expect((experiment.results.find((r) => r.backend === 'serial') as MeasuredResult).verified).toBe(true);
  });
});

describe('an AbortError nobody asked for', () => {
  it('fails its configuration with the reason (a GPU wait that a lost device ended); the rest is measured', async () => {
    const message = `mapAsync aborted ${Math.random().toString(36).slice(2)}`;
    const experiment = await runOnClock(
      twinsWithEventLoop({
        async run() {
          throw new DOMException(message, 'AbortError');
        },
      }),
    );
    const eventLoop = experiment.results.find((r) => r.backend === 'event-loop')!;
    expect('error' in eventLoop && eventLoop.error).toContain(message);
    expect((experiment.results.find((r) => r.backend === 'serial') as MeasuredResult).verified).toBe(true);
  });

  it('still ends the experiment when the run was cancelled', async () => {
    const cancel = new AbortController();
    const workload = twinsWithEventLoop({
      async run() {
        // Cancelled while the run is under way; the run then ends with the AbortError its signal gave it.
        await new Promise((resolve) => setTimeout(resolve, 1));
        cancel.abort();
        throw new DOMException('cancelled', 'AbortError');
      },
    });
    await expect(runOnClock(workload, { ...context(1), signal: cancel.signal })).rejects.toThrow(/cancel|abort/i);
  });
});
