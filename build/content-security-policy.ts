/**
 * The lab's Content-Security-Policy, in one place: the dev and preview servers send it as a header
 * (build/lab-headers-plugin.ts), the build writes it into index.html as a meta tag for static hosts, and the
 * lab's service worker adds it to the responses of hosts that send none (public/lab-sw.js loads it from the
 * generated lab-headers.js). Why each source is there is said beside it; the README sums it up.
 */

/** The one setting a deployment has: origins the api-calls experiment may reach besides the lab's own. */
export const CONNECT_ORIGINS_VARIABLE = 'PARALLEL_LAB_CONNECT_SRC';

/** A policy as directive name → source expressions, in the order they are written out. */
export type PolicyDirectives = ReadonlyArray<readonly [directive: string, sources: readonly string[]]>;

/** Choices a deployment may make; every one has a default that keeps the lab on its own origin. */
export interface PolicyOptions {
  /**
   * Origins besides the lab's own that the page and its workers may fetch from: the api-calls experiment's
   * own endpoint on another origin. None by default, so nothing the lab does at run time leaves its origin.
   */
  connectOrigins?: readonly string[];
}

/** Directives a `<meta http-equiv>` policy cannot carry: browsers ignore them there (and say so in the console). */
const HEADER_ONLY_DIRECTIVES = new Set(['frame-ancestors', 'report-uri', 'report-to', 'sandbox']);

/** Refuse anything but a bare http(s) origin: a source list is no place for paths, wildcards or keywords from outside. */
export function checkConnectOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`"${text}" is not an origin: write it as https://api.example.com.`);
  }
  // URL parsing keeps a `*` in a host name, which a source list would read as a wildcard.
  const plainHost = /^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/i.test(url.hostname);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !plainHost || url.origin !== text.replace(/\/$/, '')) {
    throw new TypeError(`"${text}" is not an http(s) origin (scheme, host and port only), e.g. https://api.example.com.`);
  }
  return url.origin;
}

/**
 * The options from the environment of the build and the servers (the same variable for both, so the meta tag,
 * the header and the service worker agree): `PARALLEL_LAB_CONNECT_SRC="https://a.example https://b.example"`.
 */
export function policyOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): PolicyOptions {
  const origins = (env[CONNECT_ORIGINS_VARIABLE] ?? '').split(/[\s,]+/).filter(Boolean);
  try {
    return { connectOrigins: origins.map(checkConnectOrigin) };
  } catch (error) {
    throw new TypeError(`${CONNECT_ORIGINS_VARIABLE}: ${(error as Error).message}`);
  }
}

/** The lab's policy: its own origin for everything, with the few relaxations the lab really needs. */
export function labPolicyDirectives(options: PolicyOptions = {}): PolicyDirectives {
  const connectOrigins = (options.connectOrigins ?? []).map(checkConnectOrigin);
  return [
    ['default-src', ["'self'"]],
    // Vite's module scripts and chunks are files on the lab's origin. 'wasm-unsafe-eval' lets the page and its
    // workers compile WebAssembly (the SIMD kernels, gpu.js's WebAssembly mode) and nothing else: no eval().
    ['script-src', ["'self'", "'wasm-unsafe-eval'"]],
    // Observable Plot writes a <style> element into each chart. Inline styles cannot run code, and with images,
    // fonts and requests held to the lab's origin they cannot send anything out; inline scripts stay refused.
    ['style-src', ["'self'", "'unsafe-inline'"]],
    // Saving a chart as PNG draws its SVG from a blob: URL onto a canvas.
    ['img-src', ["'self'", 'blob:']],
    // The api-calls echo endpoint (the lab's server or its service worker) and the lab's own files; nothing else.
    ['connect-src', ["'self'", ...connectOrigins]],
    // Module workers from the lab's own files; gpu.js starts its WebAssembly workers from blob: URLs.
    ['worker-src', ["'self'", 'blob:']],
    ['object-src', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'self'"]],
    // Any page may frame the lab: embedding it in a tutorial is a feature, and who may drive a framed lab is
    // decided by ?parentOrigin= (see the README's "Embed it in a tutorial").
    ['frame-ancestors', ['*']],
  ];
}

/** The policy as a header value: `directive source source; directive ...`. */
export function serializePolicy(directives: PolicyDirectives): string {
  return directives.map(([name, sources]) => [name, ...sources].join(' ')).join('; ');
}

/** The same policy without the directives a meta tag cannot carry (frame-ancestors above all). */
export function metaPolicy(directives: PolicyDirectives): PolicyDirectives {
  return directives.filter(([name]) => !HEADER_ONLY_DIRECTIVES.has(name));
}
