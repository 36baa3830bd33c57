/** Clocks shared by the page and its workers. */

/**
 * Milliseconds on a clock that the page and every worker agree on.
 * Each realm's performance.now() counts from its own timeOrigin, so timeline bars from
 * different threads are only comparable after adding the origin back.
 */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Smallest observable step of performance.now(), in milliseconds.
 * Browsers coarsen the clock (5 µs in isolated Chromium, 20 µs or more elsewhere, 100 µs or 1 ms when
 * not isolated) and may add jitter, so the minimum over many steps is taken.
 */
export function measureTimerResolutionMs(steps = 200, budgetMs = 50): number {
  const deadline = performance.now() + budgetMs;
  let smallest = Infinity;
  let last = performance.now();
  let seen = 0;
  while (seen < steps) {
    const t = performance.now();
    if (t !== last) {
      smallest = Math.min(smallest, t - last);
      last = t;
      seen += 1;
    }
    if (t > deadline) break;
  }
  return Number.isFinite(smallest) ? smallest : budgetMs;
}
