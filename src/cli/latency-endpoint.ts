/**
 * The api-calls experiment's endpoint on the lab's own server: GET <base>api/echo?token=..&delayMs=..
 * answers after delayMs with the token and a checksum. A Vite plugin, so `npm run dev`, `npm start` and the
 * bench runner's preview server all have it; static hosts get public/latency-sw.js instead.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';
import { ECHO_PATH, ENDPOINT_HEADER, echoChecksum, type EchoBody } from '../workloads/api-calls/protocol.ts';
import { parseEchoQuery } from './echo-query.ts';

/** What to answer to one request, and after how long: the pure part of the endpoint, unit-tested. */
export interface EchoReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  delayMs: number;
}

/**
 * Sent with every answer, errors included. The page is cross-origin isolated (COEP require-corp): a
 * same-origin response passes anyway, CORP says so explicitly; no-store keeps caches from answering instead.
 */
export const ECHO_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  [ENDPOINT_HEADER]: 'server',
};

function refuse(status: number, message: string, extra: Record<string, string> = {}): EchoReply {
  return { status, headers: { ...ECHO_HEADERS, ...extra }, body: JSON.stringify({ error: message }), delayMs: 0 };
}

/** The answer to `method url`: 200 with the echo after delayMs, or an immediate 400/405 saying what is wrong. */
export function echoReply(method: string, url: URL): EchoReply {
  if (method !== 'GET' && method !== 'HEAD') {
    return refuse(405, `${method} is not allowed: use GET.`, { Allow: 'GET, HEAD' });
  }
  const query = parseEchoQuery(url.searchParams);
  if (!query.ok) return refuse(400, query.message);
  const { token, delayMs } = query;
  const body: EchoBody = { token, delayMs, checksum: echoChecksum(token, delayMs) };
  return { status: 200, headers: { ...ECHO_HEADERS }, body: JSON.stringify(body), delayMs };
}

/** The path the endpoint answers on under `base` (Vite's base: "/", "/lab/", or "./" for relative builds). */
export function echoPathname(base: string): string {
  const path = new URL(base, 'http://localhost/').pathname;
  return `${path.endsWith('/') ? path : `${path}/`}${ECHO_PATH}`;
}

type NextFunction = (error?: unknown) => void;

/** Connect middleware answering the echo path and passing everything else on. One timer per request, cleared if the client goes. */
export function echoMiddleware(base = '/'): (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void {
  const pathname = echoPathname(base);
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== pathname) {
      next();
      return;
    }
    const reply = echoReply(req.method ?? 'GET', url);
    const send = () => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(Buffer.byteLength(reply.body)) });
      res.end(req.method === 'HEAD' ? undefined : reply.body);
    };
    if (reply.delayMs === 0) {
      send();
      return;
    }
    const timer = setTimeout(send, reply.delayMs);
    res.once('close', () => clearTimeout(timer));
  };
}

/** The Vite plugin: the echo endpoint in the dev server and in `vite preview` (which the bench runner uses). */
export function latencyEndpoint(): Plugin {
  let base = '/';
  return {
    name: 'parallel-lab-latency-endpoint',
    configResolved(config) {
      base = config.base;
    },
    configureServer(server) {
      server.middlewares.use(echoMiddleware(base));
    },
    configurePreviewServer(server) {
      server.middlewares.use(echoMiddleware(base));
    },
  };
}
