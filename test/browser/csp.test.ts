/**
 * The lab under its Content-Security-Policy, in real Chromium, Firefox and WebKit: the policy is in force
 * (header and meta tag, an injected inline script and eval refused and reported), and the quick suite with
 * every experiment and backend, then every view, run with no violation reported and no request leaving the
 * lab's origin. In Chromium and Firefox the page's violations are collected by a script that runs before the
 * lab's own, and requests are the driver's log of the page and its workers. WebKit's WebDriver has neither: there
 * the same recorder is installed once the lab has loaded (load-time violations are the other engines' part),
 * and requests are what the page's Resource Timing lists (the page's fetches and its workers' scripts).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labPolicyDirectives, metaPolicy, policyOptionsFromEnv, serializePolicy } from '../../build/content-security-policy.ts';
import { ENGINES, launchBrowser, type LabPage, type LaunchedBrowser } from '../../src/cli/browsers.ts';
import { waitForLab } from '../../src/cli/run-in-browser.ts';
import type { Results } from '../../src/results/schema.ts';
import { recordedResources, RESOURCE_RECORDER } from './harness.ts';

const POLL = { timeout: 60_000, interval: 200 };

/** A violation as the page saw it, enough to say what was refused and where. */
interface Violation {
  directive: string;
  blocked: string;
  source: string;
}

/**
 * Runs in every document before the lab (after it, in WebKit): records policy violations, and the file names of
 * downloads the page starts (skipped, so no file is written), which is how the test knows a PNG or an export
 * was made.
 */
const RECORDER = `(() => {
  const violations = [];
  const downloads = [];
  Object.defineProperty(window, '__labTest', { value: { violations, downloads } });
  addEventListener('securitypolicyviolation', (e) => {
    violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile + ':' + e.lineNumber });
  }, true);
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.download) return void downloads.push(this.download);
    return click.call(this);
  };
})();`;

interface Recorded {
  violations: Violation[];
  downloads: string[];
}

const recorded = (page: LabPage) => page.evaluate(() => (window as unknown as { __labTest: Recorded }).__labTest);

