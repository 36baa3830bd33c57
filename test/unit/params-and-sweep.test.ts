import { describe, expect, it } from 'vitest';
import { ParamError, parseNumberText, parseParamField, parseParamText, resolveParams } from '../../src/engine/params.ts';
import { workloadById } from '../../src/workloads/registry.ts';
import { plannedConfigurations, sizedConfigurations, withinLanePlan, workerCounts } from '../../src/engine/sweep.ts';
import { planSampleCount, quickSampling, thoroughSampling, warmedUp, defaultSampling } from '../../src/measure/sampling.ts';
import { ROUNDS_FOR_95 } from '../../src/measure/stats.ts';
import { cpuHeavy } from '../../src/workloads/cpu-heavy/index.ts';
import { validateSuiteRequest } from '../../src/engine/run-suite.ts';

describe('parameters', () => {
  it('presets resolve and overrides apply', () => {
    expect(resolveParams(cpuHeavy, 'quick').n).toBe(cpuHeavy.params.find((p) => p.key === 'n')!.presets.quick);
    expect(resolveParams(cpuHeavy, 'default', { tasks: 5 }).tasks).toBe(5);
  });

  it.each([
    [{ n: 5e12 }, /n must be between 1,000 and 1,500,000,000 \(got 5,000,000,000,000\)/],
    [{ n: 1234.5 }, /whole number/],
    [{ tasks: 0 }, /tasks must be between/],
    [{ n: '12' }, /must be a number/],
    [{ bogus: 1 }, /unknown parameter "bogus"/],
    [JSON.parse('{"__proto__": 5}'), /unknown parameter "__proto__"/],
  ])('refuses %j with a clear message', (overrides, message) => {
    expect(() => resolveParams(cpuHeavy, 'default', overrides)).toThrow(ParamError);
    expect(() => resolveParams(cpuHeavy, 'default', overrides)).toThrow(message);
  });

  it('parses command-line key=value text, refusing junk', () => {
    expect(parseParamText('n=1e8, tasks=1_000')).toEqual({ n: 1e8, tasks: 1000 });
    expect(Object.keys(parseParamText('__proto__=1'))).toEqual(['__proto__']);
    expect(() => parseParamText('n')).toThrow(/key=value/);
    expect(() => parseParamText('n=abc')).toThrow(/must be a number/);
  });

  it('validates a whole suite before running any of it', () => {
    expect(() => validateSuiteRequest({ experiments: [], preset: 'quick' })).toThrow(/No experiment/);
    expect(() => validateSuiteRequest({ experiments: ['nope'], preset: 'quick' })).toThrow(/Unknown experiment "nope"/);
    expect(() =>
      validateSuiteRequest({ experiments: ['cpu-heavy'], preset: 'quick', params: { 'cpu-heavy': { n: -1 } } }),
    ).toThrow(/n must be between/);
    // Any whole number of ms within the range is a watchdog floor a request may ask for.
    const floorMs = 1_000 + Math.floor(Math.random() * 599_001);
    expect(() => validateSuiteRequest({ experiments: ['cpu-heavy'], preset: 'quick', watchdogFloorMs: floorMs })).not.toThrow();
  });
});

