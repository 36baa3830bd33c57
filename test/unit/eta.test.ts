import { describe, expect, it } from 'vitest';
import { formatTimeLeft } from '../../src/app/lab.svelte.ts';
import { experimentEstimateMs, SuiteClock } from '../../src/engine/eta.ts';
import { defaultSampling } from '../../src/measure/sampling.ts';

describe('time left in a suite', () => {
  it('starts from the budgets: configurations × (sampling budget + half the warm-up cap)', () => {
    const configs = 1 + Math.floor(Math.random() * 40);
    expect(experimentEstimateMs(configs, defaultSampling)).toBe(configs * (defaultSampling.budgetMs + defaultSampling.maxWarmupMs / 2));
    const clock = new SuiteClock([10_000, 20_000, 30_000]);
    expect(clock.remainingMs(0, 0, 0)).toBe(60_000);
    expect(clock.remainingMs(1, 0.1, 5_000)).toBe(15_000 + 30_000);
  });

  it('follows the running experiment once it is a fifth of the way, and corrects later estimates by finished ones', () => {
    const clock = new SuiteClock([10_000, 20_000, 30_000]);
    // Half-way after 3 s: 3 s more for this one, plus the others as estimated.
    expect(clock.remainingMs(0, 0.5, 3_000)).toBe(3_000 + 50_000);
    // The first took half its estimate: the rest are expected to as well.
    clock.finished(0, 5_000);
    expect(clock.remainingMs(1, 0, 0)).toBe(10_000 + 15_000);
    // Never negative, whatever the pace.
    expect(clock.remainingMs(2, 0, 1e9)).toBe(0);
  });

  it('reads as a person would say it, without flicker', () => {
    expect(formatTimeLeft(2_000)).toBe('a few seconds left');
    expect(formatTimeLeft(41_000)).toBe('about 45 s left');
    expect(formatTimeLeft(125_000)).toBe('about 2.25 min left');
    expect(formatTimeLeft(Number.NaN)).toBe('');
  });
});
