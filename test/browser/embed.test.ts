/**
 * The lab embedded the way a tutorial embeds it: a host page on another origin (another port) imports
 * /embed/client.js from the lab, frames it, and drives runs through the iframe API. Hosts both cross-origin
 * isolated (COOP + COEP) and not.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES, launchBrowser, type LabPage, type LaunchedBrowser } from '../../src/cli/browsers.ts';
import type { Results } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';

/** A tutorial's server: a bare page, isolated or not, on an origin of its own. */
let host: Server;
let hostUrl: string;
beforeAll(async () => {
  host = createServer((request, response) => {
    const isolated = request.url?.startsWith('/isolated');
    response.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      ...(isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
    });
    response.end('<!doctype html><title>A tutorial</title><p>The lab, live:</p><div id="lab"></div>');
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => host?.close(resolve));
});

/** A short cpu-heavy run: the API is under test here, not the machine (about 10 ms a run). */
const SHORT = { 'cpu-heavy': { n: 12_000_000 } };

interface Outcome {
  ok: boolean;
  results?: Results;
  message?: string;
  cancelled?: boolean;
  progress: number;
}

/** In the host page: import the client from the lab and create the frame (kept on window for later calls). */
const createFrame = new Function(
  'labUrl',
  `return import(labUrl + 'embed/client.js').then(async (client) => {
     window.labFrame = client.createLabFrame(document.getElementById('lab'), labUrl, { experiments: ['cpu-heavy'] });
     const ready = await window.labFrame.ready;
     return { ...ready, height: window.labFrame.iframe.getBoundingClientRect().height };
   });`,
) as (labUrl: string) => Promise<{ experiments: string[]; isolated: boolean; height: number }>;

/** In the host page: run through the client; cancel after the first progress report when asked. */
const runInFrame = new Function(
  'args',
  `const controller = new AbortController();
   let progress = 0;
   return window.labFrame.run(args.request, {
     signal: controller.signal,
     onProgress: () => { progress += 1; if (args.cancelAfterProgress && progress === 1) controller.abort(); },
   }).then((results) => ({ ok: true, results, progress }), (error) => ({ ok: false, message: error.message, cancelled: error.cancelled, progress }));`,
) as (args: { request: unknown; cancelAfterProgress?: boolean }) => Promise<Outcome>;

/** In the host page: post a raw message to the frame and wait for the lab's answer with that id. */
const postRaw = new Function(
  'message',
  `return new Promise((resolve, reject) => {
     const frame = window.labFrame.iframe;
     const onMessage = (event) => {
       if (event.source === frame.contentWindow && event.data?.type === 'parallel-lab/error' && event.data.id === message.id) {
         removeEventListener('message', onMessage);
         resolve(event.data);
       }
     };
     addEventListener('message', onMessage);
     frame.contentWindow.postMessage(message, new URL(frame.src).origin);
     setTimeout(() => reject(new Error('no answer from the lab')), 20000);
   });`,
) as (message: unknown) => Promise<{ message: string; id: string }>;

