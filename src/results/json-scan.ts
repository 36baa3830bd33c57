/**
 * A cheap look at JSON text before JSON.parse runs: one pass over the characters, no values built. It refuses
 * nesting deeper than any results document has, more values than one can hold, and keys that could reach a
 * prototype, so that a small hostile input (24 Mi `[` in a 65 KB link) is refused in milliseconds instead
 * of costing seconds and gigabytes in JSON.parse. It does not check syntax: JSON.parse still does that.
 */

/** Limits of one scan. */
export interface JsonScanLimits {
  /** Deepest nesting of arrays and objects allowed (a results document needs 8, a comparison 10). */
  maxDepth: number;
  /** Most values (array items and object members) allowed, counted by their separators. */
  maxValues: number;
}

/** The defaults: nesting far beyond a real document's, values far beyond a real suite's. */
export const DEFAULT_SCAN_LIMITS: Readonly<JsonScanLimits> = { maxDepth: 32, maxValues: 8_000_000 };

/** Keys that can reach a prototype when a parsed object is later merged or assigned somewhere. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Why the text was refused before parsing, or null when it may be parsed. */
export type JsonScanProblem =
  | { kind: 'too-deep'; maxDepth: number }
  | { kind: 'too-many-values'; maxValues: number }
  | { kind: 'forbidden-key'; key: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
/** The longest a forbidden key can be written: 11 characters, each as a 6-character \u escape, in quotes. */
const MAX_FORBIDDEN_KEY_CHARS = 11 * 6 + 2;

/** Scan `text`; stops at the first problem, so a refusal costs no more than the text up to it. */
export function scanJson(text: string, limits: JsonScanLimits = DEFAULT_SCAN_LIMITS): JsonScanProblem | null {
  let depth = 0;
  let values = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return null; // unterminated: JSON.parse says so, with its position
      if (end - i + 1 <= MAX_FORBIDDEN_KEY_CHARS && isKey(text, end + 1)) {
        const key = decodeKey(text.slice(i, end + 1));
        if (key !== null && FORBIDDEN_KEYS.has(key)) return { kind: 'forbidden-key', key };
      }
      i = end;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > limits.maxDepth) return { kind: 'too-deep', maxDepth: limits.maxDepth };
      if (++values > limits.maxValues) return { kind: 'too-many-values', maxValues: limits.maxValues };
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--;
    } else if (code === COMMA) {
      if (++values > limits.maxValues) return { kind: 'too-many-values', maxValues: limits.maxValues };
    }
  }
  return null;
}

/** Index of the quote closing the string that opens at `start`, or -1 when it never closes. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let j = quote - 1; j > start && text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

/** Whether a string ending just before `after` is an object key: the next character past whitespace is a colon. */
function isKey(text: string, after: number): boolean {
  let i = after;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) i++;
    else return code === COLON;
  }
  return false;
}

function decodeKey(quoted: string): string | null {
  if (!quoted.includes('\\')) return quoted.slice(1, -1);
  try {
    const decoded: unknown = JSON.parse(quoted);
    return typeof decoded === 'string' ? decoded : null;
  } catch {
    return null;
  }
}

/**
 * The nesting check of scanJson over UTF-8 bytes as they arrive (an inflating share link), so that a link
 * whose first kilobytes are already too deep is refused without inflating the rest. `push` answers false
 * once the nesting passes maxDepth. Structural characters are ASCII, and UTF-8 never puts an ASCII byte
 * inside a multi-byte character, so bytes can be read one by one.
 */
export function nestingGuard(maxDepth: number = DEFAULT_SCAN_LIMITS.maxDepth): { push(bytes: Uint8Array): boolean } {
  let depth = 0;
  let inString = false;
  let escaped = false;
  return {
    push(bytes) {
      for (let i = 0; i < bytes.length; i++) {
        const byte = bytes[i]!;
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) inString = false;
        } else if (byte === QUOTE) inString = true;
        else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
          if (++depth > maxDepth) return false;
        } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) depth--;
      }
      return true;
    },
  };
}
