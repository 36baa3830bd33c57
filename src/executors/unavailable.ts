/**
 * A feature a configuration needs and this browser lacks (OPFS in a WebKitGTK automation session, say): the
 * engine records such a configuration as unavailable with the reason, like a missing backend, not as failed.
 */

/** Thrown by set-up or a kernel when the browser lacks what the work needs; the message is the user's reason. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

/** By name, so that an error thrown in a worker, which comlink re-creates as a plain Error, still counts. */
export function isUnavailableError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'UnavailableError';
}
