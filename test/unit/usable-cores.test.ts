/**
 * The busy-machine check on fabricated timings: usable-core arithmetic, the busy and fewer-cores verdicts,
 * the core count sweeps and fits plan for, how results record it and how the readings say it.
 */
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../../src/analysis/experiment-reading.ts';
import { busyWarning, describeUsableCores, plannedCoresNote } from '../../src/analysis/machine-reading.ts';
import { formatResultsTable } from '../../src/cli/report.ts';
import type { Capabilities } from '../../src/engine/backends.ts';
import { runSuite } from '../../src/engine/run-suite.ts';
import { RECHECK_PAUSES_MS, tryCoreCheck, withCoreFigures } from '../../src/engine/suite-cores.ts';
import {
  calibratedIterations,
  checkedWorkerCount,
  coresForScaling,
  judgeCores,
  plateauToProbe,
  referenceUnitMs,
  usableCoresFrom,
  type CoreJudgement,
} from '../../src/measure/usable-cores.ts';
import { validateResults } from '../../src/results/validate.ts';
import { experimentResult, makeResults, measuredResult } from '../fixtures/make-results.ts';

/** Three timings of `ms`, one of them preempted: neither the fastest nor the median notices it. */
const around = (ms: number) => [ms, ms, ms * 1.6];

describe('usable-core arithmetic', () => {
  it('checks as many workers as reported cores, at most 16, at least 1', () => {
    expect([0, 1, 2, 6, 16, 64, 2.7].map(checkedWorkerCount)).toEqual([1, 1, 2, 6, 16, 16, 2]);
  });

  it('calibrates a unit to the target time from a trial, within the loop kernel\'s bounds', () => {
    expect(calibratedIterations(1_000_000, 5, 60)).toBe(12_000_000);
    expect(calibratedIterations(1e9, 1, 60)).toBe(2 ** 30);
    expect(calibratedIterations(10, 100, 60)).toBe(10_000);
    expect(calibratedIterations(1_000, 0, 60)).toBeGreaterThan(0);
  });

  it('takes the fastest one-worker time, or a faster short trial, as one undisturbed unit', () => {
    expect(referenceUnitMs([70, 61, 90])).toBe(61);
    expect(referenceUnitMs([70, 61, 90], 60)).toBe(60);
    expect(referenceUnitMs([70, 61, 90], 65)).toBe(61);
    expect(referenceUnitMs([])).toBe(Infinity);
  });

  it('is N × (undisturbed unit time / median N-worker time), clamped to [1, N]', () => {
    expect(usableCoresFrom(60, around(60), 2)).toBeCloseTo(2, 6);
    expect(usableCoresFrom(60, around(90), 2)).toBeCloseTo(4 / 3, 6);
    expect(usableCoresFrom(60, around(120), 4)).toBeCloseTo(2, 6);
    expect(usableCoresFrom(60, around(55), 2)).toBe(2);
    expect(usableCoresFrom(60, around(500), 2)).toBe(1);
    expect(usableCoresFrom(Infinity, [], 4)).toBe(1);
  });

  it('sees a machine loaded by many processes, where one worker alone is slowed as much as each of N', () => {
    // Eight other processes on two cores: one worker gets 2/9 of a core, each of two workers 2/10.
    const oneWorkerMs = around(60 * 4.5);
    const batchMs = around(60 * 5);
    expect(usableCoresFrom(referenceUnitMs(oneWorkerMs, 60), batchMs, 2)).toBe(1);
    // Against the slowed one-worker time it would look idle: each worker still wins its share.
    expect(usableCoresFrom(referenceUnitMs(oneWorkerMs), batchMs, 2)).toBeCloseTo(1.8, 6);
    expect(judgeCores({ workerCount: 2, trialUnitMs: 60, oneWorkerMs, batchMs })).toMatchObject({ busy: true, usableCores: 1 });
  });

  it('probes for a plateau only where throughput falls short near a whole count of two or more cores', () => {
    expect(plateauToProbe(1.97, 2)).toBeUndefined(); // as reported
    expect(plateauToProbe(1.33, 2)).toBeUndefined(); // one core: never taken for a plateau
    expect(plateauToProbe(2.02, 4)).toBe(2);
    expect(plateauToProbe(2.5, 4)).toBeUndefined(); // between two counts: busy
    expect(plateauToProbe(3.9, 8)).toBe(4);
  });
});

