/**
 * The watchdog: a configuration that stops making progress (a run that never resolves, a worker that never
 * answers or dies) becomes a failed result instead of a run that waits forever. Its limit follows the run
 * times measured so far, so a slow machine or a large size is not mistaken for a hang.
 */

/** How long a configuration may go without finishing a step before it is given up. */
export interface WatchdogPolicy {
  /** No step is given up sooner than this, however short its runs: a GC pause or a busy machine is not a hang. */
  floorMs: number;
  /** A run may take this many times the longest run measured so far (this configuration's, else the experiment's). */
  runFactor: number;
  /** Set-up (starting workers, compiling shaders and WebAssembly) may take this long, however short the runs. */
  setupMs: number;
}

/** Generous on purpose: a false alarm costs a configuration, a missing one costs the whole suite. */
export const defaultWatchdog: WatchdogPolicy = { floorMs: 10_000, runFactor: 20, setupMs: 120_000 };

/** A step of a configuration that made no progress in time, or whose worker died: a failure, not a cancellation. */
export class WatchdogError extends Error {
  override name = 'WatchdogError';
}

/**
 * The limit for the next run, in ms. `longestRunMs` is the longest run measured so far (undefined before
 * any); `firstRunCapMs` bounds a run before anything was measured (the budget a run may not exceed anyway).
 */
export function runTimeoutMs(policy: WatchdogPolicy, longestRunMs: number | undefined, firstRunCapMs: number): number {
  const derived = longestRunMs !== undefined && longestRunMs > 0 ? policy.runFactor * longestRunMs : firstRunCapMs;
  return Math.max(policy.floorMs, derived);
}

/**
 * Settle with `work`, or reject with a WatchdogError after `timeoutMs`, or as soon as `failure` rejects
 * (a worker reported its death). The abandoned work is left to the caller to stop.
 */
export async function watch<T>(work: Promise<T>, timeoutMs: number, what: string, failure?: Promise<never>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // setTimeout fires at once past 2^31 - 1 ms: a limit that long is no limit.
    if (!(timeoutMs <= MAX_TIMER_MS)) return;
    timer = setTimeout(
      () => reject(new WatchdogError(`No progress for ${formatSeconds(timeoutMs)} during ${what}: given up so the rest of the suite goes on.`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race(failure ? [work, timeout, failure] : [work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The longest delay setTimeout honours (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
