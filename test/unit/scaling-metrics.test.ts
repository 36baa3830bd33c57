import { describe, expect, it } from 'vitest';
import { amdahlSpeedup } from '../../src/analysis/amdahl.ts';
import {
  effectiveParallelism,
  estimatedUsableCores,
  gustafsonSpeedup,
  pointMetrics,
  sweepIsNoisy,
  sweepVerdict,
  type SweepPoint,
} from '../../src/analysis/scaling-metrics.ts';

const point = (workers: number, speedup: number, spread = 0.03): SweepPoint => ({
  workers,
  speedup,
  low: speedup * (1 - spread),
  high: speedup * (1 + spread),
});

describe('scaling metrics', () => {
  it('Gustafson: p at f = 0, 1 at f = 1, and above Amdahl in between', () => {
    const f = 0.05 + Math.random() * 0.4;
    expect(gustafsonSpeedup(0, 8)).toBe(8);
    expect(gustafsonSpeedup(1, 8)).toBeCloseTo(1, 12);
    expect(gustafsonSpeedup(f, 8)).toBeGreaterThan(amdahlSpeedup(f, 8));
  });

  it('Karp-Flatt recovers the serial fraction of exact Amdahl points; efficiency is speedup per lane', () => {
    const f = 0.1 + Math.random() * 0.2;
    const metrics = pointMetrics([2, 4, 8].map((p) => point(p, amdahlSpeedup(f, p))));
    for (const m of metrics) {
      expect(m.karpFlatt).toBeCloseTo(f, 10);
      expect(m.efficiency).toBeCloseTo(m.speedup / m.workers, 12);
    }
  });

  it('effective parallelism and usable cores on a 2-core machine with oversubscription', () => {
    const sweep = [point(1, 0.97), point(2, 1.88), point(4, 1.85)];
    expect(effectiveParallelism(sweep)).toBe(2);
    expect(estimatedUsableCores(sweep)).toBe(2);
    expect(estimatedUsableCores([point(1, 1), point(2, 3.9), point(4, 7.6), point(8, 7.7)])).toBe(8);
  });

  it('verdicts read like the post', () => {
    expect(sweepVerdict('workers', [point(1, 0.97), point(2, 1.9), point(4, 1.5, 0.02)], 2)).toMatch(
      /workers won: 1\.90× at 2 lanes; beyond 2 the time grows: oversubscription/,
    );
    expect(sweepVerdict('event-loop', [point(1, 0.99), point(2, 1.0), point(4, 0.98)], 2)).toMatch(/no speedup.*GIL/);
    expect(sweepVerdict('workers', [point(1, 0.2), point(2, 0.35)], 2)).toMatch(/lost to serial/);
  });

  it('flags a sweep whose neighbouring points cannot be told apart', () => {
    expect(sweepIsNoisy([point(1, 1, 0.6), point(2, 1.6, 0.6), point(4, 1.1, 0.6), point(8, 1.7, 0.6)])).toBe(true);
    expect(sweepIsNoisy([point(1, 1), point(2, 1.9), point(4, 1.88)])).toBe(false);
  });
});
