/** Opening paths of the dev and preview servers to pages on other origins, which import modules from them. */
import type { Connect } from 'vite';

/** Middleware that sends `Access-Control-Allow-Origin: *` for requests under any of `prefixes` (e.g. '/embed/'). */
export function corsOpenUnder(...prefixes: readonly string[]): Connect.NextHandleFunction {
  return (req, res, next) => {
    if (prefixes.some((prefix) => req.url?.startsWith(prefix))) res.setHeader('Access-Control-Allow-Origin', '*');
    next();
  };
}
