/**
 * The busy-machine check around a suite: run before the experiments, and after them when they ran long enough
 * for other load to come and go; recorded in the environment.
 */
import { isAbortError } from '../executors/abort.ts';
import { coresForScaling, type CoreJudgement } from '../measure/usable-cores.ts';
import type { EnvironmentReport } from '../results/schema.ts';
import { watch, WatchdogError } from './watchdog.ts';

/** Measures usable cores now; the page passes the worker check, unit tests a fabricated one or none. */
export type CoreCheck = (signal: AbortSignal) => Promise<CoreJudgement | undefined>;

/** How long one core check may take before it is given up (it takes about a second; its budget is far less). */
export const CORE_CHECK_LIMIT_MS = 30_000;

/**
 * Experiments shorter than this are judged by the check before them alone. The check takes 0.5-1.5 s (more on
 * a busy machine, which it looks at again): after a shorter run it would cost more than the run itself to look
 * at a machine it saw moments before.
 */
export const AFTER_CHECK_MIN_RUN_MS = 2_000;

/** Pauses before each further look after a busy reading: a page settles within a second or two, a hog does not. */
export const RECHECK_PAUSES_MS: readonly number[] = [500, 1_000];

/**
 * Run the check when there is one and workers exist. A cancelled or failed check gives no figure rather than
 * a made-up one, and never fails the run: the experiments' own results say what went wrong with workers.
 */
export async function tryCoreCheck(
  check: CoreCheck | undefined,
  workersAvailable: boolean,
  signal: AbortSignal,
  limitMs = CORE_CHECK_LIMIT_MS,
): Promise<CoreJudgement | undefined> {
  if (!check || !workersAvailable || signal.aborted) return undefined;
  // Its own signal: aborted by Cancel, or by the watchdog when a worker of the check never answers.
  const guard = new AbortController();
  const onCancel = () => guard.abort(signal.reason);
  signal.addEventListener('abort', onCancel, { once: true });
  const watched = (what: string) => watch(check(guard.signal), limitMs, what);
  try {
    let best = await watched('the usable-cores check');
    // A page that has just loaded still compiles, lays out and starts its GPU process for a moment: look
    // again after a pause (twice at most), and keep the best reading. Other processes that hold the cores
    // still read busy every time.
    for (const [attempt, pauseMs] of RECHECK_PAUSES_MS.entries()) {
      if (!best?.busy) return best;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const again = await watched(`usable-cores check number ${attempt + 2}`);
      if (again && again.usableCores > best.usableCores) best = again;
    }
    return best;
  } catch (error) {
    // Stops the check's workers when it was the watchdog that gave up.
    if (error instanceof WatchdogError) guard.abort(error);
    if (!isAbortError(error)) console.warn('The usable-cores check failed; no figure is recorded.', error);
    return undefined;
  } finally {
    signal.removeEventListener('abort', onCancel);
  }
}

/**
 * The environment as recorded in results, with what the checks found; unchanged when neither ran.
 * `scalingCores` is what the sweeps and fits planned for, decided by the check before the experiments.
 */
export function withCoreFigures(
  environment: EnvironmentReport,
  before: CoreJudgement | undefined,
  after: CoreJudgement | undefined,
): EnvironmentReport {
  if (!before && !after) return environment;
  return {
    ...environment,
    ...(before ? { usableCores: before.usableCores, scalingCores: coresForScaling(environment.hardwareConcurrency, before) } : {}),
    ...(after ? { usableCoresAfter: after.usableCores } : {}),
    busy: before?.busy === true || after?.busy === true,
  };
}
