/**
 * A run cancelled at random points in real browsers, many times over, while a requestAnimationFrame loop
 * shows the page still responds: each time no worker is left and the page says cancelled (or done, for a run
 * that finished first), and a full run works after.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../src/cli/browsers.ts';
import type { SuiteRequest } from '../../src/engine/run-suite.ts';
import { failedOf, freshLab, runInPage as run, useLab } from './harness.ts';

const POLL = { timeout: 120_000, interval: 100 };

describe.each(ENGINES)('%s: cancelling a run', (browserName) => {
  const session = useLab(browserName);

  it('cancelled at random points (50 times in Chromium): each time no worker is left, frames keep coming, and a full run works after', async () => {
    const { page, url } = session();
    await freshLab(page, url);
    // A frame counter and the longest gap between frames, measured only while a run is under way.
    await page.evaluate(() => {
      const w = window as unknown as { frames: number; longestGapMs: number };
      w.frames = 0;
      w.longestGapMs = 0;
      let last = performance.now();
      const tick = (now: number) => {
        if (window.parallelLab!.status() === 'running') w.longestGapMs = Math.max(w.longestGapMs, now - last);
        last = now;
        w.frames += 1;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const frames = () => page.evaluate(() => (window as unknown as { frames: number }).frames);
    const request: SuiteRequest = {
      experiments: ['cpu-heavy', 'tiny-tasks', 'data-transfer'],
      preset: 'quick',
      params: { 'cpu-heavy': { n: 20_000_000 + Math.floor(Math.random() * 20_000_000) } },
    };
    // At least 50 in one browser, as the promise is made; fewer in the others, which run the same code paths.
    const attempts = browserName === 'chromium' ? 50 : 12;
    for (let attempt = 0; attempt < attempts; attempt++) {
      // Anywhere from before the first task to well into the suite: the core check, set-up, warm-up, sampling.
      const cancelAfterMs = Math.floor(Math.random() ** 2 * 1_500);
      const outcome = await page.evaluate(
        async ({ req, afterMs }: { req: SuiteRequest; afterMs: number }) => {
          const lab = window.parallelLab!;
          const running = lab.run(req).then(
            (results) => ({ cancelled: results.cancelled === true, error: null }),
            (error: unknown) => ({ cancelled: false, error: String(error) }),
          );
          await new Promise((resolve) => setTimeout(resolve, afterMs));
          lab.cancel('cancelled by the test');
          const settled = await running;
          return { ...settled, status: lab.status(), live: lab.liveWorkers() };
        },
        { req: request, afterMs: cancelAfterMs },
      );
      expect(outcome.error, `attempt ${attempt} after ${cancelAfterMs} ms`).toBeNull();
      expect(outcome.live, `attempt ${attempt}`).toBe(0);
      // A run short enough to finish before the cancel is fine too; otherwise it says it was cancelled.
      expect(outcome.status === 'cancelled' || (outcome.status === 'done' && !outcome.cancelled), `attempt ${attempt}: ${outcome.status}`).toBe(true);
      const before = await frames();
      await expect.poll(frames, POLL).toBeGreaterThan(before);
    }
    // No frame waited long while runs were going: the main thread was never held for seconds.
    expect(await page.evaluate(() => (window as unknown as { longestGapMs: number }).longestGapMs)).toBeLessThan(5_000);
    if (browserName === 'chromium') await expect.poll(() => page.driverWorkerCount(), POLL).toBe(0);
    const results = await run(page, { experiments: ['tiny-tasks'], preset: 'quick', backends: ['workers', 'shared-memory'] });
    expect(results.cancelled).toBeUndefined();
    expect(failedOf(results)).toEqual([]);
    expect(await page.evaluate(() => window.parallelLab!.liveWorkers())).toBe(0);
  });
});