describe.each(ENGINES)('the lab in a tutorial page on another origin, in %s', (browserName) => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchBrowser(browserName);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const openHost = async (path: string): Promise<{ page: LabPage; ready: { experiments: string[]; isolated: boolean; height: number } }> => {
    const page = await browser.newPage();
    await page.goto(`${hostUrl}${path}`);
    const ready = await page.evaluate(createFrame, inject('labUrl'));
    return { page, ready };
  };

  it('an isolated host: the frame is ready, runs cpu-heavy through the client and returns a valid, verified document', async () => {
    const { page, ready } = await openHost('/isolated.html');
    try {
      expect(ready.experiments).toContain('cpu-heavy');
      // Chromium passes isolation on to a frame with allow="cross-origin-isolated"; the frame sizes itself.
      if (browserName === 'chromium') expect(ready.isolated).toBe(true);
      const outcome = await page.evaluate(runInFrame, { request: { experiments: ['cpu-heavy'], preset: 'quick', params: SHORT, backends: ['workers', 'shared-memory'] } });
      expect(outcome.message).toBeUndefined();
      expect(outcome.ok).toBe(true);
      expect(outcome.progress).toBeGreaterThan(0);
      const validation = validateResults(outcome.results);
      expect(validation.ok, validation.ok ? '' : validation.errors.join('\n')).toBe(true);
      const results = outcome.results!.experiments[0]!.results;
      expect(results.length).toBeGreaterThan(2);
      for (const r of results) if (r.available) expect('verified' in r && r.verified, JSON.stringify(r)).toBe(true);
      expect(results.some((r) => r.backend === 'shared-memory' && r.available)).toBe(ready.isolated);
      const height = await page.evaluate(() => (window as unknown as { labFrame: { iframe: HTMLIFrameElement } }).labFrame.iframe.getBoundingClientRect().height);
      expect(height).toBeGreaterThan(150);
    } finally {
      await page.close();
    }
  });

  it('malformed messages and unknown versions get an error with the reason; a cancel ends the run and the next one works', async () => {
    const { page } = await openHost('/isolated.html');
    try {
      const wrongShape = await page.evaluate(postRaw, { type: 'parallel-lab/run', v: 1, id: 'bad-shape', experiments: 'cpu-heavy' });
      expect(wrongShape.message).toMatch(/experiments must be a non-empty list/);
      const wrongVersion = await page.evaluate(postRaw, { type: 'parallel-lab/run', v: 9, id: 'bad-version', experiments: ['cpu-heavy'] });
      expect(wrongVersion.message).toMatch(/Unknown message version 9/);
      const badParams = await page.evaluate(postRaw, { type: 'parallel-lab/run', v: 1, id: 'bad-params', experiments: ['cpu-heavy'], preset: 'quick', params: { 'cpu-heavy': { tasks: -3 } } });
      expect(badParams.message).toMatch(/tasks/);

      const cancelled = await page.evaluate(runInFrame, { request: { experiments: ['cpu-heavy'], preset: 'quick' }, cancelAfterProgress: true });
      expect(cancelled.ok).toBe(false);
      expect(cancelled.cancelled).toBe(true);
      const next = await page.evaluate(runInFrame, { request: { experiments: ['cpu-heavy'], preset: 'quick', params: SHORT, backends: ['workers'] } });
      expect(next.message).toBeUndefined();
      expect(validateResults(next.results).ok).toBe(true);
    } finally {
      await page.close();
    }
  });

  it("the example tutorial page: its Run button drives the framed lab and writes the measured speedup into the page's text", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${inject('labUrl')}examples/tutorial.html`);
      await expect.poll(() => page.evaluate(() => (document.getElementById('run') as HTMLButtonElement).disabled), { timeout: 60_000 }).toBe(false);
      await page.click('#run');
      await expect
        .poll(() => page.evaluate(() => document.getElementById('answer')!.textContent ?? ''), { timeout: 180_000, interval: 1_000 })
        .toMatch(/two workers ran the loop \d+\.\d\d× as fast as one thread; two async tasks on the event loop, \d+\.\d\d×/);
      expect(await page.evaluate(() => document.getElementById('status')!.textContent)).toBe('Done.');
    } finally {
      await page.close();
    }
  });

  it('a host that is not isolated: the frame says so, runs, and marks shared memory unavailable with the reason', async () => {
    const { page, ready } = await openHost('/plain.html');
    try {
      expect(ready.isolated).toBe(false);
      const outcome = await page.evaluate(runInFrame, { request: { experiments: ['cpu-heavy'], preset: 'quick', params: SHORT, backends: ['workers', 'shared-memory'] } });
      expect(outcome.message).toBeUndefined();
      const results = outcome.results!.experiments[0]!.results;
      const shared = results.filter((r) => r.backend === 'shared-memory');
      expect(shared.length).toBeGreaterThan(0);
      for (const r of shared) {
        expect(r.available).toBe(false);
        expect('reason' in r && r.reason).toMatch(/cross-origin isolated|SharedArrayBuffer/);
      }
      expect(results.some((r) => r.backend === 'workers' && r.available && 'verified' in r && r.verified)).toBe(true);
    } finally {
      await page.close();
    }
  });
});