describe('the verdict', () => {
  it('an idle 2-core machine: as reported, not busy', () => {
    const j = judgeCores({ workerCount: 2, trialUnitMs: 59.5, oneWorkerMs: around(60), batchMs: around(61) });
    expect(j).toMatchObject({ verdict: 'as-reported', busy: false, workerCount: 2, usableCores: 1.95 });
  });

  it('a 2-core machine with one CPU-bound process beside it: busy, about 1.3 cores', () => {
    // Three threads share two cores: each of two workers gets two thirds of one.
    const j = judgeCores({ workerCount: 2, oneWorkerMs: around(60), batchMs: around(90) });
    expect(j).toMatchObject({ verdict: 'busy', busy: true, usableCores: 1.33 });
  });

  it('a browser reporting 4 on an idle 2-core machine: two workers at full speed, four no faster: fewer cores', () => {
    const j = judgeCores({ workerCount: 4, oneWorkerMs: around(60), batchMs: around(120), probe: { workerCount: 2, batchMs: around(61) } });
    expect(j).toMatchObject({ verdict: 'fewer-cores', busy: false, plateauCores: 2, usableCores: 2 });
  });

  it('fewer cores and busy as well: the probe is slow too, so busy', () => {
    const j = judgeCores({ workerCount: 4, oneWorkerMs: around(60), batchMs: around(120), probe: { workerCount: 2, batchMs: around(90) } });
    expect(j).toMatchObject({ verdict: 'busy', busy: true });
  });

  it('an 8-core machine with four other busy processes is busy, not a 5-core machine', () => {
    // Eight workers and four others on eight cores: 5.33 cores' worth, near 5; five workers and four others: 4.44.
    expect(plateauToProbe(usableCoresFrom(60, around(90), 8), 8)).toBe(5);
    const j = judgeCores({ workerCount: 8, oneWorkerMs: around(60), batchMs: around(90), probe: { workerCount: 5, batchMs: around(67.5) } });
    expect(j).toMatchObject({ verdict: 'busy', busy: true, usableCores: 5.33 });
  });

  it('a plateau suspected but not probed stays busy: no conclusion without the evidence', () => {
    expect(judgeCores({ workerCount: 4, oneWorkerMs: around(60), batchMs: around(120) }).verdict).toBe('busy');
  });
});

describe('the core count sweeps and fits plan for', () => {
  const judged = (verdict: CoreJudgement['verdict'], plateauCores?: number) => ({ verdict, ...(plateauCores ? { plateauCores } : {}) });

  it('is the measured count when the browser reported clearly more cores than run at once', () => {
    expect(coresForScaling(4, judged('fewer-cores', 2))).toBe(2);
  });

  it('keeps the reported count on a busy machine, when nothing was measured, and when the machine is as reported', () => {
    expect(coresForScaling(2, judged('busy'))).toBe(2);
    expect(coresForScaling(4, judged('busy'))).toBe(4);
    expect(coresForScaling(4, undefined)).toBe(4);
    expect(coresForScaling(8, judged('as-reported'))).toBe(8);
  });

  it('never plans for more than reported', () => {
    expect(coresForScaling(2, judged('fewer-cores', 3))).toBe(2);
  });
});

