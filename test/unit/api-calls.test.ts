import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoQueryRules } from '../../src/cli/echo-query.ts';
import { ECHO_HEADERS, echoMiddleware, echoPathname, echoReply } from '../../src/cli/latency-endpoint.ts';
import { resolveParams } from '../../src/engine/params.ts';
import { workerCounts } from '../../src/engine/sweep.ts';
import { customEndpoint, resolveEndpoint, setCustomEndpoint } from '../../src/workloads/api-calls/endpoint.ts';
import { fetchEcho, type EchoResult } from '../../src/workloads/api-calls/fetch-echo.ts';
import { apiCalls, apiCallsConfigurations } from '../../src/workloads/api-calls/index.ts';
import {
  ENDPOINT_HEADER,
  MAX_DELAY_MS,
  TOKEN_PATTERN,
  echoChecksum,
  echoMismatch,
  echoUrl,
  makeToken,
} from '../../src/workloads/api-calls/protocol.ts';
import type { BackendId } from '../../src/workloads/types.ts';
import type { MeasuredResult } from '../../src/results/schema.ts';
import { HTTP1_CONNECTIONS_PER_HOST, summarizeApiCalls } from '../../src/workloads/api-calls/concurrency-cap.ts';

const echo = (query: string, method = 'GET') => echoReply(method, new URL(`http://localhost/api/echo?${query}`));
const token = () => makeToken(Math.random);

describe('echo endpoint: request handling', () => {
  it('echoes the token and delay with their checksum, after the delay asked for', () => {
    const t = token();
    const reply = echo(`token=${t}&delayMs=250`);
    expect(reply.status).toBe(200);
    expect(reply.delayMs).toBe(250);
    const body = JSON.parse(reply.body);
    expect(body).toEqual({ token: t, delayMs: 250, checksum: echoChecksum(t, 250) });
    expect(echoMismatch(body, t, 250)).toBeUndefined();
  });

  it('sends the isolation headers, no-store and who answered, on answers and refusals alike', () => {
    for (const reply of [echo(`token=${token()}&delayMs=1`), echo('token=x'), echo(`token=${token()}`, 'POST')]) {
      expect(reply.headers['Cross-Origin-Embedder-Policy']).toBe('require-corp');
      expect(reply.headers['Cross-Origin-Opener-Policy']).toBe('same-origin');
      expect(reply.headers['Cross-Origin-Resource-Policy']).toBe('same-origin');
      expect(reply.headers['Cache-Control']).toBe('no-store');
      expect(reply.headers[ENDPOINT_HEADER]).toBe('server');
    }
  });

  it.each([
    ['0', 0],
    ['1', 1],
    [String(MAX_DELAY_MS), MAX_DELAY_MS],
  ])('accepts delayMs=%s', (text, delayMs) => {
    const reply = echo(`token=${token()}&delayMs=${text}`);
    expect(reply.status).toBe(200);
    expect(reply.delayMs).toBe(delayMs);
  });

  it('takes a missing delayMs as 0', () => {
    expect(echo(`token=${token()}`).delayMs).toBe(0);
  });

  it.each([String(MAX_DELAY_MS + 1), '99999999', '-1', '1.5', 'abc', '1e3', ''])('refuses delayMs=%j at once with 400', (text) => {
    const reply = echo(`token=${token()}&delayMs=${text}`);
    expect(reply.status).toBe(400);
    expect(reply.delayMs).toBe(0);
    expect(JSON.parse(reply.body).error).toMatch(/delayMs/);
  });

  it.each(['', 'abc', 'ABCDEF0123', 'g'.repeat(10), 'a'.repeat(65), '0123456z'])('refuses token=%j with 400', (t) => {
    const reply = echo(`token=${t}&delayMs=5`);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error).toMatch(/token/);
  });

  it('refuses other methods with 405 and says which are allowed', () => {
    const reply = echo(`token=${token()}`, 'POST');
    expect(reply.status).toBe(405);
    expect(reply.headers.Allow).toBe('GET, HEAD');
  });

  it.each([
    ['/', '/api/echo'],
    ['./', '/api/echo'],
    ['/lab/', '/lab/api/echo'],
    ['/lab', '/lab/api/echo'],
    ['https://cdn.example/lab/', '/lab/api/echo'],
  ])('answers under base %s at %s', (base, path) => {
    expect(echoPathname(base)).toBe(path);
  });
});

