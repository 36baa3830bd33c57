import { describe, expect, it } from 'vitest';
import { ParamError, parseParamText, resolveParams } from '../../src/engine/params.ts';
import { plannedConfigurations, sizedConfigurations, withinLanePlan, workerCounts } from '../../src/engine/sweep.ts';
import { planSampleCount, quickSampling, warmedUp, defaultSampling } from '../../src/measure/sampling.ts';
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
    expect(planSampleCount(500, 0.005, defaultSampling)).toBe(defaultSampling.minSamples);
    expect(planSampleCount(0.05, 0.1, defaultSampling)).toBe(defaultSampling.maxSamples);
    expect(planSampleCount(20, 0.005, quickSampling)).toBe(Math.ceil(quickSampling.minTotalMs / 20));
  });

  it('warm-up continues until two runs agree', () => {
    expect(warmedUp([100], quickSampling)).toBe(false);
    expect(warmedUp([130, 100], quickSampling)).toBe(false);
    expect(warmedUp([130, 100, 98], quickSampling)).toBe(true);
    expect(warmedUp([300, 200, 150, 120, 100], quickSampling)).toBe(true);
  });
});
