import { describe, expect, it } from 'vitest';
import {
  compareRuns,
  latestRunPerBrowser,
  overlaidSpeedupMarks,
  runLabel,
  runLabels,
} from '../../src/analysis/compare-runs.ts';
import type { RunSummary } from '../../src/results/history.ts';
import type { ExperimentResult, MeasuredResult, Results } from '../../src/results/schema.ts';
import { experimentResult, makeResults, measuredResult } from '../fixtures/make-results.ts';

/** Measured results with a ±10% interval. */
const measured = (backend: MeasuredResult['backend'], workers: number, medianMs: number, extra: Partial<MeasuredResult> = {}) =>
  measuredResult(backend, workers, medianMs, extra, 0.1);

const experiment = (id: string, results: ExperimentResult['results']): ExperimentResult =>
  experimentResult(id, results, { title: `Title of ${id}`, preset: 'quick' });

function run(browser: string, version: string, cores: number, experiments: ExperimentResult[], createdAt = '2026-01-02T03:04:05.000Z'): Results {
  const base = makeResults();
  return { ...base, createdAt, environment: { ...base.environment, browser: { name: browser, version }, hardwareConcurrency: cores }, experiments };
}

describe('run labels', () => {
  it.each([
    ['chromium', '156.0.7000.1', 2, 'Chromium 156 · 2 cores'],
    ['firefox', '153.0esr', 1, 'Firefox 153 · 1 core'],
    ['safari', 'unknown', 8, 'Safari · 8 cores'],
  ])('%s %s on %i cores', (name, version, cores, expected) => {
    expect(runLabel({ browser: { name, version }, hardwareConcurrency: cores })).toBe(expected);
  });

  it('tells two runs of one browser apart by time, and identical ones by position', () => {
    const a = run('chromium', '156', 2, [], '2026-01-02T03:04:05.000Z');
    const b = run('chromium', '156', 2, [], '2026-01-03T10:11:12.000Z');
    const c = run('firefox', '153', 2, []);
    expect(runLabels([a, b, c])).toEqual(['Chromium 156 · 2 cores · 2026-01-02 03:04', 'Chromium 156 · 2 cores · 2026-01-03 10:11', 'Firefox 153 · 2 cores']);
    expect(runLabels([a, a])).toEqual(['Chromium 156 · 2 cores · 2026-01-02 03:04 (#1)', 'Chromium 156 · 2 cores · 2026-01-02 03:04 (#2)']);
  });
});