describe('recording and reading the check', () => {
  const busy: CoreJudgement = { workerCount: 2, usableCores: 1.31, verdict: 'busy', busy: true };
  const idle: CoreJudgement = { workerCount: 2, usableCores: 1.96, verdict: 'as-reported', busy: false };
  const env = makeResults().environment;

  it('records before, after and busy when either check was busy; old documents without them still validate', () => {
    const recorded = withCoreFigures(env, idle, busy);
    expect(recorded).toMatchObject({ usableCores: 1.96, usableCoresAfter: 1.31, busy: true, scalingCores: 2 });
    expect(withCoreFigures(env, idle, idle).busy).toBe(false);
    expect(withCoreFigures(env, undefined, undefined)).toBe(env);
    expect(env).not.toHaveProperty('busy');
    const doc = makeResults();
    expect(validateResults(doc).ok).toBe(true);
    expect(validateResults({ ...doc, environment: recorded }).ok).toBe(true);
  });

  it('skips the check without workers, and turns a failed check into no figure', async () => {
    const signal = new AbortController().signal;
    let calls = 0;
    const check = async () => (calls++, idle);
    expect(await tryCoreCheck(check, false, signal)).toBeUndefined();
    expect(await tryCoreCheck(undefined, true, signal)).toBeUndefined();
    expect(await tryCoreCheck(check, true, signal)).toBe(idle);
    expect(calls).toBe(1);
    const quiet = console.warn;
    console.warn = () => {};
    try {
      expect(await tryCoreCheck(() => Promise.reject(new Error('no worker')), true, signal)).toBeUndefined();
    } finally {
      console.warn = quiet;
    }
  });

  it('says a busy machine understates speedups, with the lower figure, in the warning and every speedup verdict', () => {
    const machine = { hardwareConcurrency: 2, usableCores: 1.31, usableCoresAfter: 1.52, busy: true, scalingCores: 2 };
    const warning = busyWarning(machine)!;
    expect(warning).toBe('The machine was busy: about 1.3 of 2 cores were usable; speedups are understated.');
    expect(describeUsableCores(machine)).toBe('1.31 before the run, 1.52 after (reported: 2)');
    const reading = readExperiment(
      experimentResult('cpu-heavy', [
        measuredResult('serial', 1, 100),
        measuredResult('workers', 1, 101),
        measuredResult('workers', 2, 76),
      ]),
      2,
      'size',
      machine,
    );
    expect(reading.busyWarning).toBe(warning);
    expect(reading.warnings).toContain(warning);
    expect(reading.verdicts.find((v) => v.startsWith('workers'))).toMatch(/\(understated: the machine was busy\)\.$/);
    expect(readExperiment(experimentResult('cpu-heavy', []), 2, 'size', { ...machine, busy: false }).busyWarning).toBeUndefined();
  });

  it('says when lane counts were planned for fewer cores than the browser reports', () => {
    expect(plannedCoresNote({ hardwareConcurrency: 4, usableCores: 2, busy: false, scalingCores: 2 })).toMatch(/use 2 cores, as measured: the browser reports 4/);
    expect(plannedCoresNote({ hardwareConcurrency: 2, usableCores: 1.3, busy: true, scalingCores: 2 })).toBeUndefined();
  });

  it('the terminal table shows both checks and marks a busy run', () => {
    const doc = makeResults();
    doc.environment = withCoreFigures(doc.environment, idle, busy);
    expect(formatResultsTable(doc).split('\n')[0]).toMatch(/2 reported cores, usable cores 1\.96 before the run, 1\.31 after \(busy\)/);
  });
});

