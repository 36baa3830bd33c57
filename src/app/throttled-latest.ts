/**
 * Passing on only the latest of a fast stream of values, at most once per interval: the first at once, and the
 * last one always (after the rest of its interval). The progress bar uses it so the page is not redrawn
 * inside every fast sample.
 */

/** A throttle that keeps the latest value; reset() drops a pending one and lets the next pass at once. */
export interface ThrottledLatest<T> {
  push(value: T): void;
  reset(): void;
}

/** Calls `show` with the latest pushed value at most once per `intervalMs`. */
export function throttledLatest<T>(intervalMs: number, show: (value: T) => void): ThrottledLatest<T> {
  let shownAtMs = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest: T;
  const emit = () => {
    timer = undefined;
    shownAtMs = performance.now();
    show(latest);
  };
  return {
    push(value) {
      latest = value;
      if (timer !== undefined) return;
      const waitMs = shownAtMs + intervalMs - performance.now();
      if (waitMs <= 0) emit();
      else timer = setTimeout(emit, waitMs);
    },
    reset() {
      clearTimeout(timer);
      timer = undefined;
      shownAtMs = -Infinity;
    },
  };
}
