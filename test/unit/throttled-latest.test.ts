/**
 * The progress bar's throttle: the first value at once, then at most one per interval, always the latest,
 * and the last one never lost; reset drops what is pending.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { throttledLatest } from '../../src/app/throttled-latest.ts';

afterEach(() => vi.useRealTimers());

describe('throttledLatest', () => {
  it('shows the first value at once, then only the latest once per interval, and the last one at the end', async () => {
    vi.useFakeTimers();
    const intervalMs = 50 + Math.floor(Math.random() * 200);
    const shown: number[] = [];
    const throttle = throttledLatest<number>(intervalMs, (v) => shown.push(v));
    const values = Array.from({ length: 20 + Math.floor(Math.random() * 30) }, () => Math.random());
    throttle.push(values[0]!);
    expect(shown).toEqual([values[0]]);
    // The rest arrive quickly, well within one interval: none is shown until the interval is over, then the latest.
    for (const v of values.slice(1)) {
      throttle.push(v);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(shown).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(intervalMs);
    expect(shown).toEqual([values[0], values.at(-1)]);
    await vi.advanceTimersByTimeAsync(10 * intervalMs);
    expect(shown).toHaveLength(2);
  });

  it('reset drops a pending value and lets the next one through at once', async () => {
    vi.useFakeTimers();
    const shown: string[] = [];
    const throttle = throttledLatest<string>(100, (v) => shown.push(v));
    throttle.push('first');
    throttle.push('pending');
    throttle.reset();
    await vi.advanceTimersByTimeAsync(500);
    expect(shown).toEqual(['first']);
    throttle.push('next run');
    expect(shown).toEqual(['first', 'next run']);
  });
});
