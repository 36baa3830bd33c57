import { describe, expect, it } from 'vitest';
import { crossoverSize, mostTellingConfiguration, sizeMarks, speedupMarks, type SizeMark } from '../../src/analysis/speedup-series.ts';
import { measuredResult } from '../fixtures/make-results.ts';
import type { ExperimentResult, MeasuredResult } from '../../src/results/schema.ts';

const measured = (backend: MeasuredResult['backend'], workers: number, medianMs: number, size?: number): MeasuredResult => ({
  backend,
  available: true,
  workers,
  ...(size !== undefined ? { size } : {}),
  samplesMs: [medianMs],
  warmupMs: [],
  medianMs,
  ci95Ms: [medianMs * 0.95, medianMs * 1.05],
  ciCoverage: 0.95,
  verified: true,
  timeline: [],
});

const experiment = (results: MeasuredResult[]): ExperimentResult => ({
  id: 'x',
  preset: 'quick',
  params: {},
  startedAt: new Date().toISOString(),
  durationMs: 1,
  results,
  amdahl: {},
});

describe('chart series', () => {
  it('lane sweeps: only groups with two or more lane counts, speedup against serial at the same size', () => {
    const base = 100 + Math.random() * 50;
    const marks = speedupMarks(
      experiment([
        measured('serial', 1, base, 64),
        measured('serial', 1, base * 4, 256),
        measured('workers', 2, base / 1.5, 64),
        measured('workers', 1, base * 4.1, 256),
        measured('workers', 2, base * 2.2, 256),
      ]),
    );
    expect(marks.map((m) => [m.series, m.workers])).toEqual([
      ['workers n=256', 1],
      ['workers n=256', 2],
    ]);
    expect(marks[1]!.speedup).toBeCloseTo(4 / 2.2, 10);
    expect(marks[1]!.low).toBeLessThan(marks[1]!.speedup);
    expect(marks[1]!.high).toBeGreaterThan(marks[1]!.speedup);
  });

  it('size sweeps group by backend and lanes', () => {
    const marks = sizeMarks(
      experiment([
        measured('serial', 1, 1, 64),
        measured('serial', 1, 8, 128),
        measured('workers', 2, 2, 64),
        measured('workers', 2, 5, 128),
        measured('webgpu', 1, 3, 64),
      ]),
    );
    expect(new Set(marks.map((m) => m.series))).toEqual(new Set(['serial', 'workers × 2']));
    expect(marks.find((m) => m.series === 'workers × 2' && m.size === 128)!.speedup).toBeCloseTo(1.6, 10);
  });

  const series = (pairs: Array<[number, number]>): SizeMark[] =>
    pairs.map(([size, speedup]) => ({ series: 's', size, speedup, medianMs: 1 }));

  it.each([
    ['never wins', [[64, 0.2], [128, 0.5], [256, 0.9]], null],
    ['always wins', [[64, 1.2], [128, 1.5]], 64],
    ['wins exactly between two sizes (log-linear)', [[64, 0.5], [256, 2]], 128],
    ['a lucky early win does not count if it loses again', [[64, 1.1], [128, 0.8], [256, 2]], 128 * Math.sqrt(2) ** (Math.log(1 / 0.8) / Math.log(2 / 0.8) * 2)],
  ] as Array<[string, Array<[number, number]>, number | null]>)('crossover: %s', (_name, pairs, expected) => {
    const size = crossoverSize(series(pairs));
    if (expected === null) expect(size).toBeNull();
    else expect(size!).toBeCloseTo(expected, 6);
  });
});

describe('mostTellingConfiguration', () => {
  it('opens on the fastest parallel configuration at the largest size with a timeline', () => {
    const bar = [{ lane: 0, startMs: 0, endMs: 1 }];
    const configs = [
      measuredResult('serial', 1, 0.04, { size: 8, timeline: bar }),
      measuredResult('workers', 2, 0.5, { size: 8, timeline: bar }),
      measuredResult('serial', 1, 40, { size: 1024, timeline: bar }),
      measuredResult('workers', 2, 30, { size: 1024, timeline: bar }),
      measuredResult('shared-memory', 2, 21, { size: 1024, timeline: bar }),
      measuredResult('webgpu', 1, 5, { size: 1024, timeline: [] }),
    ];
    expect(mostTellingConfiguration(configs)).toBe(4);
    expect(mostTellingConfiguration(configs.slice(0, 1))).toBe(0);
    expect(mostTellingConfiguration([])).toBe(0);
  });
});
