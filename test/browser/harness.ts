/** One real browser per test file, opened on the lab served by the global setup, and what more than one file does on it. */
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import { launchBrowser, type BrowserName, type LabPage, type LaunchedBrowser } from '../../src/cli/browsers.ts';
import { openLab, waitForLab } from '../../src/cli/run-in-browser.ts';
import type { SuiteRequest } from '../../src/engine/run-suite.ts';
import type { BackendResult, Results } from '../../src/results/schema.ts';

export interface LabSession {
  browser: LaunchedBrowser;
  page: LabPage;
  url: string;
}

/** Launch `name` and open the lab served by the global setup in it. */
async function launchLab(name: BrowserName): Promise<LabSession> {
  const url = inject('labUrl');
  const browser = await launchBrowser(name);
  return { browser, page: await openLab(browser, url), url };
}

/**
 * The session itself while its browser is alive; a browser whose page crashed (BrowserCrashedError) is
 * closed and launched afresh, the lab opened again, since its session is gone and only a new launch helps.
 */
export async function relaunchIfCrashed(session: LabSession): Promise<LabSession> {
  if (!session.browser.crashed?.()) return session;
  await session.browser.close();
  return launchLab(session.browser.name);
}

/**
 * Launch `name` before the file's tests and close it after; `session()` gives the open page. After a test
 * whose page crashed under it, the next test starts on a browser launched afresh rather than failing on a
 * session that is gone; the crash itself fails its test (and the browser projects run it once more).
 */
export function useLab(name: BrowserName): () => LabSession {
  let session: LabSession | undefined;
  beforeAll(async () => {
    session = await launchLab(name);
  });
  beforeEach(async (context) => {
    if (!session?.browser.crashed?.()) return;
    process.stderr.write(`${name}'s page had crashed; launching it afresh for "${context.task.name}".\n`);
    const crashed = session;
    session = undefined;
    session = await relaunchIfCrashed(crashed);
  });
  afterAll(async () => {
    await session?.browser.close();
  });
  return () => {
    if (!session) throw new Error(`${name} did not start`);
    return session;
  };
}

/**
 * A second page beside the session's, for what a reader opening a link elsewhere sees. WebKit's WebDriver
 * drives one window a session, so there it is a page of a second browser; closing it closes that too.
 */
export async function secondPage(session: LabSession): Promise<LabPage> {
  if (session.browser.name !== 'webkit') return session.browser.newPage();
  const other = await launchBrowser('webkit');
  const page = await other.newPage();
  return {
    ...page,
    close: async () => {
      await page.close();
      await other.close();
    },
  };
}

/** Choose a file in the Import control, as a person picking it in the file dialog would. */
export function importText(page: LabPage, text: string, name: string): Promise<void> {
  return page.evaluate(
    ({ text, name }: { text: string; name: string }) => {
      const input = document.querySelector<HTMLInputElement>('[data-testid="import-file"]')!;
      const files = new DataTransfer();
      files.items.add(new File([text], name, { type: 'application/json' }));
      input.files = files.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    { text, name },
  );
}

/** Multiply every time of a measured result by `factor`, in place: the same configuration, run slower or faster. */
export function scaleTimes(result: BackendResult, factor: number): void {
  if (!('medianMs' in result)) return;
  result.medianMs *= factor;
  result.ci95Ms = [result.ci95Ms[0] * factor, result.ci95Ms[1] * factor];
  result.samplesMs = result.samplesMs.map((ms) => ms * factor);
}

/** A fresh page: nothing left from an earlier test. */
export async function freshLab(page: LabPage, url: string): Promise<void> {
  await page.goto(url);
  await waitForLab(page);
}

/** Run a suite through the page API; the outcome comes back as data so a rejection keeps its message. */
export function runInPage(page: LabPage, request: SuiteRequest): Promise<Results> {
  return page.evaluate(async (req: SuiteRequest) => window.parallelLab!.run(req), request);
}

/** A configuration that ran and failed, with its error. */
export type FailedResult = BackendResult & { verified: false; error: string };

/** The configurations of a run that failed, so a test can say which and why. */
export const failedOf = (results: Results) =>
  results.experiments.flatMap((e) => e.results).filter((r): r is FailedResult => r.available && !r.verified);

/** The configurations of a run that were measured and verified. */
export const verifiedOf = (results: Results) => results.experiments.flatMap((e) => e.results).filter((r) => r.available && r.verified);

/**
 * Where WebDriver classic (WebKit) reports no requests: a buffered Resource Timing observer, installed once the
 * page has loaded, that lists every URL the page fetched from its start (its fetches and its workers' scripts,
 * not what workers fetch) in `__labResources`. Read with `recordedResources`.
 */
export const RESOURCE_RECORDER = `(() => {
  const resources = [];
  Object.defineProperty(window, '__labResources', { value: resources });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) resources.push(entry.name);
  }).observe({ type: 'resource', buffered: true });
})();`;

/** The URLs RESOURCE_RECORDER has listed in this page; none where it was not installed. */
export function recordedResources(page: LabPage): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __labResources?: string[] }).__labResources?.slice() ?? []);
}
