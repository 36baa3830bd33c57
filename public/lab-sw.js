/*
 * Parallel Lab's service worker, one for its scope, with two jobs:
 * 1. The lab's headers on hosts that set none (GitHub Pages and most static hosts): the lab's own responses
 *    get Cross-Origin-Opener-Policy, Cross-Origin-Embedder-Policy and Cross-Origin-Resource-Policy added
 *    where the server sent none, so after one reload the page is crossOriginIsolated and has
 *    SharedArrayBuffer (src/app/isolation.ts registers this worker and reloads once, with a guard), and the
 *    Content-Security-Policy, which then also governs the lab's workers (index.html's meta tag covers the
 *    page only). The values come from lab-headers.js, which the build generates from the servers' own.
 * 2. The api-calls experiment's echo endpoint, from latency-sw.js, for hosts without the lab's server.
 * Requests to other origins are never touched. Plain JS, served as is.
 */
/* eslint-env serviceworker */
'use strict';

// First, so that its fetch listener answers the echo path before the header rewrite below sees it.
importScripts('latency-sw.js');
// Defines self.parallelLabHeaders: { isolation, contentSecurityPolicy, policyExemptPaths }.
importScripts(new URL('lab-headers.js', self.registration ? self.registration.scope : self.location.href).href);

const LAB_HEADERS = self.parallelLabHeaders;
const POLICY_HEADER = 'Content-Security-Policy';

/** Whether a path of this scope gets no policy (the bare reference page: one inline script by design). */
function isPolicyExempt(pathname) {
  const scope = new URL(self.registration ? self.registration.scope : self.location.href).pathname;
  return LAB_HEADERS.policyExemptPaths.some((path) => pathname.startsWith(scope + path));
}

/**
 * The response with the lab's headers the server did not send, and a marker when this worker added the
 * isolation headers (the device panel says where isolation came from).
 */
function withLabHeaders(response, pathname) {
  // Opaque and error responses cannot be rebuilt; redirects are followed by the browser itself.
  if (response.status === 0 || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  let isolationAdded = false;
  for (const [name, value] of Object.entries(LAB_HEADERS.isolation)) {
    if (!headers.has(name)) {
      headers.set(name, value);
      isolationAdded = true;
    }
  }
  const policyAdded = !headers.has(POLICY_HEADER) && !isPolicyExempt(pathname);
  if (policyAdded) headers.set(POLICY_HEADER, LAB_HEADERS.contentSecurityPolicy);
  if (!isolationAdded && !policyAdded) return response;
  if (isolationAdded) headers.set('X-Parallel-Lab-Isolation', 'service-worker');
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
  event.respondWith(fetch(request).then((response) => withLabHeaders(response, url.pathname)));
});
