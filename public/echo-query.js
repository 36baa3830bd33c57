/*
 * Parallel Lab: the rules for reading an api/echo request's query (token and delayMs), in one place for both
 * answerers: the lab's own server (src/cli/latency-endpoint.ts imports this file) and its service-worker
 * stand-in (public/latency-sw.js loads it with importScripts). Plain script: no imports or exports, so that a
 * service worker can load it as it is; it defines self.parallelLabEchoQuery.
 */
(function (scope) {
  'use strict';

  var MAX_DELAY_MS = 10000;
  var TOKEN_PATTERN = /^[0-9a-f]{8,64}$/;

  /**
   * Read token and delayMs from a URLSearchParams: { ok: true, token, delayMs } or { ok: false, message }.
   * delayMs may be left out (0); given, it must be 1 to 6 digits, no sign, no spaces, at most MAX_DELAY_MS.
   */
  function parseEchoQuery(params) {
    var token = params.get('token');
    if (token === null || !TOKEN_PATTERN.test(token)) return { ok: false, message: 'token must be 8 to 64 lower-case hex digits.' };
    var delayText = params.get('delayMs');
    if (delayText === null) return { ok: true, token: token, delayMs: 0 };
    if (!/^\d{1,6}$/.test(delayText)) {
      return { ok: false, message: 'delayMs must be a whole number of milliseconds (got "' + delayText.slice(0, 20) + '").' };
    }
    var delayMs = Number(delayText);
    if (delayMs > MAX_DELAY_MS) return { ok: false, message: 'delayMs must be at most ' + MAX_DELAY_MS + ' (got ' + delayMs + ').' };
    return { ok: true, token: token, delayMs: delayMs };
  }

  scope.parallelLabEchoQuery = { MAX_DELAY_MS: MAX_DELAY_MS, TOKEN_PATTERN: TOKEN_PATTERN, parseEchoQuery: parseEchoQuery };
})(typeof self !== 'undefined' ? self : globalThis);
