/**
 * Where the api-calls experiment sends its requests: the lab's own server endpoint, its service-worker
 * stand-in on static hosts, or a URL the user chose. Page-side only (setup runs in the page).
 */
import { connectAllowed, connectSourcesOf, pagePolicy } from '../../env/page-policy.ts';
import { ECHO_PATH, ENDPOINT_HEADER, echoMismatch, echoUrl, makeToken, type EndpointKind } from './protocol.ts';

/** A URL the user chose instead of the lab's own endpoint, or undefined for the lab's own. Change it with setCustomEndpoint. */
export let customEndpoint: string | undefined;

/**
 * Point the experiment at your own URL (absolute http or https; it must allow this origin by CORS), or
 * back at the lab's own endpoint with undefined or ''. Throws a TypeError with a user-facing message for a bad URL.
 */
export function setCustomEndpoint(url: string | undefined): void {
  const text = url?.trim() ?? '';
  customEndpoint = text === '' ? undefined : checkCustomEndpoint(text);
}

/**
 * The endpoint as an absolute URL, or a TypeError saying why it cannot be used: not an http(s) URL, or (in a
 * page) on an origin the page's Content-Security-Policy does not let it connect to (its own origin only,
 * unless the lab was built to allow more), where the browser would block every request.
 */
export function checkCustomEndpoint(text: string, policy = pagePolicy(), pageOrigin = globalThis.location?.origin): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new TypeError(`"${text}" is not an absolute URL: write it in full, e.g. https://example.com/api.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`"${text}" is not an http or https URL.`);
  }
  const sources = policy === undefined ? undefined : connectSourcesOf(policy);
  if (sources && pageOrigin && !connectAllowed(sources, parsed, pageOrigin)) {
    throw new TypeError(
      `${parsed.origin} is not an origin this page may send requests to: the lab's Content-Security-Policy allows ` +
        `${sources.map((s) => (s === "'self'" ? pageOrigin : s)).join(' and ')} only (connect-src), so the browser would block them.`,
    );
  }
  return parsed.href;
}

/** The endpoint a run uses: an absolute URL (workers resolve nothing against the page) and who answers it. */
export interface ResolvedEndpoint {
  url: string;
  kind: EndpointKind;
  /** The network protocol the probe went over (http/1.1, h2...), when the browser says. */
  protocol?: string;
}

/** Query parameter that tells public/latency-sw.js to let a request through to the network. */
export const BYPASS_PARAM = 'sw';

/** The lab's one service worker: the echo stand-in (latency-sw.js) and the isolation headers, see public/lab-sw.js. */
const SW_SCRIPT = 'lab-sw.js';
const CONTROL_TIMEOUT_MS = 10_000;

let cached: { key: string; endpoint: Promise<ResolvedEndpoint> } | undefined;

/** Find the endpoint, once per page and custom URL; a failure is not remembered, so the next run probes again. */
export function resolveEndpoint(): Promise<ResolvedEndpoint> {
  const key = customEndpoint ?? '';
  if (cached?.key === key) return cached.endpoint;
  const endpoint = customEndpoint ? probeCustom(customEndpoint) : probeOwn();
  cached = { key, endpoint };
  endpoint.catch(() => {
    if (cached?.endpoint === endpoint) cached = undefined;
  });
  return endpoint;
}

/** A line for results and the UI: who answered, and what that means for concurrency. */
export function describeEndpoint(endpoint: ResolvedEndpoint): string {
  const over = endpoint.protocol ? ` over ${endpoint.protocol}` : '';
  switch (endpoint.kind) {
    case 'server':
      return (
        `Answered by the lab's own server${over}, after a setTimeout per request. Over HTTP/1.1 a browser opens ` +
        'at most 6 connections per host, so past 6 concurrent requests the rest queue.'
      );
    case 'service-worker':
      return (
        "Answered by the lab's service worker (this host has no server endpoint): no network and no per-host " +
        'connection limit, so concurrency keeps paying past 6 requests.'
      );
    case 'custom':
      return `Answered by ${endpoint.url}${over}: its latency is its own (latencyMs is only honoured by the lab's endpoint).`;
  }
}

interface ProbeOutcome {
  answeredBy?: string;
  problem?: string;
}

