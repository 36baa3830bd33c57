/**
 * Waiting for the page to go quiet before a measurement that reads the whole machine: results that were just
 * rendered are laid out and painted on the browser's other threads too, and would read as a busy machine.
 */

/** Resolves once the page has drawn two frames and its main thread is idle, or after `timeoutMs` (hidden pages draw none). */
export function whenPageIdle(timeoutMs = 500): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    if (typeof requestAnimationFrame !== 'function') return;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        if (typeof requestIdleCallback === 'function') requestIdleCallback(done, { timeout: timeoutMs });
        else setTimeout(done, 0);
      }),
    );
  });
}
