/** Drive the lab page through `window.parallelLab`, the same path as the Run button. */
import type {} from '../app/api.ts';
import type { SuiteRequest } from '../engine/run-suite.ts';
import type { Results } from '../results/schema.ts';
import type { LaunchedBrowser, LabPage } from './lab-page.ts';

/** Open the lab and wait until its API and environment are ready. */
export async function openLab(browser: LaunchedBrowser, url: string): Promise<LabPage> {
  const page = await browser.newPage();
  await page.goto(url);
  await waitForLab(page);
  return page;
}

export async function waitForLab(page: LabPage, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(() => Boolean(window.parallelLab)))) {
    if (Date.now() > deadline) throw new Error('The lab page did not start (window.parallelLab never appeared).');
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.evaluate(() => window.parallelLab!.environment().then(() => undefined));
}

/**
 * Run a suite in the page, reporting progress labels as they change.
 * Errors thrown in the page (a bad parameter, say) come back as rejections with the page's message.
 */
export async function runSuiteInPage(
  page: LabPage,
  request: SuiteRequest,
  onProgress?: (label: string) => void,
): Promise<Results> {
  let done = false;
  const run = page
    .evaluate(
      (req: SuiteRequest) =>
        window.parallelLab!.run(req).then(
          (results) => ({ ok: true as const, results }),
          (error: unknown) => ({ ok: false as const, message: error instanceof Error ? error.message : String(error) }),
        ),
      request,
    )
    .finally(() => (done = true));
  const poll = (async () => {
    let last = '';
    while (!done) {
      await new Promise((r) => setTimeout(r, 500));
      if (done) break;
      const label = await page.evaluate(() => window.parallelLab!.progress()?.label ?? '').catch(() => '');
      if (label && label !== last) onProgress?.((last = label));
    }
  })();
  const outcome = await run;
  await poll;
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.results;
}

/**
 * WebKitGTK's user agent carries no WebKitGTK version, so the page records "unknown"; the driver knows it
 * (WebKitWebDriver reports it as browserVersion), and the results get it from there.
 */
export function withDriverVersion(results: Results, browser: Pick<LaunchedBrowser, 'driverBrowserVersion'>): Results {
  const recorded = results.environment.browser;
  if (!browser.driverBrowserVersion || recorded.version !== 'unknown') return results;
  return { ...results, environment: { ...results.environment, browser: { ...recorded, version: browser.driverBrowserVersion } } };
}
