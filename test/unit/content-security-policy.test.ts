/**
 * The lab's Content-Security-Policy as the builder writes it, the one setting a deployment has (more origins
 * for api-calls), and the page's reading of its own policy that refuses an endpoint the browser would block.
 */
import { describe, expect, it } from 'vitest';
import { checkConnectOrigin, labPolicyDirectives, metaPolicy, policyOptionsFromEnv, serializePolicy } from '../../build/content-security-policy.ts';
import { connectAllowed, connectSourcesOf } from '../../src/env/page-policy.ts';
import { checkCustomEndpoint } from '../../src/workloads/api-calls/endpoint.ts';

const LAB = 'http://127.0.0.1:4173';

describe('the policy', () => {
  it('is the lab\'s own origin for everything, with the relaxations the README explains', () => {
    expect(serializePolicy(labPolicyDirectives())).toBe(
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' blob:; " +
        "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors *",
    );
  });

  it('never allows eval or inline scripts', () => {
    const scripts = new Map(labPolicyDirectives()).get('script-src')!;
    expect(scripts).not.toContain("'unsafe-eval'");
    expect(scripts).not.toContain("'unsafe-inline'");
  });

  it('leaves frame-ancestors out of the meta tag, which cannot carry it, and nothing else', () => {
    const full = labPolicyDirectives();
    expect(metaPolicy(full).map(([name]) => name)).toEqual(full.map(([name]) => name).filter((name) => name !== 'frame-ancestors'));
  });

  it('adds the origins a deployment names to connect-src only', () => {
    const options = policyOptionsFromEnv({ PARALLEL_LAB_CONNECT_SRC: ' https://api.example.com, http://127.0.0.1:8080/ ' });
    expect(options.connectOrigins).toEqual(['https://api.example.com', 'http://127.0.0.1:8080']);
    const directives = new Map(labPolicyDirectives(options));
    expect(directives.get('connect-src')).toEqual(["'self'", 'https://api.example.com', 'http://127.0.0.1:8080']);
    expect(serializePolicy(labPolicyDirectives(options)).replace(' https://api.example.com http://127.0.0.1:8080', '')).toBe(
      serializePolicy(labPolicyDirectives()),
    );
    expect(policyOptionsFromEnv({}).connectOrigins).toEqual([]);
  });

  it.each(['*', "'unsafe-inline'", 'https://api.example.com/path', 'https://*.example.com', 'ws://api.example.com', 'api.example.com', 'https:'])(
    'refuses %s as a connect origin: a source list takes no paths, wildcards or keywords from outside',
    (text) => {
      expect(() => checkConnectOrigin(text)).toThrow(/origin/);
      expect(() => policyOptionsFromEnv({ PARALLEL_LAB_CONNECT_SRC: `https://ok.example ${text}` })).toThrow(/^PARALLEL_LAB_CONNECT_SRC: /);
    },
  );
});

describe("the page's reading of its own policy", () => {
  const meta = serializePolicy(metaPolicy(labPolicyDirectives()));

  it('finds connect-src, or default-src where there is none', () => {
    expect(connectSourcesOf(meta)).toEqual(["'self'"]);
    expect(connectSourcesOf("default-src 'self' https://a.example; img-src *")).toEqual(["'self'", 'https://a.example']);
    expect(connectSourcesOf('img-src *')).toBeUndefined();
  });

  it.each([
    [`${LAB}/api/echo`, ["'self'"], true],
    ['http://127.0.0.1:4174/api/echo', ["'self'"], false],
    ['https://127.0.0.1:4173/api/echo', ["'self'"], false],
    ['https://api.example.com/ping', ["'self'", 'https://api.example.com'], true],
    ['https://api.example.com:8443/ping', ["'self'", 'https://api.example.com'], false],
    ['https://api.example.com/ping', ['https:'], true],
    ['http://api.example.com/ping', ['*'], true],
    ['https://api.example.com/ping', ['https://*.example.com'], false],
  ] as const)('%s under connect-src %j: %s', (url, sources, allowed) => {
    expect(connectAllowed(sources, new URL(url), LAB)).toBe(allowed);
  });

  it('refuses an endpoint the policy would block, naming the origins it allows, and takes one it allows', () => {
    expect(() => checkCustomEndpoint('https://api.example.com/ping', meta, LAB)).toThrow(
      `https://api.example.com is not an origin this page may send requests to: the lab's Content-Security-Policy allows ${LAB} only`,
    );
    expect(checkCustomEndpoint(`${LAB}/api/echo?from=link`, meta, LAB)).toBe(`${LAB}/api/echo?from=link`);
    // Outside a page (Node) there is no policy to read.
    expect(checkCustomEndpoint('https://api.example.com/ping')).toBe('https://api.example.com/ping');
  });
});
