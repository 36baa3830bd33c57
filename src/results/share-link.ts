/**
 * Results in a link: JSON → deflate-raw (the platform's CompressionStream) → base64url, in the URL
 * fragment so it never reaches a server. Form: `#r=2.<crc>.<payload>`, where `2` names this encoding and
 * `<crc>` is the CRC-32 of the JSON's UTF-8 bytes (8 hex digits): deflate has no checksum of its own, so
 * without it an altered character can decode to different numbers. Links of format 1 (`#r=1.<payload>`,
 * no checksum) are still read. Decoding goes through parseResultsText: a link is exactly as safe as a file.
 */
import type { Comparison } from './comparison.ts';
import { DEFAULT_SCAN_LIMITS, nestingGuard } from './json-scan.ts';
import { loadImporter, type ImporterMissing } from './load-importer.ts';
import { MAX_IMPORT_CHARS, type ImportOptions, type ImportOutcome } from './read-results.ts';
import type { Results } from './schema.ts';

/** The fragment parameter that carries shared results. */
export const SHARE_PARAM = 'r';
/** The encoding this version writes: a CRC-32 of the JSON, then JSON, deflate-raw, base64url. */
export const SHARE_FORMAT = '2';
/** The first encoding, without a checksum: still read, so links made before format 2 keep working. */
export const SHARE_FORMAT_UNCHECKED = '1';
/**
 * Longest fragment we make, in characters. Firefox refuses URLs over 1 MiB (network.standard-url.max-length)
 * and Chromium over 2 MiB; staying under 1,000,000 leaves room for the page address.
 */
export const MAX_SHARE_FRAGMENT_CHARS = 1_000_000;

/** How to make a link. */
export interface ShareLinkOptions {
  /**
   * Leave out the task timelines (the per-task bars of the median sample, often most of the size). Every
   * sample, median, interval, speedup and fit is kept, so tables and speedup charts are unchanged; only the
   * timeline charts are empty for the receiver.
   */
  dropTimelines?: boolean;
  /** Refuse a longer fragment (default MAX_SHARE_FRAGMENT_CHARS). */
  maxFragmentChars?: number;
}

/** A made link's fragment and its sizes, or why no link was made. */
export type ShareLinkOutcome =
  | { ok: true; fragment: string; fragmentChars: number; jsonChars: number; droppedTimelines: boolean }
  | { ok: false; message: string };

const DAMAGED = 'This share link is damaged or incomplete';

