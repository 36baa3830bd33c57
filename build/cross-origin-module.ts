/**
 * A module that pages on other origins import from the lab (the embed client, the results element): made by a
 * function of the build, emitted into dist/, made on request by the dev server, and sent with
 * `Access-Control-Allow-Origin: *` under its folder by both servers. One plugin shape for each such module.
 */
import type { Connect, Plugin } from 'vite';

/** What a cross-origin module is: where it is served, and how its JavaScript is made. */
export interface CrossOriginModule {
  /** The plugin's name, for Vite's messages. */
  name: string;
  /** Its path on the lab's origin, e.g. '/embed/client.js'; everything under its folder is opened to CORS. */
  path: string;
  /** Its JavaScript: one standalone module. */
  make(): Promise<string>;
}

/** Middleware that sends `Access-Control-Allow-Origin: *` for requests under `prefix` (e.g. '/embed/'). */
function corsOpenUnder(prefix: string): Connect.NextHandleFunction {
  return (req, res, next) => {
    if (req.url?.startsWith(prefix)) res.setHeader('Access-Control-Allow-Origin', '*');
    next();
  };
}

/** Vite plugin: emits the module into the build, serves it in dev, and opens its folder to CORS. */
export function crossOriginModule({ name, path, make }: CrossOriginModule): Plugin {
  const corsOpen = corsOpenUnder(path.slice(0, path.lastIndexOf('/') + 1));
  return {
    name,
    configureServer(server) {
      server.middlewares.use(corsOpen);
      server.middlewares.use(path, (_req, res, next) => {
        make().then((code) => {
          res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
          res.end(code);
        }, next);
      });
    },
    configurePreviewServer(server) {
      server.middlewares.use(corsOpen);
    },
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: path.slice(1), source: await make() });
    },
  };
}
