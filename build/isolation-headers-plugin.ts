/**
 * Vite plugin: the cross-origin isolation headers on every response of the dev server and `vite preview`,
 * 304 Not Modified included. Vite's own `server.headers`/`preview.headers` reach full responses only: its
 * static file server answers a revalidation with a bare 304, and WebKit then refuses the cached worker
 * script under the page's `Cross-Origin-Embedder-Policy: require-corp` (an error event, no ready worker).
 * Every worker the page starts after the first load of its script is such a revalidation.
 */
import type { Connect, Plugin } from 'vite';

/**
 * Cross-origin isolation: without it there is no SharedArrayBuffer and timers are coarse. Resources are
 * `cross-origin` so that a tutorial page that is itself isolated (COOP + COEP) may frame the lab.
 */
export const isolationHeaders: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

/** Set the headers before any other middleware runs, so whatever answers (200, 304, 404) carries them. */
export const setIsolationHeaders: Connect.NextHandleFunction = (_req, res, next) => {
  for (const [name, value] of Object.entries(isolationHeaders)) res.setHeader(name, value);
  next();
};

/** Register in vite.config.ts `plugins`. */
export function crossOriginIsolation(): Plugin {
  return {
    name: 'parallel-lab:cross-origin-isolation',
    // Not the returned post-hook: a function called here adds its middleware ahead of Vite's own.
    configureServer(server) {
      server.middlewares.use(setIsolationHeaders);
    },
    configurePreviewServer(server) {
      server.middlewares.use(setIsolationHeaders);
    },
  };
}
