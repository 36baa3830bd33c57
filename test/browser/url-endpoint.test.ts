/**
 * A link's ?endpoint= on this machine or its network: nothing is sent there, and autorun waits, until the
 * reader agrees; refusing keeps the lab's own endpoint. One on another origin, which the lab's
 * Content-Security-Policy would block, is refused at once, with nothing to agree to and nothing sent. Each
 * test opens its own page.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../src/cli/browsers.ts';
import { echoReply } from '../../src/cli/latency-endpoint.ts';
import { waitForLab } from '../../src/cli/run-in-browser.ts';
import { recordedResources, RESOURCE_RECORDER, useLab } from './harness.ts';

const POLL = { timeout: 60_000, interval: 100 };

/** Marks the link's endpoint: the lab's own echo path, which the lab's own runs call without this query. */
const LINK_MARK = 'from=link';

describe.each(ENGINES)('%s: an endpoint on the local network from a link', (browserName) => {
  const session = useLab(browserName);
  /** Another origin (another port): a server the page must never reach. */
  let server: Server;
  let hits = 0;
  let otherOrigin = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits += 1;
      const reply = echoReply(req.method ?? 'GET', new URL(req.url ?? '/', 'http://localhost'));
      const headers = { ...reply.headers, 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
      setTimeout(() => res.writeHead(reply.status, headers).end(reply.body), reply.delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /**
   * A fresh page on a link naming `endpoint`, and the URLs of the requests it has made: the driver's log, or
   * where WebDriver classic (WebKit) keeps none, the page's Resource Timing from its start (its fetches and its
   * workers' scripts), read by an observer installed once the lab has loaded.
   */
  async function openWith(endpoint: string) {
    const { browser, url } = session();
    const page = await browser.newPage();
    const logged: string[] = [];
    if (browserName !== 'webkit') page.onRequest((requestUrl) => logged.push(requestUrl));
    await page.goto(`${url}?experiments=api-calls&preset=quick&autorun&endpoint=${encodeURIComponent(endpoint)}`);
    await waitForLab(page);
    if (browserName === 'webkit') await page.addScript(RESOURCE_RECORDER);
    const requests = async () => (browserName === 'webkit' ? recordedResources(page) : logged.slice());
    return { page, requests };
  }

  /** The lab's own echo path, marked, on the lab's own origin: loopback, so it needs the reader's consent. */
  const markedEndpoint = () => `${session().url}api/echo?${LINK_MARK}`;

  async function openAsking() {
    const opened = await openWith(markedEndpoint());
    await expect
      .poll(() => opened.page.evaluate(() => document.querySelector('[data-testid="endpoint-confirm"]')?.textContent ?? ''), POLL)
      .toContain(markedEndpoint());
    return opened;
  }

  it("asks first, sends nothing and does not start the run until asked; refusing keeps the lab's endpoint", async () => {
    const { page, requests } = await openAsking();
    try {
      // The environment is loaded (waitForLab), which is when autorun would have started.
      expect(await page.evaluate(() => window.parallelLab!.status())).toBe('idle');
      await page.click('[data-testid="endpoint-refuse"]');
      await expect.poll(() => page.evaluate(() => window.parallelLab!.status()), POLL).not.toBe('idle');
      await page.evaluate(() => window.parallelLab!.cancel('test over'));
      await expect.poll(() => page.evaluate(() => window.parallelLab!.status()), POLL).not.toBe('running');
      expect((await requests()).filter((r) => r.includes(LINK_MARK))).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('agreeing uses the endpoint', async () => {
    const { page, requests } = await openAsking();
    try {
      expect((await requests()).filter((r) => r.includes(LINK_MARK))).toEqual([]);
      await page.click('[data-testid="endpoint-accept"]');
      await expect.poll(async () => (await requests()).filter((r) => r.includes(LINK_MARK)).length, POLL).toBeGreaterThan(0);
      await page.evaluate(() => window.parallelLab!.cancel('test over'));
      await expect.poll(() => page.evaluate(() => window.parallelLab!.status()), POLL).not.toBe('running');
    } finally {
      await page.close();
    }
  });

  it("one on another origin is refused at once, saying why: no question, nothing sent, the run uses the lab's endpoint", async () => {
    const before = hits;
    const { page } = await openWith(`${otherOrigin}/api/echo`);
    try {
      await expect
        .poll(() => page.evaluate(() => document.querySelector('main > [role="alert"]')?.textContent ?? ''), POLL)
        .toMatch(/The endpoint in the address was not used: http:\/\/127\.0\.0\.1:\d+ is not an origin this page may send requests to: the lab's Content-Security-Policy allows/);
      expect(await page.evaluate(() => document.querySelector('[data-testid="endpoint-confirm"]') !== null)).toBe(false);
      await expect.poll(() => page.evaluate(() => window.parallelLab!.status()), POLL).not.toBe('idle');
      await page.evaluate(() => window.parallelLab!.cancel('test over'));
      await expect.poll(() => page.evaluate(() => window.parallelLab!.status()), POLL).not.toBe('running');
      expect(hits).toBe(before);
    } finally {
      await page.close();
    }
  });
});