/** Encode a results or comparison document as `#r=2.<crc>.<payload>`; refuses one that would be too long. */
export async function encodeShareFragment(
  document: Results | Comparison,
  options: ShareLinkOptions = {},
): Promise<ShareLinkOutcome> {
  const maxFragmentChars = options.maxFragmentChars ?? MAX_SHARE_FRAGMENT_CHARS;
  const dropTimelines = options.dropTimelines ?? false;
  try {
    const json = JSON.stringify(dropTimelines ? withoutTimelines(document) : document);
    // A link the lab could not read back is worse than none.
    const importer = await loadImporter();
    const check = 'ok' in importer ? importer : importer.parseResultsText(json);
    if (!check.ok) return { ok: false, message: `These results cannot be shared: ${check.message}` };
    const bytes = new TextEncoder().encode(json);
    const compressed = await deflate(bytes);
    const fragment = `#${SHARE_PARAM}=${SHARE_FORMAT}.${crcText(bytes)}.${toBase64Url(compressed)}`;
    if (fragment.length > maxFragmentChars) {
      const alternative = dropTimelines ? '' : ', or make the link without task timelines';
      return {
        ok: false,
        message:
          `A link for these results would be ${formatCount(fragment.length)} characters, over the ${formatCount(maxFragmentChars)} ` +
          `a browser reliably accepts: export them as a file instead${alternative}.`,
      };
    }
    return { ok: true, fragment, fragmentChars: fragment.length, jsonChars: json.length, droppedTimelines: dropTimelines };
  } catch (error) {
    return { ok: false, message: `The share link could not be made: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** A full link: `baseUrl` (any fragment of it replaced) plus the results fragment; `urlChars` is its length. */
export async function makeShareUrl(
  baseUrl: string,
  document: Results | Comparison,
  options: ShareLinkOptions = {},
): Promise<({ url: string; urlChars: number } & Extract<ShareLinkOutcome, { ok: true }>) | Extract<ShareLinkOutcome, { ok: false }>> {
  const base = baseUrl.split('#')[0] ?? '';
  const outcome = await encodeShareFragment(document, {
    ...options,
    maxFragmentChars: (options.maxFragmentChars ?? MAX_SHARE_FRAGMENT_CHARS) - base.length,
  });
  if (!outcome.ok) return outcome;
  const url = base + outcome.fragment;
  return { ...outcome, url, urlChars: url.length };
}

/** The part of a share link that names the experiment to open at: `#r=…&e=cpu-heavy`. */
export const EXPERIMENT_PARAM = 'e';

/**
 * The experiment a link points at: `e=` of a share link, or a plain `#cpu-heavy`; null when it names none.
 * Ids are lower-case words and hyphens, so nothing else in a hash is taken for one.
 */
export function experimentAnchorOf(hashOrUrl: string): string | null {
  const text = hashOrUrl.trim();
  const hash = text.includes('#') ? text.slice(text.indexOf('#') + 1) : text;
  const id = hash.split('&').find((part) => part.startsWith(`${EXPERIMENT_PARAM}=`))?.slice(EXPERIMENT_PARAM.length + 1) ??
    (hash.includes('=') ? null : hash);
  return id !== null && /^[a-z][a-z0-9-]{0,79}$/.test(id) ? id : null;
}

/** A share link that also opens at an experiment: the anchor rides along after the payload. */
export function withExperimentAnchor(url: string, experimentId: string | null): string {
  return experimentId && /^[a-z][a-z0-9-]{0,79}$/.test(experimentId) ? `${url}&${EXPERIMENT_PARAM}=${experimentId}` : url;
}

/** Whether a location hash (or pasted link) carries shared results, so the page knows to decode it. */
export function hasShareFragment(hashOrUrl: string): boolean {
  return sharePayloadOf(hashOrUrl) !== null;
}

/** What reading a link needs from a results reader: the lab's importer, or the results element's own. */
export interface ShareLinkReader {
  parseResultsText(text: string, options?: ImportOptions): ImportOutcome;
}

/**
 * Read the results back from a location hash (`#r=…`), the bare `r=…`, or a whole pasted link.
 * Never throws: a corrupt or cut-short link gives a message saying so.
 */
export function decodeShareFragment(hashOrUrl: string, options: ImportOptions = {}): Promise<ImportOutcome> {
  return readShareFragment(hashOrUrl, loadImporter, options);
}

/**
 * decodeShareFragment with the reader to check the payload with; it is asked for only once the link's form,
 * base64 and checksum have passed, so that a damaged link costs no reader.
 */
export async function readShareFragment(
  hashOrUrl: string,
  loadReader: () => Promise<ShareLinkReader | ImporterMissing>,
  options: ImportOptions = {},
): Promise<ImportOutcome> {
  try {
    const payload = sharePayloadOf(hashOrUrl);
    if (payload === null) return { ok: false, message: `This link holds no shared results (it has no #${SHARE_PARAM}= part).` };
    const dot = payload.indexOf('.');
    const format = dot < 0 ? '' : payload.slice(0, dot);
    let rest = payload.slice(dot + 1);
    let expectedCrc: string | null = null;
    if (format === SHARE_FORMAT) {
      const crcEnd = rest.indexOf('.');
      expectedCrc = crcEnd < 0 ? '' : rest.slice(0, crcEnd).replace(/\s+/g, '');
      if (!/^[0-9a-f]{8}$/.test(expectedCrc)) return { ok: false, message: `${DAMAGED}: its checksum is missing or altered. Copy the whole link again.` };
      rest = rest.slice(crcEnd + 1);
    } else if (format !== SHARE_FORMAT_UNCHECKED) {
      if (/^\d{1,4}$/.test(format)) {
        return {
          ok: false,
          message: `This share link was made by a newer version of Parallel Lab (link format ${format}; this version reads formats ${SHARE_FORMAT_UNCHECKED} and ${SHARE_FORMAT}). Open it with the version that made it, or ask for the results file.`,
        };
      }
      return { ok: false, message: `${DAMAGED}: it does not start with a link format number.` };
    }
    // Chat apps and mail wrap long links: whitespace is never part of the payload.
    const bytes = fromBase64Url(rest.replace(/\s+/g, ''));
    if (typeof bytes === 'string') return { ok: false, message: `${DAMAGED}: ${bytes}` };
    const reader = await loadReader();
    if ('ok' in reader) return reader;
    const maxChars = options.maxChars ?? MAX_IMPORT_CHARS;
    const inflated = await inflate(bytes, maxChars, { maxDepth: options.scanLimits?.maxDepth ?? DEFAULT_SCAN_LIMITS.maxDepth });
    if (typeof inflated === 'string') return { ok: false, message: inflated };
    if (expectedCrc !== null && crcText(inflated) !== expectedCrc) {
      return { ok: false, message: `${DAMAGED}: its content does not match its checksum (a character was changed). Copy the whole link again.` };
    }
    let json: string;
    try {
      json = new TextDecoder('utf-8', { fatal: true }).decode(inflated);
    } catch {
      return { ok: false, message: `${DAMAGED}: its content is not text.` };
    }
    const outcome = reader.parseResultsText(json, options);
    if (outcome.ok) return outcome;
    // Inflated cleanly but not JSON: the bytes were altered, not cut short.
    if (outcome.message.startsWith('This is not valid JSON')) return { ok: false, message: `${DAMAGED}: ${outcome.message}` };
    return { ok: false, message: `This share link holds results this lab cannot read. ${outcome.message}` };
  } catch (error) {
    return { ok: false, message: `${DAMAGED}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The same document without task timelines (see ShareLinkOptions.dropTimelines); the input is not changed. */
export function withoutTimelines<T extends Results | Comparison>(document: T): T {
  const strip = (run: Results): Results => ({
    ...run,
    experiments: run.experiments.map((experiment) => ({
      ...experiment,
      results: experiment.results.map((result) => {
        if (!('timeline' in result)) return result;
        const { setupTimeline: _dropped, ...rest } = result;
        return { ...rest, timeline: [] };
      }),
    })),
  });
  return ('runs' in document ? { ...document, runs: document.runs.map(strip) } : strip(document)) as T;
}

function sharePayloadOf(hashOrUrl: string): string | null {
  const text = hashOrUrl.trim();
  const hash = text.includes('#') ? text.slice(text.indexOf('#') + 1) : text;
  if (!hash.startsWith(`${SHARE_PARAM}=`) && !hash.includes(`&${SHARE_PARAM}=`)) return null;
  // Not URLSearchParams: it would turn a '+' into a space and hide a damaged link.
  for (const part of hash.split('&')) {
    if (part.startsWith(`${SHARE_PARAM}=`)) return part.slice(SHARE_PARAM.length + 1);
  }
  return null;
}

async function deflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Inflate, stopping as soon as the output passes maxBytes: a small link must not expand into gigabytes. */
async function inflate(
  bytes: Uint8Array<ArrayBuffer>,
  maxBytes: number,
  options: { maxDepth: number } = { maxDepth: DEFAULT_SCAN_LIMITS.maxDepth },
): Promise<Uint8Array<ArrayBuffer> | string> {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks: Uint8Array[] = [];
  // Deep nesting is refused as it inflates: 24 Mi brackets compress into a link of 65 KB.
  const nesting = nestingGuard(options.maxDepth);
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!nesting.push(value)) {
        reader.cancel().catch(() => {});
        return `This share link is damaged, or made to do harm: its JSON is nested too deeply to be results (more than ${options.maxDepth} levels); it was refused before reading it.`;
      }
      total += value.byteLength;
      if (total > maxBytes) {
        reader.cancel().catch(() => {});
        return `This share link expands to more than ${formatCount(maxBytes)} bytes, too large to be results; it was refused.`;
      }
      chunks.push(value);
    }
  } catch (error) {
    const reason = error instanceof Error && error.message ? error.message : 'the compressed data is corrupt';
    return `${DAMAGED}: ${reason.replace(/\.$/, '')}. Copy the whole link again.`;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (the zlib one) of the bytes as 8 hex digits: computed in plain code, since crypto.subtle needs a secure context. */
export function crcText(bytes: Uint8Array): string {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  // fromCharCode takes arguments on the stack: go in slices.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Bytes, or why the text cannot be base64url. */
function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | string {
  if (text.length === 0) return 'it carries no data.';
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return 'it contains characters a share link never has (was it edited?).';
  if (text.length % 4 === 1) return 'it was cut short. Copy the whole link again.';
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
