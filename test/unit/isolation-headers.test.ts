/**
 * Every answer of `vite preview` and the dev server carries the isolation headers, a 304 to a revalidation
 * included: WebKit refuses a revalidated worker script under require-corp when the 304 lacks them.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import { crossOriginIsolation, isolationHeaders } from '../../build/isolation-headers-plugin.ts';

let root: string;
const servers: Array<PreviewServer | ViteDevServer> = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parallel-lab-headers-'));
  await mkdir(join(root, 'dist'));
  for (const dir of [root, join(root, 'dist')]) {
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(dir, 'task.worker.js'), 'postMessage(1);');
  }
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(root, { recursive: true, force: true });
});

async function start(kind: 'preview' | 'dev'): Promise<string> {
  const common = { root, configFile: false as const, logLevel: 'silent' as const, plugins: [crossOriginIsolation()] };
  const server =
    kind === 'preview'
      ? await preview({ ...common, preview: { host: '127.0.0.1', port: 0 } })
      : await createServer({ ...common, server: { host: '127.0.0.1', port: 0, hmr: false, watch: null } });
  servers.push(server);
  if (kind === 'dev') await (server as ViteDevServer).listen();
  const address = server.httpServer!.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

function expectIsolated(response: Response): void {
  for (const [name, value] of Object.entries(isolationHeaders)) expect(response.headers.get(name), name).toBe(value);
}

describe.each(['preview', 'dev'] as const)('vite %s with crossOriginIsolation()', (kind) => {
  it.each(['/task.worker.js', '/'])('sends the headers on the 200 and on the 304 for %s', async (path) => {
    const url = `${await start(kind)}${path}`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expectIsolated(first);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(url, { headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
    expectIsolated(again);
  });
});
