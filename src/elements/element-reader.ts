/**
 * How the results element reads a document: the lab's reader (read-results.ts) checking against the shipped
 * JSON Schema (public/schema/results.v1.json, kept identical to the lab's by a unit test) with TypeBox's
 * interpreter, so that a file, a link or an object is refused in the lab's words; and a bounded fetch for `src`.
 */
import resultsSchema from '../../public/schema/results.v1.json';
import { createResultsReader, MAX_IMPORT_CHARS, tooLargeMessage, type ImportOutcome } from '../results/read-results.ts';
import { createResultsValidator } from '../results/results-validator.ts';
import { interpretedChecker, type JsonSchema } from '../results/schema-checker.ts';
import { readShareFragment } from '../results/share-link.ts';

/** The element's reader: the lab's checks, the shipped schema, nothing compiled. */
export const elementReader = createResultsReader(createResultsValidator(interpretedChecker, resultsSchema as JsonSchema));

/** A share link (whole, or its `#r=…` part) read with the element's reader; never throws. */
export function readShareLink(link: string): Promise<ImportOutcome> {
  return readShareFragment(link, async () => elementReader);
}

/** An object handed to the `results` property, checked exactly as the same JSON in a file would be. */
export function readResultsValue(value: unknown): ImportOutcome {
  if (typeof value === 'string') return elementReader.parseResultsText(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    return { ok: false, message: `These results are not plain JSON data: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (text === undefined) return { ok: false, message: 'Nothing to read: the results are not JSON data.' };
  return elementReader.parseResultsText(text);
}

/**
 * Fetch `url` and read it as results. The download stops at the size the reader accepts; every failure
 * (network, CORS, HTTP status, size, content) is a message, never an exception, except an abort.
 */
export async function fetchResults(url: URL, signal: AbortSignal): Promise<ImportOutcome> {
  let response: Response;
  try {
    response = await fetch(url, { signal, credentials: 'same-origin' });
  } catch (error) {
    if (signal.aborted) throw error;
    const crossOrigin = url.origin !== location.origin;
    return {
      ok: false,
      message:
        `${url.href} could not be loaded: the request failed (offline, or a wrong address` +
        (crossOrigin ? ', or a server on another origin that does not let this page read it: it must send Access-Control-Allow-Origin' : '') +
        ').',
    };
  }
  if (!response.ok) {
    return { ok: false, message: `${url.href} could not be loaded: the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.` };
  }
  const declaredBytes = Number(response.headers.get('Content-Length'));
  if (declaredBytes > MAX_IMPORT_CHARS) {
    response.body?.cancel().catch(() => {});
    return { ok: false, message: tooLargeMessage(declaredBytes, MAX_IMPORT_CHARS) };
  }
  const chunks: Uint8Array[] = [];
  let totalBytes = 0;
  try {
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      totalBytes += value.byteLength;
      if (totalBytes > MAX_IMPORT_CHARS) {
        reader.cancel().catch(() => {});
        return { ok: false, message: tooLargeMessage(totalBytes, MAX_IMPORT_CHARS) };
      }
      chunks.push(value);
    }
  } catch (error) {
    if (signal.aborted) throw error;
    return { ok: false, message: `${url.href} could not be loaded: the download broke off (${error instanceof Error ? error.message : String(error)}).` };
  }
  // As a file import reads it (Blob.text): UTF-8, bad bytes replaced, so that the reader names a UTF-16 file.
  const decoder = new TextDecoder();
  const text = chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join('') + decoder.decode();
  return elementReader.parseResultsText(text);
}