describe('echo endpoint: as middleware on a real server', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    const middleware = echoMiddleware('/');
    server = createServer((req, res) =>
      middleware(req, res, () => {
        res.writeHead(404).end('not the endpoint');
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers after the delay, with the headers, and passes other paths on', async () => {
    const t = token();
    const started = performance.now();
    const response = await fetch(echoUrl(`${origin}/api/echo`, t, 60));
    const elapsedMs = performance.now() - started;
    expect(response.status).toBe(200);
    expect(elapsedMs).toBeGreaterThanOrEqual(55);
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(echoMismatch(await response.json(), t, 60)).toBeUndefined();
    expect((await fetch(`${origin}/other`)).status).toBe(404);
  });

  it('waits for many requests at once: one timer each, nothing serialised', async () => {
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => fetchEcho({ url: `${origin}/api/echo`, token: token(), delayMs: 100 })));
    expect(performance.now() - started).toBeLessThan(20 * 100 * 0.5);
    for (const r of results) expect(r.answeredBy).toBe('server');
  });

  it('fetchEcho returns the echo of a fresh token, checked by verify', async () => {
    const prepared = apiCalls.prepare(resolveParams(apiCalls, 'quick', { requests: 5, latencyMs: 3 }), Math.random, undefined);
    prepared.endpoint = { url: `${origin}/api/echo`, kind: 'server' };
    const output = await Promise.all(prepared.tokens.map((t) => fetchEcho({ url: `${origin}/api/echo`, token: t, delayMs: 3 })));
    expect(apiCalls.verify(output, prepared)).toMatchObject({ ok: true });
  });

  it('fetchEcho throws the server refusal, and a clear message for an unreachable URL', async () => {
    await expect(fetchEcho({ url: `${origin}/api/echo`, token: token(), delayMs: MAX_DELAY_MS + 1 })).rejects.toThrow(
      /HTTP 400: .*delayMs must be at most/,
    );
    await expect(fetchEcho({ url: 'http://127.0.0.1:1/api/echo', token: token(), delayMs: 0 })).rejects.toThrow(
      /request to http:\/\/127\.0\.0\.1:1\/api\/echo failed .*CORS/,
    );
  });

  it('a custom endpoint that cannot be reached fails with the URL and what to check', async () => {
    setCustomEndpoint('http://127.0.0.1:1/my-api');
    try {
      await expect(resolveEndpoint()).rejects.toThrow(/custom endpoint http:\/\/127\.0\.0\.1:1\/my-api could not be reached .*CORS/);
    } finally {
      setCustomEndpoint(undefined);
    }
  });

  it('a custom endpoint answering an error status fails with that status', async () => {
    setCustomEndpoint(`${origin}/not-here`);
    try {
      await expect(resolveEndpoint()).rejects.toThrow(/answered HTTP 404/);
    } finally {
      setCustomEndpoint('');
    }
  });

  it('a custom endpoint that answers is used as it is', async () => {
    setCustomEndpoint(`${origin}/api/echo`);
    try {
      await expect(resolveEndpoint()).resolves.toMatchObject({ url: `${origin}/api/echo`, kind: 'custom' });
    } finally {
      setCustomEndpoint('');
    }
  });
});

describe('custom endpoint setting', () => {
  it('keeps an absolute http(s) URL and clears on empty', () => {
    setCustomEndpoint(' https://example.com/api?x=1 ');
    expect(customEndpoint).toBe('https://example.com/api?x=1');
    setCustomEndpoint('');
    expect(customEndpoint).toBeUndefined();
  });

  it.each(['/api/echo', 'example.com', 'ftp://example.com/x', 'javascript:alert(1)'])('refuses %j with a message', (url) => {
    expect(() => setCustomEndpoint(url)).toThrow(TypeError);
    expect(customEndpoint).toBeUndefined();
  });

  it('echoUrl keeps the query a custom URL already has', () => {
    const url = new URL(echoUrl('https://example.com/api?key=abc', 'deadbeef', 7));
    expect([...url.searchParams]).toEqual([
      ['key', 'abc'],
      ['token', 'deadbeef'],
      ['delayMs', '7'],
    ]);
  });
});