describe('runSuite with the check', () => {
  const capabilities = (workers: boolean): Capabilities => ({
    workers,
    sharedArrayBuffer: false,
    crossOriginIsolated: false,
    webgpu: { available: false, reason: 'none' },
    wasmSimd: { simd: false, relaxedSimd: false },
  });
  const request = {
    experiments: ['cpu-heavy'],
    preset: 'quick' as const,
    params: { 'cpu-heavy': { n: 20_000, tasks: 4 } },
    backends: ['serial' as const, 'event-loop' as const],
  };
  const env = { ...makeResults().environment, hardwareConcurrency: 4 };

  it('checks before and after, records both, and sweeps lanes for the measured cores when the browser overstates them', async () => {
    const signals: AbortSignal[] = [];
    const fewer: CoreJudgement = { workerCount: 4, usableCores: 1.99, verdict: 'fewer-cores', busy: false, plateauCores: 2 };
    const results = await runSuite(request, env, capabilities(true), {
      signal: new AbortController().signal,
      checkCores: async (signal) => (signals.push(signal), fewer),
      // These experiments take milliseconds: any length counts as long enough here.
      afterCheckMinRunMs: 0,
    });
    expect(signals).toHaveLength(2);
    expect(results.environment).toMatchObject({ hardwareConcurrency: 4, usableCores: 1.99, usableCoresAfter: 1.99, busy: false, scalingCores: 2 });
    const lanes = results.experiments[0]!.results.filter((r) => r.backend === 'event-loop').map((r) => r.workers);
    // The quick preset sweeps lanes up to the core count: the measured 2, not the reported 4.
    expect(lanes).toEqual([1, 2]);
    expect(validateResults(results).ok).toBe(true);
    expect(env).not.toHaveProperty('usableCores');
  });

  it('checks only before experiments shorter than the threshold, and after those that reach it', async () => {
    const idleFour: CoreJudgement = { workerCount: 4, usableCores: 3.9, verdict: 'as-reported', busy: false };
    const busyFour: CoreJudgement = { workerCount: 4, usableCores: 1.5, verdict: 'busy', busy: true };
    /** Idle at the first look, busy at every later one. */
    const busyAfter = () => (calls++ === 0 ? idleFour : busyFour);
    // Fresh random parameters: the run's length is measured, never assumed.
    const sized = { ...request, params: { 'cpu-heavy': { n: 10_000 + Math.floor(Math.random() * 40_000), tasks: 2 + Math.floor(Math.random() * 6) } } };
    let calls = 0;
    const short = await runSuite(sized, env, capabilities(true), {
      signal: new AbortController().signal,
      checkCores: async () => busyAfter(),
      afterCheckMinRunMs: 60_000,
    });
    expect(calls).toBe(1);
    expect(short.environment).toMatchObject({ usableCores: 3.9, busy: false });
    expect(short.environment).not.toHaveProperty('usableCoresAfter');
    calls = 0;
    const long = await runSuite(sized, env, capabilities(true), {
      signal: new AbortController().signal,
      checkCores: async () => busyAfter(),
      afterCheckMinRunMs: 0,
    });
    // Once before; after, a busy reading and the further looks it gets.
    expect(calls).toBe(2 + RECHECK_PAUSES_MS.length);
    // A busy reading after the run flags the whole run.
    expect(long.environment).toMatchObject({ usableCores: 3.9, usableCoresAfter: 1.5, busy: true });
  });

  it('keeps the reported cores on a busy machine, and flags it', async () => {
    const busyFour: CoreJudgement = { workerCount: 4, usableCores: 2.4, verdict: 'busy', busy: true };
    const results = await runSuite(request, env, capabilities(true), { signal: new AbortController().signal, checkCores: async () => busyFour });
    expect(results.environment).toMatchObject({ usableCores: 2.4, busy: true, scalingCores: 4 });
    expect(results.experiments[0]!.results.filter((r) => r.backend === 'event-loop').map((r) => r.workers)).toEqual([1, 2, 4]);
  });

  it('without workers, or without the hook, measures and records nothing', async () => {
    let calls = 0;
    const noWorkers = await runSuite(request, env, capabilities(false), {
      signal: new AbortController().signal,
      checkCores: async () => (calls++, undefined),
    });
    expect(calls).toBe(0);
    const noHook = await runSuite(request, env, capabilities(true), { signal: new AbortController().signal });
    for (const results of [noWorkers, noHook]) {
      expect(results.environment).toEqual(env);
    }
  });
});