/** One echo request with no delay; never throws, says what went wrong instead. */
async function probe(endpoint: string): Promise<ProbeOutcome> {
  const token = makeToken(Math.random);
  let response: Response;
  try {
    response = await fetch(echoUrl(endpoint, token, 0), { cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    return { problem: `the request failed (${error instanceof Error ? error.message : String(error)})` };
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) return { problem: `HTTP ${response.status} ${response.statusText}`.trim() };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { problem: 'the answer was not JSON' };
  }
  const mismatch = echoMismatch(body, token, 0);
  const answeredBy = response.headers.get(ENDPOINT_HEADER) ?? undefined;
  return mismatch ? { problem: `the answer was not an echo: ${mismatch}` } : { ...(answeredBy ? { answeredBy } : {}) };
}

function protocolOf(url: string): string | undefined {
  const entries = globalThis.performance?.getEntriesByType?.('resource') as PerformanceResourceTiming[] | undefined;
  const entry = entries?.findLast((e) => e.name.startsWith(url));
  return entry?.nextHopProtocol || undefined;
}

async function probeCustom(url: string): Promise<ResolvedEndpoint> {
  const token = makeToken(Math.random);
  let response: Response;
  try {
    response = await fetch(echoUrl(url, token, 0), { cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    throw new Error(
      `The custom endpoint ${url} could not be reached (${error instanceof Error ? error.message : String(error)}). ` +
        `It must be up and allow requests from ${globalThis.location?.origin ?? 'this page'} (CORS: Access-Control-Allow-Origin).`,
    );
  }
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`The custom endpoint ${url} answered HTTP ${response.status} ${response.statusText}`.trim() + '.');
  const protocol = protocolOf(url);
  return { url, kind: 'custom', ...(protocol ? { protocol } : {}) };
}

/** The lab's server if it answers; otherwise register the service worker and use that. */
async function probeOwn(): Promise<ResolvedEndpoint> {
  const base = new URL(import.meta.env.BASE_URL, globalThis.location.href);
  // Asked to bypass the service worker, so a worker left from a static-host visit cannot hide a live server.
  const direct = new URL(ECHO_PATH, base);
  direct.searchParams.set(BYPASS_PARAM, 'bypass');
  const server = await probe(direct.href);
  if (server.answeredBy === 'server') {
    const protocol = protocolOf(direct.href);
    return { url: direct.href, kind: 'server', ...(protocol ? { protocol } : {}) };
  }
  const viaWorker = new URL(ECHO_PATH, base).href;
  await ensureServiceWorker(base, server.problem ?? `it was answered by "${server.answeredBy ?? 'something else'}"`);
  const worker = await probe(viaWorker);
  if (worker.answeredBy === 'service-worker') return { url: viaWorker, kind: 'service-worker' };
  throw new Error(
    `The latency service worker controls the page but did not answer ${viaWorker}: ${worker.problem ?? `answered by "${worker.answeredBy ?? 'unknown'}"`}.`,
  );
}

/** Register the lab's service worker (public/lab-sw.js) and wait until it controls the page, or throw saying why it cannot. */
async function ensureServiceWorker(base: URL, serverProblem: string): Promise<void> {
  const noServer = `This host has no api-calls endpoint (${base.pathname}${ECHO_PATH}: ${serverProblem}; the lab's own server, \`npm start\` or \`npm run dev\`, provides it)`;
  const container = globalThis.navigator?.serviceWorker;
  if (!container) {
    throw new Error(
      `${noServer}, and service workers, its stand-in on static hosts, are not available here ` +
        '(a private window, or a page not served over HTTPS or from localhost).',
    );
  }
  const script = new URL(SW_SCRIPT, base).href;
  const controller = container.controller;
  if (controller && controller.scriptURL !== script) {
    // Registering over it would replace another service worker (cross-origin isolation, say) on the same scope.
    throw new Error(
      `${noServer}, and another service worker (${controller.scriptURL}) controls this page. It can answer the ` +
        "endpoint too with importScripts('latency-sw.js').",
    );
  }
  try {
    await container.register(script, { scope: base.pathname });
  } catch (error) {
    throw new Error(`${noServer}, and its service-worker stand-in could not be registered: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (container.controller) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      container.removeEventListener('controllerchange', onChange);
      reject(
        new Error(
          `${noServer}. Its service-worker stand-in registered but did not take control of the page within ` +
            `${CONTROL_TIMEOUT_MS / 1000} s: reload the page (a hard reload bypasses service workers).`,
        ),
      );
    }, CONTROL_TIMEOUT_MS);
    const onChange = () => {
      clearTimeout(timer);
      resolve();
    };
    container.addEventListener('controllerchange', onChange, { once: true });
  });
}
