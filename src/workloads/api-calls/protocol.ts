/**
 * The echo protocol shared by the lab's server endpoint (src/cli/latency-endpoint.ts), its service-worker
 * stand-in (public/latency-sw.js, which repeats these rules in plain JS) and the page and workers that call it.
 * GET <base>api/echo?token=<hex>&delayMs=<ms> answers, after delayMs, {"token","delayMs","checksum"}.
 */
import { fnv1a32Text, hex32 } from '../shared/checksum.ts';

/** The endpoint's path under the app's base URL. */
export const ECHO_PATH = 'api/echo';

/** Response header naming who answered: `server` or `service-worker`. */
export const ENDPOINT_HEADER = 'X-Parallel-Lab-Endpoint';

/** Who answered a request: the lab's own server, its service worker, or a URL the user chose. */
export type EndpointKind = 'server' | 'service-worker' | 'custom';

/** Longest delay the endpoint accepts; longer requests are refused with 400 so a typo cannot hold sockets open. */
export const MAX_DELAY_MS = 10_000;

/** Tokens are lower-case hex, bounded so a request line stays small. */
export const TOKEN_PATTERN = /^[0-9a-f]{8,64}$/;

/** What the endpoint answers. */
export interface EchoBody {
  token: string;
  delayMs: number;
  checksum: number;
}

/** The checksum the endpoint computes over what it was asked, so an answer proves the request was read whole. */
export function echoChecksum(token: string, delayMs: number): number {
  return fnv1a32Text(`${token}:${delayMs}`);
}

/** A fresh random token of `hexDigits` hex digits. */
export function makeToken(random: () => number, hexDigits = 32): string {
  let token = '';
  while (token.length < hexDigits) token += Math.floor(random() * 0x10000).toString(16).padStart(4, '0');
  return token.slice(0, hexDigits);
}

/** Why `body` is not the echo of (token, delayMs), or undefined when it is. */
export function echoMismatch(body: unknown, token: string, delayMs: number): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the answer is not a JSON object';
  const echo = body as Partial<EchoBody>;
  if (echo.token !== token) return `token ${String(echo.token)} came back for ${token}`;
  if (echo.delayMs !== delayMs) return `delayMs ${String(echo.delayMs)} came back for ${delayMs}`;
  const expected = echoChecksum(token, delayMs);
  if (echo.checksum !== expected) {
    return `checksum ${typeof echo.checksum === 'number' ? hex32(echo.checksum) : String(echo.checksum)}, expected ${hex32(expected)}`;
  }
  return undefined;
}

/** The request URL for one token: `endpoint` with token and delayMs set in its query. */
export function echoUrl(endpoint: string, token: string, delayMs: number): string {
  const url = new URL(endpoint);
  url.searchParams.set('token', token);
  url.searchParams.set('delayMs', String(delayMs));
  return url.href;
}
