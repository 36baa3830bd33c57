/**
 * Serves the lab on loopback with the isolation headers: the production build for the runner and the tests,
 * or the source through Vite's dev server for pages that import source modules themselves.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer, preview } from 'vite';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Start `vite preview` over dist/ on 127.0.0.1; port 0 picks a free one. */
export async function servePreview(port = 0): Promise<RunningServer> {
  const root = resolve(import.meta.dirname, '../..');
  if (!existsSync(resolve(root, 'dist/index.html'))) {
    throw new Error('No production build in dist/: run `npm run build` first (npm run bench does it for you).');
  }
  const server = await preview({
    root,
    configFile: resolve(root, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port, strictPort: port !== 0, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('The preview server has no TCP address.');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => server.close(),
  };
}

/**
 * Start Vite's dev server on 127.0.0.1 (port 0 picks a free one): a page opened on it can `import()` any
 * module under src/ by its path, which the kernel bench and the kernel browser tests use to run the GPU
 * kernels without the lab's engine.
 */
export async function serveSource(port = 0): Promise<RunningServer> {
  const root = resolve(import.meta.dirname, '../..');
  const server = await createServer({
    root,
    configFile: resolve(root, 'vite.config.ts'),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port, strictPort: port !== 0, open: false, hmr: false, watch: null },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('The dev server has no TCP address.');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => server.close(),
  };
}
