/**
 * dist/ on a static host that sets no headers at all (as GitHub Pages): the lab's service worker adds the
 * isolation headers and the Content-Security-Policy, and the page reloads once into a cross-origin isolated
 * state, where shared memory runs; the policy is in index.html's meta tag from the first load.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, resolve, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPolicyDirectives, metaPolicy, policyOptionsFromEnv, serializePolicy } from '../../build/content-security-policy.ts';
import { ENGINES, launchBrowser, type LaunchedBrowser } from '../../src/cli/browsers.ts';
import type { EnvironmentReport, Results } from '../../src/results/schema.ts';

const DIST = resolve(import.meta.dirname, '../../dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

let server: Server;
let url: string;
beforeAll(async () => {
  // Files and a content type, nothing else: no COOP, COEP or CORP (dist/ was built by the browser tests' set-up).
  server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = normalize(resolve(DIST, `.${path.endsWith('/') ? `${path}index.html` : path}`));
    if (!file.startsWith(DIST)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((done) => server?.close(done));
});

describe.each(ENGINES)('dist/ on a host without headers, in %s', (browserName) => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchBrowser(browserName);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('ends up cross-origin isolated after one reload, says how, runs shared memory verified and answers api-calls from the same worker', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(url);
      // The first load registers the worker and reloads; wait for the reloaded page's API and isolation.
      const deadline = Date.now() + 60_000;
      let isolated = false;
      while (Date.now() < deadline && !isolated) {
        await new Promise((done) => setTimeout(done, 500));
        isolated = await page.evaluate(() => globalThis.crossOriginIsolated === true && window.parallelLab !== undefined).catch(() => false);
      }
      expect(isolated).toBe(true);
      const environment = (await page.evaluate(() => window.parallelLab!.environment())) as EnvironmentReport;
      expect(environment.crossOriginIsolated).toBe(true);
      expect(environment.isolatedBy).toBe('service-worker');
      // The policy: the meta tag in the page, and the header the worker adds to the lab's responses (workers' scripts too).
      const policy = await page.evaluate(async () => ({
        meta: document.querySelector<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy"]')?.content,
        header: (await fetch(location.href, { cache: 'no-store' })).headers.get('content-security-policy'),
      }));
      const directives = labPolicyDirectives(policyOptionsFromEnv());
      expect(policy).toEqual({ meta: serializePolicy(metaPolicy(directives)), header: serializePolicy(directives) });
      const results = (await page.evaluate(() =>
        window.parallelLab!.run({ experiments: ['cpu-heavy'], preset: 'quick', params: { 'cpu-heavy': { n: 2_000_000 } }, backends: ['shared-memory'] }),
      )) as Results;
      const shared = results.experiments[0]!.results.filter((r) => r.backend === 'shared-memory');
      expect(shared.length).toBeGreaterThan(0);
      for (const r of shared) {
        // WebKitGTK's automation session is isolated and still has no SharedArrayBuffer: then it must say so.
        if (!environment.sharedArrayBuffer) expect(!r.available && r.reason, JSON.stringify(r)).toMatch(/SharedArrayBuffer/);
        else expect(r.available && 'verified' in r && r.verified, JSON.stringify(r)).toBe(true);
      }

      // The same worker answers the api-calls echo path on this host, which has no server for it.
      const api = (await page.evaluate(() => window.parallelLab!.run({ experiments: ['api-calls'], preset: 'quick', backends: ['event-loop'] }))) as Results;
      const calls = api.experiments[0]!.results.filter((r) => r.available);
      expect(calls.length).toBeGreaterThan(1);
      for (const r of calls) {
        expect('verified' in r && r.verified, JSON.stringify(r)).toBe(true);
        expect('mode' in r && r.mode).toBe('service-worker');
      }
    } finally {
      await page.close();
    }
  });
});
