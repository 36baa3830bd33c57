/**
 * The echo endpoint's query parser, typed for the server: the code is public/echo-query.js, which the
 * service worker loads as it is, so both answerers read a request the same way.
 */
import '../../public/echo-query.js';

/** A request's token and delay, or why it is refused (answered with 400). */
export type EchoQuery = { ok: true; token: string; delayMs: number } | { ok: false; message: string };

interface EchoQueryRules {
  MAX_DELAY_MS: number;
  TOKEN_PATTERN: RegExp;
  parseEchoQuery(params: URLSearchParams): EchoQuery;
}

declare global {
  var parallelLabEchoQuery: EchoQueryRules;
}

/** The shared rules (see public/echo-query.js). */
export const echoQueryRules: EchoQueryRules = globalThis.parallelLabEchoQuery;

/** Read an echo request's query: the one parser the server and the service worker share. */
export function parseEchoQuery(params: URLSearchParams): EchoQuery {
  return echoQueryRules.parseEchoQuery(params);
}
