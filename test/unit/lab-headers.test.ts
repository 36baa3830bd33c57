/**
 * Every answer of `vite preview` and the dev server carries the isolation headers and the
 * Content-Security-Policy, a 304 to a revalidation included (WebKit refuses a revalidated worker script under
 * require-corp when the 304 lacks them); the build writes the same policy into index.html and into the
 * service worker's lab-headers.js, and the service worker (public/lab-sw.js) adds exactly those headers on a
 * host that sends none.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import { labPolicyDirectives, metaPolicy, serializePolicy } from '../../build/content-security-policy.ts';
import { isolationHeaders, LAB_HEADERS_SCRIPT, labHeaders, labHeadersScript, POLICY_HEADER } from '../../build/lab-headers-plugin.ts';

const HEADER_POLICY = serializePolicy(labPolicyDirectives());
const META_POLICY = serializePolicy(metaPolicy(labPolicyDirectives()));
const PAGE = '<!doctype html><html><head><title>t</title></head><body></body></html>';

let root: string;
const servers: Array<PreviewServer | ViteDevServer> = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parallel-lab-headers-'));
  await mkdir(join(root, 'dist'));
  for (const dir of [root, join(root, 'dist')]) {
    await writeFile(join(dir, 'index.html'), PAGE);
    await writeFile(join(dir, 'task.worker.js'), 'postMessage(1);');
    await mkdir(join(dir, 'bare'));
    await writeFile(join(dir, 'bare', 'page.html'), '<!doctype html><script type="module">1</script>');
  }
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(root, { recursive: true, force: true });
});

async function start(kind: 'preview' | 'dev'): Promise<string> {
  const common = { root, configFile: false as const, logLevel: 'silent' as const, plugins: [labHeaders()] };
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

function expectLabHeaders(response: Response): void {
  for (const [name, value] of Object.entries(isolationHeaders)) expect(response.headers.get(name), name).toBe(value);
  expect(response.headers.get(POLICY_HEADER)).toBe(HEADER_POLICY);
}

describe.each(['preview', 'dev'] as const)('vite %s with labHeaders()', (kind) => {
  let origin: string;
  beforeAll(async () => {
    origin = await start(kind);
  });

  it.each(['/task.worker.js', '/'])('sends the headers on the 200 and on the 304 for %s', async (path) => {
    const first = await fetch(`${origin}${path}`);
    expect(first.status).toBe(200);
    expectLabHeaders(first);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(`${origin}${path}`, { headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
    expectLabHeaders(again);
  });

  it('sends no policy for the bare reference page, whose one script is inline, but isolates it', async () => {
    const response = await fetch(`${origin}/bare/page.html`);
    expect(response.status).toBe(200);
    expect(response.headers.get(POLICY_HEADER)).toBeNull();
    expect(response.headers.get('Cross-Origin-Embedder-Policy')).toBe(isolationHeaders['Cross-Origin-Embedder-Policy']);
  });

  if (kind === 'dev') {
    it('puts the policy first in index.html and serves the service worker its copy of the headers', async () => {
      const html = await (await fetch(`${origin}/`)).text();
      expect(html).toMatch(/<head>\s*<meta http-equiv="Content-Security-Policy" content="([^"]+)"/);
      expect(decodeContent(html)).toBe(META_POLICY);
      expect(await (await fetch(`${origin}/${LAB_HEADERS_SCRIPT}`)).text()).toBe(labHeadersScript());
    });
  }
});

/** The meta tag's policy, with the entities the HTML writer put in undone. */
function decodeContent(html: string): string | undefined {
  return html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1]?.replaceAll('&#39;', "'");
}

describe('the build', () => {
  it('writes the meta policy (no frame-ancestors: a meta tag cannot carry it) and lab-headers.js into the output', async () => {
    const outDir = join(root, 'built');
    await build({ root, configFile: false, logLevel: 'silent', plugins: [labHeaders()], build: { outDir, emptyOutDir: true } });
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    expect(decodeContent(html)).toBe(META_POLICY);
    expect(META_POLICY).not.toContain('frame-ancestors');
    expect(await readFile(join(outDir, LAB_HEADERS_SCRIPT), 'utf8')).toBe(labHeadersScript());
  });
});

describe('the service worker (public/lab-sw.js) on a host that sends no headers', () => {
  type Listener = (event: unknown) => void;
  const listeners = new Map<string, Listener>();
  const imported: string[] = [];

  beforeAll(async () => {
    const read = (name: string) => readFile(resolve(import.meta.dirname, '../../public', name), 'utf8');
    const scripts: Record<string, string> = {
      'latency-sw.js': await read('latency-sw.js'),
      'echo-query.js': await read('echo-query.js'),
      [LAB_HEADERS_SCRIPT]: labHeadersScript(),
    };
    const self = {
      location: new URL('https://lab.example/app/lab-sw.js'),
      registration: { scope: 'https://lab.example/app/' },
      addEventListener: (type: string, listener: Listener) => listeners.set(type, listener),
      skipWaiting: () => undefined,
      clients: { claim: () => Promise.resolve() },
    };
    // The network: every request answered 200 with no headers at all, as a bare static host would.
    const fetch = () => Promise.resolve(new Response('file', { status: 200 }));
    const context = createContext({ self, URL, Headers, Response, TextEncoder, setTimeout, Promise, JSON, Object, Number, Math, fetch });
    (context as { importScripts?: (url: string) => void }).importScripts = (url: string) => {
      imported.push(url);
      runInContext(scripts[new URL(url, self.location).pathname.split('/').pop()!]!, context);
    };
    runInContext(await read('lab-sw.js'), context);
  });

  async function dispatch(url: string): Promise<Response | undefined> {
    let answer: Promise<Response> | undefined;
    listeners.get('fetch')!({ request: new Request(url), respondWith: (p: Promise<Response>) => (answer = p) });
    return answer ? await answer : undefined;
  }

  it('loads the generated headers from its scope', () => {
    expect(imported).toContain(`https://lab.example/app/${LAB_HEADERS_SCRIPT}`);
  });

  it.each(['https://lab.example/app/', 'https://lab.example/app/assets/task.worker.js'])('adds the servers\' very headers to %s', async (url) => {
    const response = await dispatch(url);
    expectLabHeaders(response!);
    expect(response!.headers.get('X-Parallel-Lab-Isolation')).toBe('service-worker');
  });

  it('adds no policy to the bare reference page, and leaves other origins alone', async () => {
    const bare = await dispatch('https://lab.example/app/bare/array-add.html');
    expect(bare!.headers.get(POLICY_HEADER)).toBeNull();
    expect(bare!.headers.get('Cross-Origin-Opener-Policy')).toBe(isolationHeaders['Cross-Origin-Opener-Policy']);
    expect(await dispatch('https://other.example/app/')).toBeUndefined();
  });
});
