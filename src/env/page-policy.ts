/**
 * What the page's own Content-Security-Policy allows, read from the meta tag the build puts in index.html
 * (build/content-security-policy.ts writes it): so the lab leaves eval alone where it is refused rather than
 * trying it (a refused try is reported as a violation).
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
