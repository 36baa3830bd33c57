/*
 * Parallel Lab: a stand-in for the api-calls experiment's server endpoint on static hosts.
 * Answers GET <scope>api/echo?token=..&delayMs=.. after delayMs, exactly as src/cli/latency-endpoint.ts does:
 * both read the query with public/echo-query.js, loaded here from the registration's scope (the lab's base).
 * Only the echo path is answered; every other request goes to the network untouched. Another service worker
 * can take this handler over with importScripts('latency-sw.js'): it only calls respondWith for the echo path.
 */
/* eslint-env serviceworker */
'use strict';

const ECHO_PATH = 'api/echo';
importScripts(new URL('echo-query.js', self.registration ? self.registration.scope : self.location.href).href);
const HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'X-Parallel-Lab-Endpoint': 'service-worker',
};

/** FNV-1a (32-bit) over a string's UTF-8 bytes, unsigned: the same checksum as src/workloads/io-heavy/checksum.ts. */
function fnv1a32Text(text) {
  const bytes = new TextEncoder().encode(text);
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

function json(status, body, extra) {
  return new Response(JSON.stringify(body), { status, headers: Object.assign({}, HEADERS, extra || {}) });
}

/** The answer to one echo request: 200 after the delay, or an immediate 400/405 saying what is wrong. */
function answerEcho(request) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return Promise.resolve(json(405, { error: request.method + ' is not allowed: use GET.' }, { Allow: 'GET, HEAD' }));
  }
  const query = self.parallelLabEchoQuery.parseEchoQuery(new URL(request.url).searchParams);
  if (!query.ok) return Promise.resolve(json(400, { error: query.message }));
  const token = query.token;
  const delayMs = query.delayMs;
  const body = { token: token, delayMs: delayMs, checksum: fnv1a32Text(token + ':' + delayMs) };
  return new Promise((resolve) => setTimeout(() => resolve(json(200, body)), delayMs));
}

function echoPathname() {
  return new URL(ECHO_PATH, self.registration ? self.registration.scope : self.location.href).pathname;
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || url.pathname !== echoPathname()) return;
  // The page asks for the network when it looks for the lab's server, so a stale worker cannot hide it.
  if (url.searchParams.get('sw') === 'bypass') return;
  event.respondWith(answerEcho(event.request));
});
