import { describe, expect, it } from 'vitest';
import { sizesWithinNoise, summarizeExperiment, summarizeRun, summaryCurves, summaryMarkdown } from '../../src/analysis/run-summary.ts';
import { experimentResult as experiment, makeResults, measuredResult as measured } from '../fixtures/make-results.ts';

describe('run summary', () => {
  it('leads a lane sweep with its best speedup, where gains stop, and settles it when the interval clears 1', () => {
    const serialMs = 100 + Math.random() * 50;
    const line = summarizeExperiment(
      experiment('cpu-heavy', [
        measured('serial', 1, serialMs),
        measured('workers', 1, serialMs),
        measured('workers', 2, serialMs / 1.9, {}, 0.02),
        measured('workers', 4, serialMs / 1.92, {}, 0.02),
        measured('event-loop', 2, serialMs * 1.01),
      ]),
    );
    expect(line.figureKind).toBe('speedup');
    expect(line.figureValue).toBeCloseTo(1.92, 2);
    expect(line.figureText).toBe('1.92×');
    expect(line.answer).toMatch(/workers × 4, 1\.92× serial; gains stop at 2 lanes/);
    expect(line.settled).toBe(true);
    expect(line.question).toMatch(/CPU-bound/);
  });

  it('marks a speedup whose interval includes 1 as not settled', () => {
    const line = summarizeExperiment(experiment('io-heavy', [measured('serial', 1, 100, {}, 0.1), measured('workers', 2, 95, {}, 0.1)]));
    expect(line.figureValue).toBeCloseTo(100 / 95, 2);
    expect(line.settled).toBe(false);
    expect(line.settledNote).toMatch(/^not settled: 95% interval .* includes 1/);
  });

  it('compares size sweeps at the largest size serial shares, with the crossover and the peak throughput', () => {
    const line = summarizeExperiment(
      experiment('array-add', [
        measured('serial', 1, 1, { size: 1024, gbPerSecond: 10 }),
        measured('shared-memory', 2, 2, { size: 1024, gbPerSecond: 5 }),
        measured('serial', 1, 100, { size: 65536, gbPerSecond: 8 }),
        measured('shared-memory', 2, 50, { size: 65536, gbPerSecond: 16 }, 0.01),
        measured('workers', 2, 300, { size: 65536, gbPerSecond: 2.7 }),
        // Measured beyond serial's reach: not the size compared at.
        measured('webgpu', 1, 1, { size: 1 << 20, gbPerSecond: 40 }),
      ]),
      'array length',
    );
    expect(line.figureValue).toBe(2);
    expect(line.answer).toMatch(/at array length 65,536: shared-memory × 2, 2\.00× serial/);
    expect(line.answer).toMatch(/beats serial from ≈ \d/);
    expect(line.answer).toMatch(/peak 40\.0 GB\/s \(webgpu\)/);
    expect(line.settled).toBe(true);
    expect(line.tieNote).toBeUndefined();
  });

  it('says when the winner is within noise of the runner-up', () => {
    const line = summarizeExperiment(
      experiment('array-add', [
        measured('serial', 1, 100, { size: 4096 }),
        measured('shared-memory', 2, 90, { size: 4096 }, 0.1),
        measured('workers', 2, 92, { size: 4096 }, 0.1),
      ]),
    );
    expect(line.answer).toMatch(/shared-memory × 2/);
    expect(line.tieNote).toMatch(/shared-memory × 2 and workers × 2 are within noise/);
    expect(line.settled).toBe(false);
  });

  it('says nothing beats serial when nothing does', () => {
    const line = summarizeExperiment(experiment('cpu-heavy', [measured('serial', 1, 10, {}, 0.01), measured('event-loop', 2, 20, {}, 0.01)]));
    expect(line.answer).toMatch(/^Nothing beats serial; the best, event-loop × 2, runs at 0\.50×/);
    expect(line.settled).toBe(true);
  });

  it('leads tiny tasks with the smallest break-even, settled only when the sizes either side are clear of noise', () => {
    const results = (spread: number) => [
      measured('serial', 1, 1, { size: 10 }, 0.01),
      measured('workers', 2, 4, { size: 10, variant: 'pooled' }, 0.01),
      measured('serial', 1, 100, { size: 1000 }, 0.01),
      measured('workers', 2, 100 / 1.05, { size: 1000, variant: 'pooled' }, spread),
    ];
    const derived = { 'breakEvenUs.workers.pooled': 420, 'breakEvenUs.workers.spawn': 'never' };
    const clear = summarizeExperiment(experiment('tiny-tasks', results(0.001), { derived }));
    expect(clear).toMatchObject({ figureKind: 'break-even', figureValue: 420, figureText: '420 µs', settled: true });
    expect(clear.answer).toMatch(/workers pooled beats serial from tasks of ≈ 420 µs: a task needs about 420 µs of work before 2 lanes beat one; workers spawn never/);
    expect(summarizeExperiment(experiment('tiny-tasks', results(0.1), { derived })).settled).toBe(false);
  });

  it('ranks a path that already won at the smallest size ("≤N") first, as N µs', () => {
    const smallest = [1, 2, 5][Math.floor(Math.random() * 3)]!;
    const ringUs = 10 + Math.round(Math.random() * 200);
    const derived = {
      'breakEvenUs.shared-memory.ring': ringUs,
      'breakEvenUs.shared-memory.ring-page': `≤${smallest}`,
      'breakEvenUs.workers.pooled': 'never',
    };
    const results = [
      measured('serial', 1, 1, { size: smallest }, 0.01),
      measured('shared-memory', 2, 0.6, { size: smallest, variant: 'ring-page' }, 0.01),
    ];
    const line = summarizeExperiment(experiment('tiny-tasks', results, { derived }));
    expect(line).toMatchObject({ figureKind: 'break-even', figureValue: smallest, figureText: `≤ ${smallest} µs` });
    expect(line.answer).toMatch(new RegExp(`^shared-memory ring-page beats serial already at the smallest tasks measured: 2 lanes beat one from ${smallest} µs`));
    expect(line.answer).toContain(`shared-memory ring from ${ringUs} µs`);
    expect(line.answer).toMatch(/workers pooled never in the sizes measured\.$/);
  });

  it('leads data transfer with the fastest handover in GB/s and says when the top two are within noise', () => {
    const line = summarizeExperiment(
      experiment('data-transfer', [
        measured('workers', 1, 10, { size: 1e6, variant: 'clone', gbPerSecond: 0.2 }),
        measured('workers', 1, 2, { size: 1e6, variant: 'transfer', gbPerSecond: 1 }, 0.01),
        measured('shared-memory', 1, 1, { size: 1e6, variant: 'shared', gbPerSecond: 2 }, 0.01),
      ]),
    );
    expect(line).toMatchObject({ figureKind: 'throughput', figureValue: 2, figureText: '2.00 GB/s', settled: true });
    expect(line.tieNote).toBeUndefined();
  });

  it('copies as a Markdown table that carries every line, the browser and the cores', () => {
    const doc = makeResults();
    doc.environment.usableCores = 1.97;
    doc.experiments = [
      experiment('cpu-heavy', [measured('serial', 1, 100), measured('workers', 2, 52)], { title: 'CPU | heavy' }),
      experiment('io-heavy', [measured('serial', 1, 100)]),
    ];
    const md = summaryMarkdown(summarizeRun(doc), 'today');
    expect(md).toMatch(/^\*\*Parallel Lab\*\*: chromium 156\.0\.1\.2, 2 reported cores \(usable: 1\.97 before the run\), measured today\./);
    const rows = md.trim().split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---')).slice(1);
    expect(rows).toHaveLength(2);
    const cells = rows[0]!.split(/(?<!\\)\|/).map((c) => c.trim());
    expect(cells[1]).toBe('CPU \\| heavy');
    expect(cells[3]).toBe(`${(100 / 52).toFixed(2)}×`);
    expect(rows[1]).toMatch(/\| – \| no \|/);
  });

  it('draws lane sweeps against lanes and size sweeps against size', () => {
    const lanes = summaryCurves(experiment('cpu-heavy', [measured('serial', 1, 100), measured('workers', 1, 100), measured('workers', 2, 50)]));
    expect(lanes.axis).toBe('lanes');
    expect(lanes.series[0]!.points.map((p) => p.x)).toEqual([1, 2]);
    const sizes = summaryCurves(
      experiment('array-add', [
        measured('serial', 1, 1, { size: 8 }),
        measured('serial', 1, 2, { size: 16 }),
        measured('workers', 2, 2, { size: 8 }),
        measured('workers', 2, 1, { size: 16 }),
      ]),
    );
    expect(sizes).toMatchObject({ axis: 'size', series: [{ name: 'workers × 2', points: [{ x: 8, speedup: 0.5 }, { x: 16, speedup: 2 }] }] });
  });
});

describe('sizesWithinNoise', () => {
  it('names the sizes where a series could land either side of serial in another run', () => {
    const e = experiment('array-add', [
      measured('serial', 1, 10, { size: 8 }, 0.01),
      measured('shared-memory', 2, 20, { size: 8 }, 0.01),
      measured('serial', 1, 100, { size: 64 }, 0.05),
      measured('shared-memory', 2, 98, { size: 64 }, 0.05),
    ]);
    expect(sizesWithinNoise(e, 'shared-memory × 2')).toEqual([64]);
    expect(sizesWithinNoise(e, 'workers × 2')).toEqual([]);
  });
});