describe('sweeps and sampling', () => {
  it.each([
    [1, [1, 2]],
    [2, [1, 2, 4]],
    [4, [1, 2, 4, 8]],
    [6, [1, 2, 4, 6, 8]],
    [12, [1, 2, 4, 8, 12, 16]],
  ])('worker counts for %i cores: %j', (cores, counts) => {
    expect(workerCounts(cores)).toEqual(counts);
  });

  it('serial runs once, lane backends sweep', () => {
    const configs = plannedConfigurations(['serial', 'event-loop', 'workers'], 2);
    expect(configs).toEqual([
      { backend: 'serial', workers: 1 },
      { backend: 'event-loop', workers: 1 },
      { backend: 'event-loop', workers: 2 },
      { backend: 'event-loop', workers: 4, oversubscribed: true },
      { backend: 'workers', workers: 1 },
      { backend: 'workers', workers: 2 },
      { backend: 'workers', workers: 4, oversubscribed: true },
    ]);
  });

  it('a preset without oversubscription keeps lane counts up to the core count, in sized sweeps too', () => {
    const cores = 2 + Math.floor(Math.random() * 7);
    const planned = plannedConfigurations(['serial', 'workers', 'shared-memory'], cores);
    const sized = sizedConfigurations([64, 128], cores, ['serial', 'workers']);
    for (const configs of [planned, sized]) {
      expect(withinLanePlan(configs, true)).toEqual(configs);
      const kept = withinLanePlan(configs, false);
      expect(kept.length).toBeLessThan(configs.length);
      expect(Math.max(...kept.map((c) => c.workers))).toBe(cores);
      expect(kept).toEqual(configs.filter((c) => c.workers <= cores));
    }
  });

  it('short samples relative to the timer get more samples; long ones the minimum', () => {
    expect(planSampleCount(defaultSampling.budgetMs / 5, 0.005, defaultSampling)).toBe(defaultSampling.minSamples);
    expect(planSampleCount(0.05, 0.1, defaultSampling)).toBe(defaultSampling.maxSamples);
    // Short next to the budget, long next to the timer: enough samples to fill the minimum measured time.
    const warmupMs = quickSampling.minTotalMs / (quickSampling.minSamples + 3);
    expect(warmupMs).toBeLessThan(quickSampling.budgetMs / 5);
    expect(planSampleCount(warmupMs, 0.005, quickSampling)).toBe(quickSampling.minSamples + 3);
  });

  it('runs long next to the budget take the long-run minimum of samples; the thorough preset keeps its minimum', () => {
    const long = defaultSampling.budgetMs / 5 + 1 + Math.random() * 500;
    expect(planSampleCount(long, 0.005, defaultSampling)).toBe(defaultSampling.minSamplesLongRuns);
    expect(defaultSampling.minSamplesLongRuns).toBeLessThan(defaultSampling.minSamples);
    expect(planSampleCount(defaultSampling.budgetMs / 5 - 1, 0.005, defaultSampling)).toBe(defaultSampling.minSamples);
    // Long next to the thorough preset's own budget: more samples than its minimum would not fit in it.
    const longForThorough = thoroughSampling.budgetMs / 5 + 1 + Math.random() * 500;
    expect(planSampleCount(longForThorough, 0.005, thoroughSampling)).toBe(thoroughSampling.minSamples);
  });

  it('the thorough preset takes enough rounds for their medians\' range to be a 95% interval, and a sample for each', () => {
    expect(thoroughSampling.rounds).toBeGreaterThanOrEqual(ROUNDS_FOR_95);
    expect(1 - 2 ** (1 - thoroughSampling.rounds)).toBeGreaterThanOrEqual(0.95);
    expect(thoroughSampling.minSamplesLongRuns).toBeGreaterThanOrEqual(thoroughSampling.rounds);
  });

  it('a coarse timer asks for more samples, but never more than the budget holds', () => {
    const runMs = 5 + Math.random() * 10;
    // 20 µs ticks: a 5-15 ms run spans fewer than 1,000 of them.
    expect(planSampleCount(runMs, 0.02, defaultSampling)).toBe(Math.max(defaultSampling.minSamples, Math.floor(defaultSampling.budgetMs / runMs)));
    expect(planSampleCount(runMs, 0.02, thoroughSampling)).toBe(Math.min(thoroughSampling.maxSamples, Math.floor(thoroughSampling.budgetMs / runMs)));
  });

  it('one warm-up run as long as the warm-up time is enough; shorter ones need the minimum runs', () => {
    const cap = defaultSampling.maxWarmupMs;
    expect(warmedUp([cap + Math.random() * 100], defaultSampling)).toBe(true);
    expect(warmedUp([cap / 3], defaultSampling)).toBe(false);
    expect(warmedUp([], defaultSampling)).toBe(false);
  });

  it('warm-up continues until two runs agree', () => {
    // The agreement rule alone: caps on runs and time far away.
    const policy = { ...quickSampling, warmupRuns: 2, maxWarmupRuns: 5, maxWarmupMs: 10_000, warmupTolerance: 0.08 };
    expect(warmedUp([100], policy)).toBe(false);
    expect(warmedUp([130, 100], policy)).toBe(false);
    expect(warmedUp([130, 100, 98], policy)).toBe(true);
    expect(warmedUp([300, 200, 150, 120, 100], policy)).toBe(true);
  });
});

