import { describe, expect, it } from 'vitest';
import { readExperiment } from '../../src/analysis/experiment-reading.ts';
import type { MeasuredResult } from '../../src/results/schema.ts';
import { experimentResult as experiment, measuredResult } from '../fixtures/make-results.ts';

/** A measured result with a tight (±2%) or loose interval around its median. */
const measured = (backend: MeasuredResult['backend'], workers: number, medianMs: number, spread = 0.02) =>
  measuredResult(backend, workers, medianMs, {}, spread);


describe('reading an experiment', () => {
  it('says workers won and the event loop did not, and measures the usable cores, as the post concludes', () => {
    const serial = 300 + Math.random() * 200;
    const reading = readExperiment(
      experiment('cpu-heavy', [
        measured('serial', 1, serial),
        ...[1, 2, 4].map((p) => measured('event-loop', p, serial * 1.01)),
        measured('workers', 1, serial * 1.02),
        measured('workers', 2, serial / 1.9),
        measured('workers', 4, serial / 1.3),
      ]),
      2,
    );
    expect(reading.verdicts.find((v) => v.startsWith('event-loop'))).toMatch(/no speedup/);
    const workers = reading.verdicts.find((v) => v.startsWith('workers'))!;
    expect(workers).toMatch(/won: 1\.9\d× at 2 lanes/);
    expect(workers).toMatch(/oversubscription/);
    expect(reading.usableCores).toBe(2);
    expect(reading.warnings).toEqual([]);
  });

  it('warns when neighbouring intervals overlap so much that the curve is noise', () => {
    const serial = 100 + Math.random() * 50;
    const reading = readExperiment(
      experiment('cpu-heavy', [measured('serial', 1, serial), ...[1, 2, 4].map((p) => measured('workers', p, serial / (1 + p / 3), 0.4))]),
      2,
    );
    expect(reading.warnings.join(' ')).toMatch(/workers curve is noisy/);
  });

  it('reports where concurrent requests stop gaining and why', () => {
    const reading = readExperiment(
      experiment('api-calls', [measured('serial', 1, 400), measured('event-loop', 6, 70), measured('event-loop', 8, 70)], {
        derived: { eventLoopSaturatesAt: 6, connectionsPerHost: 6 },
      }),
      2,
    );
    expect(reading.verdicts.join(' ')).toMatch(/stop gaining from 6 in flight: over HTTP\/1\.1 .* 6 connections per host/);
  });
});