describe('tokens and their verification', () => {
  it('makes distinct lower-case hex tokens the endpoint accepts', () => {
    const tokens = Array.from({ length: 200 }, token);
    for (const t of tokens) expect(t).toMatch(TOKEN_PATTERN);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it.each([
    ['a wrong token', (b: Record<string, unknown>) => ({ ...b, token: token() }), /token/],
    ['a wrong delay', (b: Record<string, unknown>) => ({ ...b, delayMs: 11 }), /delayMs/],
    ['a wrong checksum', (b: Record<string, unknown>) => ({ ...b, checksum: ((b.checksum as number) ^ 1) >>> 0 }), /checksum/],
    ['no object', () => 'hello', /not a JSON object/],
  ])('echoMismatch catches %s', (_, corrupt, message) => {
    const t = token();
    const body = { token: t, delayMs: 10, checksum: echoChecksum(t, 10) };
    expect(echoMismatch(body, t, 10)).toBeUndefined();
    expect(echoMismatch(corrupt(body), t, 10)).toMatch(message);
  });

  function answers(tokens: string[], delayMs: number, answeredBy = 'server'): EchoResult[] {
    return tokens.map((t) => ({ status: 200, answeredBy, echo: { token: t, delayMs, checksum: echoChecksum(t, delayMs) }, bodyBytes: 80 }));
  }

  it('prepare draws fresh tokens; verify passes right answers and fails any wrong one', () => {
    const params = resolveParams(apiCalls, 'quick');
    const a = apiCalls.prepare(params, Math.random, undefined);
    const b = apiCalls.prepare(params, Math.random, undefined);
    expect(a.tokens).toHaveLength(params.requests!);
    expect(a.tokens).not.toEqual(b.tokens);
    a.endpoint = { url: 'http://127.0.0.1/api/echo', kind: 'server' };
    const good = answers(a.tokens, a.delayMs);
    expect(apiCalls.verify(good, a).ok).toBe(true);
    expect(apiCalls.verify(good.slice(1), a).ok).toBe(false);
    expect(apiCalls.verify(answers(b.tokens, a.delayMs), a).ok).toBe(false);
    expect(apiCalls.verify(answers([...a.tokens].reverse(), a.delayMs), a).ok).toBe(false);
    expect(apiCalls.verify(answers(a.tokens, a.delayMs, 'service-worker'), a).ok).toBe(false);
    expect(apiCalls.verify(good.map((r, i) => (i === 3 ? { ...r, status: 204 } : r)), a).ok).toBe(true);
    expect(apiCalls.verify(good.map((r, i) => (i === 3 ? { ...r, status: 500 } : r)), a).ok).toBe(false);
  });

  it('a custom endpoint passes on HTTP 2xx, but one that echoes is held to the echo', () => {
    const prepared = apiCalls.prepare(resolveParams(apiCalls, 'quick'), Math.random, undefined);
    prepared.endpoint = { url: 'https://example.com/api', kind: 'custom' };
    const plain = prepared.tokens.map(() => ({ status: 200, answeredBy: 'custom', bodyBytes: 10 }));
    expect(apiCalls.verify(plain, prepared)).toMatchObject({ ok: true, detail: expect.stringMatching(/could not be checked/) });
    const wrongEcho = answers(prepared.tokens, prepared.delayMs + 1, 'custom');
    expect(apiCalls.verify(wrongEcho, prepared).ok).toBe(false);
  });

  it.each([
    ['requests', 0],
    ['requests', 257],
    ['latencyMs', -1],
    ['latencyMs', 2_001],
    ['latencyMs', 1.5],
  ])('refuses %s=%s before anything runs', (key, value) => {
    expect(() => resolveParams(apiCalls, 'quick', { [key]: value })).toThrow(/api-calls/);
  });
});

describe('api-calls configurations', () => {
  const all: BackendId[] = ['serial', 'event-loop', 'workers'];
  it.each([1, 2, 3, 4, 8, 16])('with %i cores and 32 requests: event loop reaches 6, 8 and 32 in flight; workers sweep as usual', (hc) => {
    const configs = apiCallsConfigurations({ requests: 32, latencyMs: 10 }, hc, all);
    const lanes = (b: BackendId) => configs.filter((c) => c.backend === b).map((c) => c.workers);
    expect(lanes('serial')).toEqual([1]);
    expect(lanes('event-loop')).toEqual(expect.arrayContaining([1, 2, 4, 6, 8, 16, 32]));
    expect(lanes('event-loop')).toEqual([...lanes('event-loop')].sort((a, b) => a - b));
    expect(lanes('workers')).toEqual(workerCounts(hc));
  });

  it.each([
    [1, [1]],
    [5, [1, 2, 4, 5]],
    [16, [1, 2, 4, 6, 8, 16]],
    [24, [1, 2, 4, 6, 8, 16, 24]],
    [200, [1, 2, 4, 6, 8, 16, 32]],
  ])('with %i requests the event loop never has more lanes than requests: %j', (requests, expected) => {
    const configs = apiCallsConfigurations({ requests, latencyMs: 10 }, 2, all);
    expect(configs.filter((c) => c.backend === 'event-loop').map((c) => c.workers)).toEqual(expected);
    for (const c of configs) expect(c.workers).toBeLessThanOrEqual(requests);
  });

  it('measures only the backends asked for', () => {
    const configs = apiCallsConfigurations({ requests: 16, latencyMs: 10 }, 4, ['serial', 'event-loop']);
    expect(new Set(configs.map((c) => c.backend))).toEqual(new Set(['serial', 'event-loop']));
  });
});

describe('the service-worker stand-in (public/latency-sw.js)', () => {
  type Listener = (event: unknown) => void;
  const listeners = new Map<string, Listener>();
  const imported: string[] = [];

  it('loads the query rules the server uses, from its scope', () => {
    expect(imported).toEqual(['https://lab.example/app/echo-query.js']);
  });
  beforeAll(async () => {
    const source = await readFile(resolve(import.meta.dirname, '../../public/latency-sw.js'), 'utf8');
    const rules = await readFile(resolve(import.meta.dirname, '../../public/echo-query.js'), 'utf8');
    const self = {
      location: new URL('https://lab.example/app/latency-sw.js'),
      registration: { scope: 'https://lab.example/app/' },
      addEventListener: (type: string, listener: Listener) => listeners.set(type, listener),
      skipWaiting: () => undefined,
      clients: { claim: () => Promise.resolve() },
    };
    const context = createContext({ self, URL, Response, TextEncoder, setTimeout, Promise, JSON, Object, Number, Math });
    // As a browser would: the service worker loads the shared query rules from the lab's base.
    imported.length = 0;
    (context as { importScripts?: (url: string) => void }).importScripts = (url: string) => {
      imported.push(url);
      runInContext(rules, context);
    };
    runInContext(source, context);
  });

  /** Dispatch a fetch event; the Response it answered with, or undefined when it let the request through. */
  async function dispatch(url: string, method = 'GET'): Promise<Response | undefined> {
    let answer: Promise<Response> | undefined;
    listeners.get('fetch')!({ request: new Request(url, { method }), respondWith: (p: Promise<Response>) => (answer = p) });
    return answer ? await answer : undefined;
  }

  it('answers the echo path exactly as the server would, after the delay', async () => {
    const t = token();
    const started = performance.now();
    const response = await dispatch(`https://lab.example/app/api/echo?token=${t}&delayMs=30`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(response!.status).toBe(200);
    expect(response!.headers.get(ENDPOINT_HEADER)).toBe('service-worker');
    expect(response!.headers.get('cross-origin-resource-policy')).toBe(ECHO_HEADERS['Cross-Origin-Resource-Policy']);
    expect(await response!.text()).toBe(echo(`token=${t}&delayMs=30`).body);
  });

  it.each([
    `token=abc&delayMs=1`,
    `token=${'a'.repeat(16)}&delayMs=${MAX_DELAY_MS + 1}`,
    `token=${'a'.repeat(16)}&delayMs=-5`,
    `token=${'a'.repeat(16)}&delayMs=`,
    `token=${'a'.repeat(16)}&delayMs=%201`,
    `token=${'a'.repeat(16)}&delayMs=1e3`,
    `token=&delayMs=1`,
  ])('refuses %s with 400 and the same message as the server', async (query) => {
    const response = await dispatch(`https://lab.example/app/api/echo?${query}`);
    expect(response!.status).toBe(400);
    expect(echo(query).status).toBe(400);
    expect(await response!.text()).toBe(echo(query).body);
  });

  it('the shared rules hold the protocol\'s limits', () => {
    expect(echoQueryRules.MAX_DELAY_MS).toBe(MAX_DELAY_MS);
    expect(echoQueryRules.TOKEN_PATTERN.source).toBe(TOKEN_PATTERN.source);
  });

  it.each([
    'https://lab.example/app/index.html',
    'https://lab.example/api/echo?token=deadbeef',
    'https://other.example/app/api/echo?token=deadbeef',
    'https://lab.example/app/api/echo?token=deadbeef&sw=bypass',
  ])('lets %s through to the network', async (url) => {
    expect(await dispatch(url)).toBeUndefined();
  });
});

describe('event-loop concurrency cap', () => {
  /** A measured result whose median is `ms`, with a ±3% interval; fresh random medians each run. */
  const measured = (backend: BackendId, workers: number, ms: number, mode = 'server'): MeasuredResult => ({
    backend,
    available: true,
    workers,
    samplesMs: [ms * 0.98, ms, ms * 1.02],
    warmupMs: [],
    medianMs: ms,
    ci95Ms: [ms * 0.97, ms * 1.03],
    ciCoverage: 0.97,
    verified: true,
    mode,
    timeline: [],
  });
  /** Times of `requests` requests of `roundMs` each, `lanes` in flight but at most `cap` connections. */
  const sweep = (requests: number, roundMs: number, cap: number, mode?: string) => [
    measured('serial', 1, requests * roundMs, mode),
    ...[1, 2, 4, 6, 8, 12].map((lanes) => measured('event-loop', lanes, Math.ceil(requests / Math.min(lanes, cap)) * roundMs, mode)),
  ];

  it('finds where the curve stops rising at the per-host connection limit and notes the queued requests', () => {
    const roundMs = 20 + Math.random() * 30;
    const results = sweep(12, roundMs, HTTP1_CONNECTIONS_PER_HOST);
    const figures = summarizeApiCalls(results);
    expect(figures.eventLoopSaturatesAt).toBe(6);
    expect(figures['eventLoopSpeedup.8']).toBeCloseTo(6, 2);
    expect(figures.connectionsPerHost).toBe(6);
    const at12 = results.find((r) => r.backend === 'event-loop' && r.workers === 12)!;
    expect(at12.note).toMatch(/6 of these 12 requests queue/);
    expect(results.find((r) => r.backend === 'event-loop' && r.workers === 4)!.note).toBeUndefined();
  });

  it('a service worker has no connection cap: no queue notes, the curve rises to the last point', () => {
    const results = sweep(12, 10 + Math.random() * 10, 64, 'service-worker');
    const figures = summarizeApiCalls(results);
    expect(figures.eventLoopSaturatesAt).toBe(12);
    expect(figures.connectionsPerHost).toMatch(/not limited/);
    expect(results.some((r) => r.note !== undefined)).toBe(false);
  });

  it('says nothing without a serial reference', () => {
    expect(summarizeApiCalls(sweep(12, 10, 6).slice(1))).toEqual({});
  });
});
