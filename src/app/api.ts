/**
 * `window.parallelLab`: the page's programmatic face, used by the headless runner and by pages that embed
 * the lab. Runs go through the same controller as the Run button, so the UI shows them too.
 */
import { measureUsableCores } from '../env/usable-cores-check.ts';
import { liveWorkerCount } from '../executors/worker-pool.ts';
import type { SuiteRequest } from '../engine/run-suite.ts';
import { setCustomEndpoint } from '../workloads/api-calls/endpoint.ts';
import { workloads } from '../workloads/registry.ts';
import type { HistoryController } from './history.svelte.ts';
import type { LabController } from './lab.svelte.ts';
import type { ViewerController } from './viewer.svelte.ts';

export function createLabApi(lab: LabController, saved?: { history: HistoryController; viewer: ViewerController }) {
  return {
    version: 1,
    environment: () => lab.loadEnvironment(),
    experiments: () =>
      workloads.map((w) => ({ ...w.meta, params: w.params.map((p) => ({ ...p, presets: { ...p.presets } })) })),
    run: (request: SuiteRequest) => lab.run(request),
    cancel: (reason?: string) => lab.cancel(reason),
    /**
     * Point api-calls at a URL (or back at the lab's own endpoint with ''). A script calling this already runs
     * in the page, so unlike `?endpoint=` in a link it needs no confirmation; throws for a malformed URL.
     */
    setEndpoint: (url: string) => setCustomEndpoint(url),
    progress: () => (lab.progress ? { ...lab.progress } : null),
    status: () => lab.status,
    /**
     * The busy-machine check every run makes at its start (and at its end after 2 s or more of experiments), on
     * its own: usable cores, verdict and how long it took; null where it cannot run (one reported core, no
     * workers). Refused during a run, which it would slow.
     */
    checkCores: async () => {
      if (lab.running) throw new Error('A run is in progress: the check would compete with it for the cores.');
      const environment = await lab.loadEnvironment();
      const { hardwareConcurrency, timerResolutionMs } = environment;
      return (await measureUsableCores(hardwareConcurrency, new AbortController().signal, { timerResolutionMs })) ?? null;
    },
    /** Workers the lab has started and not terminated: zero whenever no run is in progress. */
    liveWorkers: () => liveWorkerCount(),
    /** Resolves to the check of a results document; the validator loads on first use, not with the page. */
    validate: async (document: unknown) => (await import('../results/validate.ts')).validateResults(document),
    /** Saved runs, newest first (empty when the browser gives the page no IndexedDB). */
    history: async () => (saved ? [...(await saved.history.refresh())] : []),
    /**
     * Show the results a share link carries, as opening the page with it would; resolves to whether it could
     * be read and, if not, the message the page shows.
     */
    openShared: async (hashOrUrl: string) => {
      if (!saved) return { ok: false as const, message: 'This page keeps no viewer.' };
      const outcome = await saved.viewer.openShareLink(hashOrUrl);
      return outcome.ok ? { ok: true as const, kind: outcome.kind } : outcome;
    },
  };
}

export type LabApi = ReturnType<typeof createLabApi>;

declare global {
  interface Window {
    parallelLab?: LabApi;
  }
}
