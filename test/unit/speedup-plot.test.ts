/** The results element's chart geometry: log scales, ticks, and where the marks and curves land. */
import { describe, expect, it } from 'vitest';
import { amdahlSpeedup } from '../../src/analysis/amdahl.ts';
import { referenceCurves, speedupMarks } from '../../src/analysis/speedup-series.ts';
import { DEFAULT_FRAME, logScale, powerOfTwoTicks, REFERENCE_COLOUR, SERIES_COLOURS, speedupPlot } from '../../src/elements/speedup-plot.ts';
import type { ExperimentResult } from '../../src/results/schema.ts';
import { experimentResult, measuredResult } from '../fixtures/make-results.ts';

/** A workers sweep on 1–8 lanes following Amdahl's law with serial fraction 0.1, plus an event-loop sweep, and its fit. */
function sweep(): ExperimentResult {
  const serialMs = 100;
  const f = 0.1;
  const results = [measuredResult('serial', 1, serialMs)];
  for (const workers of [1, 2, 4, 8]) {
    results.push(measuredResult('workers', workers, serialMs * (f + (1 - f) / workers)), measuredResult('event-loop', workers, serialMs * 1.05));
  }
  return experimentResult('cpu-heavy', results, {
    amdahl: { workers: { serialFraction: f, serialFractionCi95: [0.08, 0.12], r2: 0.99, oneLaneSpeedup: 1, fittedWorkers: [1, 2, 4, 8] } },
  });
}

/** The numbers of an SVG path "M1,2L3,4…" as [x, y] pairs. */
const pathPoints = (path: string) => [...path.matchAll(/[ML]([\d.-]+),([\d.-]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);

describe('logScale', () => {
  it('maps the domain ends to the range ends and equal ratios to equal distances', () => {
    const x = logScale([1, 16], [0, 400]);
    expect(x(1)).toBeCloseTo(0);
    expect(x(16)).toBeCloseTo(400);
    expect(x(4) - x(2)).toBeCloseTo(x(8) - x(4));
    const y = logScale([0.5, 8], [300, 0]);
    expect(y(0.5)).toBeCloseTo(300);
    expect(y(8)).toBeCloseTo(0);
  });
});

describe('powerOfTwoTicks', () => {
  it.each([
    [0.5, 8, 7, [0.5, 1, 2, 4, 8]],
    [0.26, 9.5, 7, [0.5, 1, 2, 4, 8]],
    [1 / 128, 65_536, 7, [1 / 128, 1 / 8, 2, 32, 512, 8192]],
    [3, 3.5, 7, [4]],
  ])('from %d to %d, at most %i: %j', (min, max, count, ticks) => {
    expect(powerOfTwoTicks(min, max, count)).toEqual(ticks);
  });

  it('gives nothing for a domain a log axis cannot have', () => {
    expect(powerOfTwoTicks(0, 8)).toEqual([]);
    expect(powerOfTwoTicks(4, 2)).toEqual([]);
  });
});

describe('speedupPlot', () => {
  const experiment = sweep();
  const marks = speedupMarks(experiment);
  const plot = speedupPlot(marks, referenceCurves(experiment, 8));
  const { frame } = plot;
  const inside = (yPx: number) => yPx >= frame.topPx && yPx <= frame.bottomPx;

  it('has a series per sweep, points in lane order, every dot and interval inside the frame', () => {
    expect(plot.series.map((s) => s.name)).toEqual(['workers', 'event-loop']);
    for (const s of plot.series) {
      expect(s.points.map((p) => p.workers)).toEqual([1, 2, 4, 8]);
      for (const p of s.points) {
        expect(inside(p.yPx) && inside(p.lowPx) && inside(p.highPx)).toBe(true);
        // Higher speedup is higher up: smaller y.
        expect(p.highPx).toBeLessThanOrEqual(p.yPx);
        expect(p.lowPx).toBeGreaterThanOrEqual(p.yPx);
      }
    }
    expect(plot.series.map((s) => s.colour)).toEqual(SERIES_COLOURS.slice(0, 2));
  });

  it('ticks the lane counts measured and powers of two of speedup, labelled briefly', () => {
    expect(plot.xTicks.map((t) => t.label)).toEqual(['1', '2', '4', '8']);
    expect(plot.yTicks.map((t) => t.label)).toEqual(['0.5', '1', '2', '4', '8']);
    expect(plot.yTicks.find((t) => t.value === 1)!.px).toBeCloseTo(plot.oneYPx);
  });

  it('draws the ideal through (1, 1) and (8, 8) and the Amdahl fit through its own curve, in its sweep\'s colour', () => {
    const ideal = plot.curves.find((c) => c.kind === 'ideal')!;
    expect(ideal.colour).toBe(REFERENCE_COLOUR);
    const idealPoints = pathPoints(ideal.path);
    const workers = plot.series[0]!;
    // The ideal's ends sit where a point with speedup = lanes would.
    expect(idealPoints[0]![0]).toBeCloseTo(workers.points[0]!.xPx, 0);
    expect(idealPoints.at(-1)![0]).toBeCloseTo(workers.points.at(-1)!.xPx, 0);
    expect(idealPoints[0]![1]).toBeCloseTo(plot.oneYPx, 0);
    expect(idealPoints.at(-1)![1]).toBeCloseTo(plot.yTicks.find((t) => t.value === 8)!.px, 0);

    const fit = plot.curves.find((c) => c.kind === 'fit')!;
    expect(fit.name).toBe('Amdahl fit (workers)');
    expect(fit.colour).toBe(workers.colour);
    // The measured points follow Amdahl's law exactly here, so the fit passes through each of them.
    const fitPoints = pathPoints(fit.path);
    for (const p of workers.points) {
      const nearest = fitPoints.reduce((a, b) => (Math.abs(b[0] - p.xPx) < Math.abs(a[0] - p.xPx) ? b : a));
      expect(nearest[0]).toBeCloseTo(p.xPx, 0);
      expect(nearest[1]).toBeCloseTo(p.yPx, 0);
    }
    expect(workers.points.at(-1)!.speedup).toBeCloseTo(amdahlSpeedup(0.1, 8));
  });

  it('leaves out a fit that says nothing, as the lab does', () => {
    const flat = { ...experiment, amdahl: { workers: { ...experiment.amdahl.workers!, r2: null } } };
    expect(speedupPlot(speedupMarks(flat), referenceCurves(flat, 8)).curves.map((c) => c.kind)).toEqual(['ideal']);
  });

  it('keeps to the frame it is given', () => {
    expect(plot.frame).toEqual(DEFAULT_FRAME);
    for (const t of plot.xTicks) expect(t.px > frame.leftPx && t.px < frame.rightPx).toBe(true);
  });
});
