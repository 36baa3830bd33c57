/**
 * Cross-origin isolation on hosts that set no headers: register public/lab-sw.js, which adds the isolation
 * headers to the lab's own responses, and reload once so the page loads under them. A guard in the
 * session's storage keeps a browser where that cannot work from reloading forever.
 */

/** The service worker that adds the headers (and answers the api-calls echo path). */
export const LAB_SERVICE_WORKER = 'lab-sw.js';

/** Set before the one reload; a page that finds it set and is still not isolated stops trying. */
const RELOAD_GUARD_KEY = 'parallel-lab:isolation-reload';

/**
 * On a page that is not isolated, outside a frame, in a secure context with service workers: register
 * the lab's worker and reload once it controls the page. Resolves to whether a reload was started.
 */
export async function obtainIsolation(base: string): Promise<boolean> {
  if (globalThis.crossOriginIsolated === true) {
    sessionStorage.removeItem(RELOAD_GUARD_KEY);
    return false;
  }
  const container = globalThis.navigator?.serviceWorker;
  // A frame takes its isolation from its host page; reloading it would not help.
  if (!container || !globalThis.isSecureContext || window.top !== window) return false;
  if (sessionStorage.getItem(RELOAD_GUARD_KEY) !== null) {
    console.warn('The isolation service worker did not make this page cross-origin isolated; shared-memory backends stay unavailable.');
    return false;
  }
  try {
    await container.register(new URL(LAB_SERVICE_WORKER, new URL(base, location.href)).href, { scope: new URL(base, location.href).pathname });
    await container.ready;
  } catch (error) {
    console.warn(`The isolation service worker could not be registered: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
  sessionStorage.setItem(RELOAD_GUARD_KEY, String(Date.now()));
  if (container.controller) {
    location.reload();
    return true;
  }
  // A first visit: the worker claims the page, then the reload loads the page through it.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3_000);
    container.addEventListener('controllerchange', () => (clearTimeout(timer), resolve()), { once: true });
  });
  location.reload();
  return true;
}
