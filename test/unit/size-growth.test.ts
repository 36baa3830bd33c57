import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WorkerPool } from '../../src/executors/worker-pool.ts';
import { runExperiment } from '../../src/engine/run-experiment.ts';
import { SizeGrowth } from '../../src/engine/size-growth.ts';
import { sizedConfigurations } from '../../src/engine/sweep.ts';
import { quickSampling } from '../../src/measure/sampling.ts';
import type { MeasuredResult, UnavailableResult } from '../../src/results/schema.ts';
import type { BackendImplementation, Workload } from '../../src/workloads/types.ts';

afterEach(() => vi.restoreAllMocks());

describe('a size sweep that grows while runs stay short', () => {
  const limits = { maxRunMs: 100, serialRunFactor: 4, experimentBudgetMs: 10_000 };

  it('projects the next size from the last one and stops a backend past the per-run cap, the serial reference later', () => {
    const growth = new SizeGrowth(3, limits, 'n');
    growth.record({ backend: 'webgpu', workers: 1, size: 64 }, 30);
    growth.record({ backend: 'serial', workers: 1, size: 64 }, 30);
    // 30 ms × 2³ = 240 ms: past 100 ms for the GPU, within 400 ms for serial.
    expect(growth.skipReason({ backend: 'webgpu', workers: 1, size: 128 }, 0)).toMatch(/n 128: one run would take about 240 ms \(30 ms at 64\), past this preset's 100 ms per run/);
    expect(growth.skipReason({ backend: 'serial', workers: 1, size: 128 }, 0)).toBeUndefined();
    expect(growth.stopped).toEqual({ webgpu: expect.stringMatching(/n 128/) });
    // The first size of a backend is always measured; so is a backend with no record at this lane count.
    expect(growth.skipReason({ backend: 'workers', workers: 2, size: 4096 }, 0)).toBeUndefined();
  });

  it("projects only the GPU kernel's own time where the device timed it, so a fixed floor does not stop the sweep", () => {
    const growth = new SizeGrowth(3, limits, 'n');
    const floorMs = 60 + 20 * Math.random();
    const kernelMs = 1 + Math.random();
    // A run of floor + kernel: 2³ times the kernel stays under 100 ms beside the floor, 2³ times the whole run would not.
    growth.record({ backend: 'webgpu', workers: 1, size: 128, variant: 'register' }, floorMs + kernelMs, kernelMs);
    expect(growth.skipReason({ backend: 'webgpu', workers: 1, size: 256, variant: 'register' }, 0)).toBeUndefined();
    // A kernel that takes most of the run grows with it: 60 ms of kernel at 256 is 480 ms more at 512.
    growth.record({ backend: 'webgpu', workers: 1, size: 256, variant: 'register' }, 70, 60);
    expect(growth.skipReason({ backend: 'webgpu', workers: 1, size: 512, variant: 'register' }, 0)).toMatch(
      /n 512: one run would take about 490 ms \(70 ms at 256, 60 ms of it the GPU's kernel\)/,
    );
    // A kernel time longer than the run (clocks disagree) is not believed: the whole run is projected.
    growth.record({ backend: 'webgpu', workers: 1, size: 64, variant: 'naive' }, 20, 25);
    expect(growth.skipReason({ backend: 'webgpu', workers: 1, size: 128, variant: 'naive' }, 0)).toMatch(/about 160 ms \(20 ms at 64\)/);
  });

  it('stops every backend once the experiment budget is spent', () => {
    const growth = new SizeGrowth(1, limits, 'length');
    growth.record({ backend: 'serial', workers: 1, size: 10 }, 1);
    expect(growth.skipReason({ backend: 'serial', workers: 1, size: 20 }, 10_001)).toMatch(/time budget of 10 s was spent/);
  });
});

describe('the engine with a growing sweep (virtual clock)', () => {
  it('measures each backend up to where its runs stay short, then sweeps lanes at the largest size it reached', async () => {
    let clockMs = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => clockMs);
    // Serial costs n²/100 ms, the event loop n²/10 ms per run: the event loop stops growing first.
    const costs: BackendImplementation<number, number> = {
      async run(ctx, prepared) {
        const n = ctx.config.size!;
        clockMs += ctx.config.backend === 'serial' ? (n * n) / 100 : (n * n) / 10;
        return { output: prepared, spans: [] };
      },
    };
    const workload: Workload<number, number> = {
      meta: { id: 'growing', title: 'Growing', postRow: '', summary: '', backends: ['serial', 'event-loop'], sizeLabel: 'n' },
      params: [],
      implementations: { serial: costs, 'event-loop': costs },
      sizeGrowth: { workExponent: 2 },
      configurations: (_params, cores, backends) => sizedConfigurations([10, 20, 40, 80, 160], cores, backends),
      prepare: (_params, random) => 1 + random(),
      verify: (output, prepared) => ({ ok: output === prepared, detail: 'same' }),
    };
    const sampling = { ...quickSampling, oversubscribe: true, maxWarmupRuns: 2, budgetMs: 20, overBudgetFactor: 100, growth: { maxRunMs: 200, serialRunFactor: 2, experimentBudgetMs: 1e9 } };
    const experiment = await runExperiment(
      { workload: workload as Workload, preset: 'quick' },
      {
        signal: new AbortController().signal,
        random: Math.random,
        capabilities: { workers: false, sharedArrayBuffer: false, crossOriginIsolated: false, webgpu: { available: false }, wasmSimd: { simd: false, relaxedSimd: false } },
        hardwareConcurrency: 2,
        timerResolutionMs: 0.001,
        sampling,
        createPool: () => ({ terminate() {}, onWorkerFailure: () => () => undefined }) as unknown as WorkerPool,
      },
    );
    const measured = (backend: string) =>
      (experiment.results.filter((r) => r.backend === backend && 'medianMs' in r) as MeasuredResult[]).map((r) => `${r.workers}@${r.size}`);
    // Serial: 256 ms at 160 is within its 400. Event loop: 160 ms at 40; 80 would be 640 ms, past 200.
    expect(measured('serial')).toEqual(['1@10', '1@20', '1@40', '1@80', '1@160']);
    expect(measured('event-loop')).toEqual(['2@10', '2@20', '2@40', '1@40', '4@40']);
    const skipped = experiment.results.filter((r) => !r.available) as UnavailableResult[];
    expect(skipped.map((r) => `${r.backend}@${r.size}`)).toEqual(['event-loop@80', 'event-loop@160']);
    expect(skipped.every((r) => r.skipped === true)).toBe(true);
    expect(experiment.sizeSweep).toEqual({ sizes: [10, 20, 40, 80, 160], stopped: { 'event-loop': expect.stringMatching(/n 80: one run would take about 640 ms/) } });
  });
});