describe.each(ENGINES)('%s: the lab under its Content-Security-Policy', (browserName) => {
  const url = inject('labUrl');
  const origin = new URL(url).origin;
  /** WebDriver classic (WebKit) runs no script before the page's and shows no requests. */
  const driverSees = browserName !== 'webkit';
  /** Requests the driver saw, or (WebKit) the Resource Timing of pages the test has left. */
  const requests: string[] = [];
  let browser: LaunchedBrowser;
  let page: LabPage;

  /** Open `address` with the recorder in place: before the lab's scripts where the driver can, after them otherwise. */
  async function openRecorded(address: string): Promise<void> {
    if (!driverSees) requests.push(...(await seenRequests()));
    await page.goto(address);
    await waitForLab(page);
    if (!driverSees) {
      await page.addScript(RECORDER);
      await page.addScript(RESOURCE_RECORDER);
    }
  }

  /** Every request seen so far: the driver's log, or the page's Resource Timing after the earlier pages'. */
  async function seenRequests(): Promise<string[]> {
    if (driverSees) return requests;
    return [...requests, ...(await recordedResources(page))];
  }

  beforeAll(async () => {
    browser = await launchBrowser(browserName);
    page = await browser.newPage();
    if (driverSees) {
      page.onRequest((requestUrl) => requests.push(requestUrl));
      await page.addInitScript(RECORDER);
    }
    await openRecorded(url);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const text = (selector: string) => page.evaluate((s: string) => document.querySelector(s)?.textContent?.trim() ?? '', selector);
  /** Requests that left the lab's origin: none may, whatever ran (blob: and data: URLs stay in the page). */
  const foreignRequests = async () => (await seenRequests()).filter((r) => !r.startsWith(`${origin}/`) && !/^(blob|data):/.test(r));

  it('is in force: the server sends it, the page carries it, and an injected inline script and eval are refused and reported', async () => {
    const options = policyOptionsFromEnv();
    const sent = await page.evaluate(() => fetch(location.href, { method: 'HEAD', cache: 'no-store' }).then((r) => r.headers.get('content-security-policy')));
    expect(sent).toBe(serializePolicy(labPolicyDirectives(options)));
    const meta = await page.evaluate(() => document.querySelector<HTMLMetaElement>('head > meta[http-equiv="Content-Security-Policy"]')?.content);
    expect(meta).toBe(serializePolicy(metaPolicy(labPolicyDirectives(options))));
    expect((await recorded(page)).violations).toEqual([]);

    // What a script injected into the page's markup or a string handed to eval would do: nothing, reported.
    // Both after a task of the page's own: while a driver evaluates, the browser lets its code eval.
    const outcome = await page.evaluate(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const script = document.createElement('script');
      script.textContent = 'window.__injectedRan = true;';
      document.head.append(script);
      let evaluated: string;
      try {
        evaluated = String((0, eval)('"eval ran"'));
      } catch (error) {
        evaluated = (error as Error).name;
      }
      return { injectedRan: (window as unknown as { __injectedRan?: boolean }).__injectedRan === true, evaluated };
    });
    expect(outcome).toEqual({ injectedRan: false, evaluated: 'EvalError' });
    await expect.poll(async () => (await recorded(page)).violations.map((v) => `${v.directive} ${v.blocked}`).sort(), POLL).toEqual(
      expect.arrayContaining(['script-src eval', 'script-src-elem inline']),
    );
    // From here on, any violation is the lab's own.
    await page.evaluate(() => void ((window as unknown as { __labTest: Recorded }).__labTest.violations.length = 0));
  });

  it('runs the quick suite, every experiment and backend at its smallest parameters, with nothing refused', async () => {
    const startedMs = Date.now();
    const results = (await page.evaluate(async () => {
      const lab = window.parallelLab!;
      const experiments = lab.experiments();
      const params = Object.fromEntries(experiments.map((e) => [e.id, Object.fromEntries(e.params.map((p) => [p.key, p.min]))]));
      return lab.run({ experiments: experiments.map((e) => e.id), preset: 'quick', params });
    })) as Results;
    console.info(`${browserName}: the quick suite at its smallest parameters took ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
    expect(results.experiments.length).toBeGreaterThan(1);
    for (const experiment of results.experiments) {
      expect(experiment.error, experiment.id).toBeUndefined();
      const failed = experiment.results.filter((r) => r.available && !r.verified);
      expect(failed, `${experiment.id}: ${JSON.stringify(failed)}`).toEqual([]);
      // Where a backend, or a whole experiment, cannot run in this browser (WebKit's automation session has no
      // origin private file system for io-heavy), it says why; every other browser runs them all.
      const parallel = experiment.results.filter((r) => r.backend !== 'serial');
      if (!parallel.some((r) => r.available && r.verified)) {
        for (const r of experiment.results.filter((r) => !r.available)) expect('reason' in r ? r.reason : '', `${experiment.id}: ${JSON.stringify(r)}`).toMatch(/\w{3,} \w{3,}/);
        expect(browserName, `${experiment.id}: no parallel backend ran`).toBe('webkit');
      }
    }
    expect(results.experiments.filter((e) => e.results.some((r) => r.available && r.verified && r.backend !== 'serial')).length).toBeGreaterThan(1);
    expect((await recorded(page)).violations).toEqual([]);
    expect(await foreignRequests()).toEqual([]);
    // The requests seen include the echo endpoint's and the workers' scripts: the check above looked at real traffic.
    const seen = await seenRequests();
    expect(seen.some((r) => r.startsWith(`${origin}/api/echo`))).toBe(true);
    expect(seen.some((r) => /\/assets\/task\.worker-[\w-]+\.js$/.test(r))).toBe(true);
  });

  it('shows every view with nothing refused: the summary, charts saved as PNG and SVG, exports, the history, an opened run, a shared link, a comparison and the embedded layout', async () => {
    await expect.poll(() => text('#summary-title'), POLL).toBe('At a glance');
    // Saving a chart: the PNG is drawn from a blob: image, the one image source besides the lab's files.
    await page.evaluate(() => {
      const buttons = [...document.querySelectorAll<HTMLButtonElement>('#cpu-heavy figure.chart figcaption button')];
      for (const label of ['PNG', 'SVG']) buttons.find((b) => b.textContent?.trim() === label)!.click();
    });
    await page.click('[data-testid="current-actions"] [data-testid="export-json"]');
    await page.click('[data-testid="current-actions"] [data-testid="export-csv"]');
    await expect
      .poll(async () => (await recorded(page)).downloads.map((name) => name.split('.').pop()).sort(), POLL)
      .toEqual(['csv', 'json', 'png', 'svg']);

    // A second, small run, so that the history holds two runs to compare.
    await page.evaluate(() => window.parallelLab!.run({ experiments: ['cpu-heavy'], preset: 'quick', params: { 'cpu-heavy': { n: 1_000 } }, backends: ['workers'] }));
    await expect.poll(() => page.evaluate(() => document.querySelectorAll('[data-testid="history"] tr[data-run-id]').length), POLL).toBe(2);
    await page.click('[data-testid="history"] tr[data-run-id]:nth-child(1) [data-testid="history-open"]');
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-testid="opened-run"]')?.getAttribute('data-origin')), POLL).toBe('history');
    await page.click('[data-testid="opened-actions"] [data-testid="share-link"]');
    await expect
      .poll(() => page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="opened-actions"] [data-testid="share-url"]')?.value ?? ''), POLL)
      .toMatch(/#r=/);
    const shareUrl = await page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="opened-actions"] [data-testid="share-url"]')!.value);
    expect(await page.evaluate((link: string) => window.parallelLab!.openShared(link), shareUrl)).toMatchObject({ ok: true });
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-testid="opened-run"]')?.getAttribute('data-origin')), POLL).toBe('link');
    await page.click('[data-testid="close-opened"]');
    for (const row of [1, 2]) await page.click(`[data-testid="history"] tr[data-run-id]:nth-child(${row}) [data-testid="history-tick"]`);
    await page.click('[data-testid="compare-selected"]');
    await expect.poll(() => text('#compare-title'), POLL).toBe('Comparison of 2 runs');
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-testid="compare-view"] .plot svg') !== null), POLL).toBe(true);
    expect((await recorded(page)).violations).toEqual([]);

    // The layout a tutorial frames, in a page of its own.
    await openRecorded(`${url}?embed&experiments=cpu-heavy`);
    await expect.poll(() => page.evaluate(() => document.querySelector('main.embed') !== null), POLL).toBe(true);
    expect((await recorded(page)).violations).toEqual([]);
    expect(await foreignRequests()).toEqual([]);
  });
});