describe('one strict number parser for fields, URL and command line', () => {
  it.each(['_', '__', '0x10', '0b101', '0o17', '1_', '_1', '1__0', '1._5', 'Infinity', 'NaN', '1e400', '', ' ', '1,5', '+', '.', 'e5'])(
    'refuses %j',
    (text) => {
      expect(parseNumberText(text)).toBeNull();
      expect(() => parseParamText(`n=${text}`)).toThrow(ParamError);
      const spec = cpuHeavy.params.find((p) => p.key === 'n')!;
      expect(() => parseParamField(spec, text, 'cpu-heavy')).toThrow(/n must be a number/);
    },
  );

  it('reads what people type, with single underscores between digits', () => {
    const whole = 1 + Math.floor(Math.random() * 1e6);
    expect(parseNumberText(String(whole))).toBe(whole);
    expect(parseNumberText(whole.toLocaleString('en').replaceAll(',', '_'))).toBe(whole);
    expect(parseNumberText(' -0.5 ')).toBe(-0.5);
    expect(parseNumberText('1e8')).toBe(1e8);
    expect(parseNumberText('.25')).toBe(0.25);
    expect(parseNumberText('3.')).toBe(3);
  });
});

describe('the page API: any value, a clear ParamError, never a TypeError', () => {
  it.each([
    [{ n: null }, /n must be a number \(got null\)/],
    [{ n: Object.create(null) }, /n must be a number \(got an object\)/],
    [{ n: [5] }, /n must be a number \(got an array\)/],
    [{ n: Symbol('x') }, /n must be a number \(got a symbol\)/],
  ])('refuses %o', (overrides, message) => {
    expect(() => resolveParams(cpuHeavy, 'default', overrides)).toThrow(ParamError);
    expect(() => resolveParams(cpuHeavy, 'default', overrides)).toThrow(message);
  });

  const requests: Array<[string, unknown, RegExp]> = [
    ['no request', undefined, /must be an object/],
    ['no experiments', { preset: 'quick' }, /experiments must be a list/],
    ['experiments as text', { experiments: 'cpu-heavy', preset: 'quick' }, /experiments must be a list/],
    ['a number as an id', { experiments: [1], preset: 'quick' }, /experiment ids \(text\)/],
    ['null parameters for an experiment', { experiments: ['cpu-heavy'], preset: 'quick', params: { 'cpu-heavy': null } }, /parameters must be an object/],
    ['parameters as a list', { experiments: ['cpu-heavy'], preset: 'quick', params: [] }, /params must be an object/],
    ['an unknown preset', { experiments: ['cpu-heavy'], preset: 'slow' }, /Unknown preset "slow"\. Known: quick, default, thorough/],
    ['no preset', { experiments: ['cpu-heavy'] }, /Unknown preset undefined/],
    ['backends as text', { experiments: ['cpu-heavy'], preset: 'quick', backends: 'serial' }, /backends must be a list/],
    ['a backend that is not text', { experiments: ['cpu-heavy'], preset: 'quick', backends: [{}] }, /Unknown backend/],
    ['a watchdog floor under a second', { experiments: ['cpu-heavy'], preset: 'quick', watchdogFloorMs: 999 }, /watchdogFloorMs must be a whole number of ms between 1,000 and 600,000/],
    ['a watchdog floor over ten minutes', { experiments: ['cpu-heavy'], preset: 'quick', watchdogFloorMs: 600_001 }, /watchdogFloorMs must be/],
    ['a fractional watchdog floor', { experiments: ['cpu-heavy'], preset: 'quick', watchdogFloorMs: 1500.5 }, /watchdogFloorMs must be/],
    ['a watchdog floor as text', { experiments: ['cpu-heavy'], preset: 'quick', watchdogFloorMs: '2000' }, /watchdogFloorMs must be/],
  ];
  it.each(requests)('validateSuiteRequest with %s says so', (_name, request, message) => {
    let thrown: unknown;
    try {
      validateSuiteRequest(request as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ParamError);
    expect((thrown as Error).message).toMatch(message);
  });

  it.each([
    ['array-add', { minLength: 1 << 20, maxLength: 1 << 16 }, /minLength \(1,048,576\) must not be more than maxLength \(65,536\)/],
    ['dot-product', { minN: 512, maxN: 256 }, /minN .* must not be more than maxN/],
    ['tiny-tasks', { minUs: 1000, maxUs: 10 }, /minUs .* must not be more than maxUs/],
    ['data-transfer', { minKiB: 4096, maxKiB: 64 }, /minKiB .* must not be more than maxKiB/],
  ])('%s refuses a minimum above its maximum', (id, overrides, message) => {
    expect(() => resolveParams(workloadById(id), 'default', overrides)).toThrow(message);
    const low = Object.keys(overrides)[0]!;
    const high = Object.keys(overrides)[1]!;
    const same = (overrides as Record<string, number>)[high]!;
    expect(resolveParams(workloadById(id), 'default', { [low]: same, [high]: same })[low]).toBe(same);
  });
});
