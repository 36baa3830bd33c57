/*
 * Parallel Lab's service worker, one for its scope, with two jobs:
 * 1. Cross-origin isolation on hosts that set no headers (GitHub Pages and most static hosts): the lab's own
 *    responses get Cross-Origin-Opener-Policy, Cross-Origin-Embedder-Policy and Cross-Origin-Resource-Policy
 *    added where the server sent none, so after one reload the page is crossOriginIsolated and has
 *    SharedArrayBuffer (src/app/isolation.ts registers this worker and reloads once, with a guard).
 * 2. The api-calls experiment's echo endpoint, from latency-sw.js, for hosts without the lab's server.
 * Requests to other origins are never touched. Plain JS, served as is.
 */
/* eslint-env serviceworker */
'use strict';

// First, so that its fetch listener answers the echo path before the header rewrite below sees it.
importScripts('latency-sw.js');

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

/** The response with the isolation headers the server did not send, and a marker that this worker added them. */
function withIsolation(response) {
  // Opaque and error responses cannot be rebuilt; redirects are followed by the browser itself.
  if (response.status === 0 || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  let added = false;
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) {
    if (!headers.has(name)) {
      headers.set(name, value);
      added = true;
    }
  }
  if (!added) return response;
  headers.set('X-Parallel-Lab-Isolation', 'service-worker');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The echo path is latency-sw.js's (it has answered already, or asked for the network on purpose).
  if (url.pathname === echoPathname()) return;
  // A request the browser may only answer from its cache must not go to the network.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(fetch(request).then(withIsolation));
});
