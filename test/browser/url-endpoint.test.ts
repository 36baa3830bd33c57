/**
 * A link's ?endpoint= on this machine or its network: nothing is sent there, and autorun waits, until the
 * reader agrees; refusing keeps the lab's own endpoint. Each test opens its own page.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../src/cli/browsers.ts';
import { echoReply } from '../../src/cli/latency-endpoint.ts';
import { waitForLab } from '../../src/cli/run-in-browser.ts';
import { useLab } from './harness.ts';

const POLL = { timeout: 60_000, interval: 100 };

describe.each(ENGINES)('%s: an endpoint on the local network from a link', (browserName) => {
  const session = useLab(browserName);
  let server: Server;
  let hits = 0;
  let endpoint = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits += 1;
      const reply = echoReply(req.method ?? 'GET', new URL(req.url ?? '/', 'http://localhost'));
      const headers = { ...reply.headers, 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
      setTimeout(() => res.writeHead(reply.status, headers).end(reply.body), reply.delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/echo`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function openWithEndpoint() {
    const { browser, url } = session();
    const page = await browser.newPage();
    await page.goto(`${url}?experiments=api-calls&preset=quick&autorun&endpoint=${encodeURIComponent(endpoint)}`);
    await waitForLab(page);
    await expect
      .poll(() => page.evaluate(() => document.querySelector('[data-testid="endpoint-confirm"]')?.textContent ?? ''), POLL)
      .toContain(endpoint);
    return page;
  }

  it('asks first, sends nothing and does not start the run until asked; refusing keeps the lab\'s endpoint', async () => {
    const before = hits;
    const page = await openWithEndpoint();
    try {
      // The environment is loaded (waitForLab), which is when autorun would have started.
      expect(await page.evaluate(() => window.parallelLab!.status())).toBe('idle');
      await page.click('[data-testid="endpoint-refuse"]');
      await expect.poll(() => page.evaluate(() => window.parallelLab!.status()), POLL).not.toBe('idle');
      await page.evaluate(() => window.parallelLab!.cancel('test over'));
      await expect.poll(() => page.evaluate(() => window.parallelLab!.status()), POLL).not.toBe('running');
      expect(hits).toBe(before);
    } finally {
      await page.close();
    }
  });

  it('agreeing uses the endpoint', async () => {
    const before = hits;
    const page = await openWithEndpoint();
    try {
      expect(hits).toBe(before);
      await page.click('[data-testid="endpoint-accept"]');
      await expect.poll(() => hits, POLL).toBeGreaterThan(before);
      await page.evaluate(() => window.parallelLab!.cancel('test over'));
      await expect.poll(() => page.evaluate(() => window.parallelLab!.status()), POLL).not.toBe('running');
    } finally {
      await page.close();
    }
  });
});
