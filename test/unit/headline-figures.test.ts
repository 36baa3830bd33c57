import { describe, expect, it } from 'vitest';
import { headlineFigures } from '../../src/analysis/headline-figures.ts';
import type { Results } from '../../src/results/schema.ts';
import { experimentResult as experiment, makeResults, measuredResult as measured } from '../fixtures/make-results.ts';



const byId = (figures: ReturnType<typeof headlineFigures>, id: string) => figures.find((f) => f.id === id)!;

describe('headline figures', () => {
  it('reads each ratio from the medians of one run, at the largest size, and holds it to its target', () => {
    const serialMs = 100 + Math.random() * 100;
    const workers2 = 1.6 + Math.random() * 0.5;
    const big = 4096;
    const doc: Results = {
      ...makeResults(),
      experiments: [
        experiment('cpu-heavy', [measured('serial', 1, serialMs), measured('workers', 2, serialMs / workers2), measured('event-loop', 2, serialMs * 1.01)]),
        experiment('dot-product', [
          measured('serial', 1, 10, { size: 64 }),
          measured('shared-memory', 2, 20, { size: 64 }),
          measured('serial', 1, serialMs, { size: big }),
          measured('shared-memory', 2, serialMs / 1.7, { size: big }),
          measured('webgpu', 1, 30, { size: big, variant: 'tiled' }),
          measured('webgpu', 1, 90, { size: big, variant: 'naive' }),
        ]),
        experiment('api-calls', [measured('serial', 1, 400), measured('event-loop', 8, 100)], { derived: { eventLoopSaturatesAt: 6 } }),
        experiment('tiny-tasks', [measured('serial', 1, 1)], { derived: { 'breakEvenUs.workers.pooled': 250, 'breakEvenUs.workers.spawn': 'never' } }),
      ],
    };
    const figures = headlineFigures(doc);
    const cpu = byId(figures, 'cpu-heavy.workers.2');
    expect(cpu.value).toBeCloseTo(workers2, 2);
    expect(cpu.met).toBe(workers2 >= 1.8);
    expect(byId(figures, 'cpu-heavy.event-loop.2').met).toBe(true);
    // The small size, where shared memory loses, is not the one reported.
    expect(byId(figures, 'dot-product.shared-memory.2').value).toBeCloseTo(1.7, 2);
    expect(byId(figures, 'dot-product.webgpu.tiled-vs-naive').value).toBeCloseTo(3, 2);
    expect(byId(figures, 'api-calls.event-loop.8')).toMatchObject({ value: 4, met: true });
    expect(byId(figures, 'api-calls.saturates-at').value).toBe(6);
    expect(byId(figures, 'tiny-tasks.break-even.pooled').text).toBe('250 µs');
    expect(byId(figures, 'tiny-tasks.break-even.spawn').text).toMatch(/never/);
    // Experiments that did not run give "not measured", never a number or a pass.
    expect(byId(figures, 'array-add.shared-memory.2')).toMatchObject({ value: null, text: 'not measured' });
    expect(byId(figures, 'array-add.shared-memory.2').met).toBeUndefined();
    expect(byId(figures, 'verified').met).toBe(true);
  });

  it('holds the page-as-a-lane ring to a 10 µs break-even and a 5 µs hand-out, reading "≤N" as won at N', () => {
    const perTaskUs = Number((0.5 + Math.random() * 9).toFixed(2));
    const breakEvenUs = Number((1 + Math.random() * 30).toFixed(1));
    const doc = (breakEven: number | string): Results => ({
      ...makeResults(),
      experiments: [
        experiment('tiny-tasks', [measured('serial', 1, 1)], {
          derived: { 'breakEvenUs.shared-memory.ring-page': breakEven, 'perTaskUs.shared-memory.ring-page': perTaskUs, 'breakEvenUs.shared-memory.ring': 3 },
        }),
      ],
    });
    const figures = headlineFigures(doc(breakEvenUs));
    expect(byId(figures, 'tiny-tasks.break-even.ring-page')).toMatchObject({ target: '≤ 10 µs', met: breakEvenUs <= 10 });
    expect(byId(figures, 'tiny-tasks.per-task.ring-page')).toMatchObject({ target: '≤ 5 µs', met: perTaskUs <= 5 });
    expect(byId(headlineFigures(doc('≤1')), 'tiny-tasks.break-even.ring-page').met).toBe(true);
    expect(byId(headlineFigures(doc('≤20')), 'tiny-tasks.break-even.ring-page').met).toBe(false);
    expect(byId(headlineFigures(doc('never')), 'tiny-tasks.break-even.ring-page').met).toBe(false);
    // Only the best path carries the target; the others are reported beside it.
    expect(byId(figures, 'tiny-tasks.break-even.ring').target).toBeUndefined();
  });

  it('a slower event loop passes its "no faster" target and a faster one fails it', () => {
    const doc = (eventLoopMs: number): Results => ({
      ...makeResults(),
      experiments: [experiment('cpu-heavy', [measured('serial', 1, 100), measured('event-loop', 2, eventLoopMs)])],
    });
    expect(byId(headlineFigures(doc(104)), 'cpu-heavy.event-loop.2').met).toBe(true);
    expect(byId(headlineFigures(doc(60)), 'cpu-heavy.event-loop.2').met).toBe(false);
  });
});
