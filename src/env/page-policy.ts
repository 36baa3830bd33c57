/**
 * What the page's own Content-Security-Policy allows, read from the meta tag the build puts in index.html
 * (build/content-security-policy.ts writes it): so the lab refuses a URL the browser would block with a reason
 * before anything is sent, and leaves eval alone where it is refused rather than trying it (a refused try is
 * reported as a violation).
 */

/** The sources of `directive` (or of `default-src` where the policy has none), or undefined when it limits nothing. */
function directiveSources(policy: string, directive: string): string[] | undefined {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    // The first occurrence of a directive counts, as in the browser.
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources);
  }
  return directives.get(directive) ?? directives.get('default-src');
}

/** The sources of `connect-src` (or `default-src`): where fetch may go. */
export function connectSourcesOf(policy: string): string[] | undefined {
  return directiveSources(policy, 'connect-src');
}

/**
 * Whether a request to `url` from a page on `pageOrigin` matches one of `sources`: the source forms the lab's
 * policy uses ('self', origins, schemes, *). Others (host wildcards, paths) are not matched, so the answer
 * errs on the side of refusing.
 */
export function connectAllowed(sources: readonly string[], url: URL, pageOrigin: string): boolean {
  return sources.some((source) => {
    const lower = source.toLowerCase();
    if (lower === "'self'") return url.origin === pageOrigin;
    if (lower === '*') return url.protocol === 'http:' || url.protocol === 'https:';
    if (/^[a-z][a-z0-9+.-]*:$/.test(lower)) return url.protocol === lower;
    return lower.replace(/\/$/, '') === url.origin;
  });
}

/** Whether code may be compiled from strings (eval, `new Function`) under `policy`; true without one. */
export function evalAllowed(policy = pagePolicy()): boolean {
  const sources = policy === undefined ? undefined : directiveSources(policy, 'script-src');
  return sources === undefined || sources.includes("'unsafe-eval'");
}

/** The policy of this page's meta tag; undefined outside a page (Node, a worker) or in a page without one. */
export function pagePolicy(): string | undefined {
  const meta = globalThis.document?.querySelector<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy" i]');
  return meta?.content || undefined;
}