describe('compareRuns', () => {
  it('matches rows by backend, lanes, size and variant, with each run’s ratio to the first', () => {
    const m = () => 10 + Math.random() * 100;
    const [s1, w1, g1, s2, w2, g2] = [m(), m(), m(), m(), m(), m()];
    const first = run('chromium', '156', 2, [
      experiment('cpu-heavy', [
        measured('serial', 1, s1, { speedup: 1 }),
        measured('workers', 2, w1, { speedup: s1 / w1 }),
        measured('webgpu', 1, g1, { size: 1024, variant: 'tiled' }),
        { backend: 'gpujs', available: false, reason: 'no WebGL' },
      ]),
    ]);
    // Listed in another order, with a configuration the first run lacks and one that differs only by variant.
    const second = run('firefox', '153', 2, [
      experiment('cpu-heavy', [
        measured('workers', 2, w2),
        measured('webgpu', 1, g2, { size: 1024, variant: 'naive' }),
        measured('serial', 1, s2),
        { backend: 'workers', available: true, workers: 4, verified: false, error: 'Wrong answer', samplesMs: [] },
      ]),
    ]);
    const comparison = compareRuns([first, second]);
    expect(comparison.labels).toEqual(['Chromium 156 · 2 cores', 'Firefox 153 · 2 cores']);
    expect(comparison.experiments.map((e) => [e.id, e.title])).toEqual([['cpu-heavy', 'Title of cpu-heavy']]);
    const rows = comparison.experiments[0]!.rows;
    expect(rows.map((r) => r.key)).toEqual(['serial|1||', 'workers|2||', 'webgpu|1|1024|tiled', 'gpujs|||', 'webgpu|1|1024|naive', 'workers|4||']);
    const serial = rows[0]!.cells;
    expect(serial[0]).toMatchObject({ status: 'measured', medianMs: s1, ratioToFirst: 1, speedup: 1 });
    expect(serial[1]).toMatchObject({ status: 'measured', medianMs: s2 });
    expect(serial[1]!.status === 'measured' && serial[1]!.ratioToFirst).toBeCloseTo(s2 / s1, 12);
    const workers = rows[1]!.cells;
    expect(workers[1]!.status === 'measured' && workers[1]!.ratioToFirst).toBeCloseTo(w2 / w1, 12);
    // No ratio where the first run has nothing to divide by.
    expect(rows[2]!.cells[1]).toEqual({ status: 'missing' });
    expect(rows[4]!.cells[0]).toEqual({ status: 'missing' });
    expect(rows[4]!.cells[1]).toMatchObject({ status: 'measured', medianMs: g2 });
    expect(rows[4]!.cells[1]).not.toHaveProperty('ratioToFirst');
    expect(rows[3]!.cells).toEqual([{ status: 'unavailable', text: 'no WebGL' }, { status: 'missing' }]);
    expect(rows[5]!.cells).toEqual([{ status: 'missing' }, { status: 'failed', text: 'Wrong answer' }]);
  });

  it('lists experiments in order of first appearance; a run without one has only missing cells', () => {
    const a = run('chromium', '156', 2, [experiment('tiny-tasks', [measured('serial', 1, 5)])]);
    const b = run('firefox', '153', 4, [experiment('cpu-heavy', [measured('serial', 1, 7)]), experiment('tiny-tasks', [measured('serial', 1, 10)])]);
    const { experiments } = compareRuns([a, b]);
    expect(experiments.map((e) => e.id)).toEqual(['tiny-tasks', 'cpu-heavy']);
    expect(experiments[0]!.rows[0]!.cells.map((c) => c.status === 'measured' && c.ratioToFirst)).toEqual([1, 2]);
    expect(experiments[1]!.rows[0]!.cells[0]).toEqual({ status: 'missing' });
    expect(experiments[1]!.rows[0]!.cells[1]).not.toHaveProperty('ratioToFirst');
  });
});

describe('overlaidSpeedupMarks', () => {
  it('names each series after its run, with speedups over that run’s own serial', () => {
    const a = run('chromium', '156', 2, [experiment('cpu-heavy', [measured('serial', 1, 100), measured('workers', 1, 100), measured('workers', 2, 50)])]);
    const b = run('firefox', '153', 2, [experiment('cpu-heavy', [measured('serial', 1, 300), measured('workers', 1, 300), measured('workers', 2, 200)])]);
    const marks = overlaidSpeedupMarks([a, b], 'cpu-heavy');
    expect(marks.map((m) => [m.series, m.workers, m.speedup])).toEqual([
      ['Chromium 156 · 2 cores: workers', 1, 1],
      ['Chromium 156 · 2 cores: workers', 2, 2],
      ['Firefox 153 · 2 cores: workers', 1, 1],
      ['Firefox 153 · 2 cores: workers', 2, 1.5],
    ]);
    expect(overlaidSpeedupMarks([a, b], 'no-such-experiment')).toEqual([]);
  });
});

describe('latestRunPerBrowser', () => {
  const summary = (id: string, name: string, createdAt: string, experimentIds = ['cpu-heavy']): RunSummary => ({
    id,
    createdAt,
    browser: { name, version: '1' },
    hardwareConcurrency: 2,
    experimentIds,
    complete: true,
    status: 'complete',
    source: 'local',
  });

  it('picks the newest run of each browser that has results, whatever order the list is in', () => {
    const list = [
      summary('c-old', 'chromium', '2026-01-01T00:00:00Z'),
      summary('f-new-empty', 'firefox', '2026-03-01T00:00:00Z', []),
      summary('c-new', 'chromium', '2026-02-01T00:00:00Z'),
      summary('f', 'firefox', '2026-01-15T00:00:00Z'),
    ];
    expect(latestRunPerBrowser(list, ['chromium', 'firefox']).map((s) => s?.id)).toEqual(['c-new', 'f']);
    expect(latestRunPerBrowser(list, ['safari'])).toEqual([undefined]);
  });
});
