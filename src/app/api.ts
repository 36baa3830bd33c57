/**
 * `window.parallelLab`: the page's programmatic face, used by the headless runner and by pages that embed
 * the lab. Runs go through the same controller as the Run button, so the UI shows them too.
 */
import { liveWorkerCount } from '../executors/worker-pool.ts';
import type { SuiteRequest } from '../engine/run-suite.ts';
import { validateResults } from '../results/validate.ts';
import { workloads } from '../workloads/registry.ts';
import type { LabController } from './lab.svelte.ts';

export function createLabApi(lab: LabController) {
  return {
    version: 1,
    environment: () => lab.loadEnvironment(),
    experiments: () =>
      workloads.map((w) => ({ ...w.meta, params: w.params.map((p) => ({ ...p, presets: { ...p.presets } })) })),
    run: (request: SuiteRequest) => lab.run(request),
    cancel: (reason?: string) => lab.cancel(reason),
    progress: () => (lab.progress ? { ...lab.progress } : null),
    status: () => lab.status,
    /** Workers the lab has started and not terminated: zero whenever no run is in progress. */
    liveWorkers: () => liveWorkerCount(),
    validate: (document: unknown) => validateResults(document),
  };
}

export type LabApi = ReturnType<typeof createLabApi>;

declare global {
  interface Window {
    parallelLab?: LabApi;
  }
}
