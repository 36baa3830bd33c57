/**
 * The lab's Content-Security-Policy as the builder writes it, and the one setting a deployment has (more
 * origins for api-calls).
 */
import { describe, expect, it } from 'vitest';
import { checkConnectOrigin, labPolicyDirectives, metaPolicy, policyOptionsFromEnv, serializePolicy } from '../../build/content-security-policy.ts';

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
