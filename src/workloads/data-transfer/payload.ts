/**
 * The payload handed to a worker and back: pseudo-random words from a seed, so the reference is
 * regenerated when checking instead of kept as a second copy (at 256 MiB that copy would matter).
 */

/** Largest payload: validation refuses more before anything is allocated. */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** One step of a 32-bit LCG, output mixed so that low bytes are not periodic. */
function next(state: number): number {
  return (Math.imul(state, 1664525) + 1013904223) | 0;
}

function mix(state: number): number {
  return state ^ (state >>> 15);
}

/** Fill `words` with the stream of `seed`: the fresh random payload. */
export function fillPayload(words: Int32Array, seed: number): void {
  let state = seed | 0;
  for (let i = 0; i < words.length; i++) {
    state = next(state);
    words[i] = mix(state);
  }
}

/** The worker's touch: read and rewrite every word (XOR with `key`), in place; returns the same array. */
export function touchWords(words: Int32Array, key: number): Int32Array {
  for (let i = 0; i < words.length; i++) words[i] = words[i]! ^ key;
  return words;
}

/**
 * Index of the first word that is not the seed's stream XOR `key`, or -1 when every word is: the check
 * that the bytes made the round trip and were touched exactly as often as they should have been.
 */
export function firstMismatch(words: Int32Array, seed: number, key: number): number {
  let state = seed | 0;
  for (let i = 0; i < words.length; i++) {
    state = next(state);
    if (words[i] !== (mix(state) ^ key)) return i;
  }
  return -1;
}

/** A fresh non-zero 32-bit key: each run changes every word, so a worker that does nothing fails. */
export function randomKey(random: () => number): number {
  return (Math.floor(random() * 2 ** 32) | 0) || 1;
}

/** Payload sizes in bytes: `minKiB` times powers of `factor` below `maxKiB`, and `maxKiB` itself. */
export function payloadSizesBytes(minKiB: number, maxKiB: number, factor: number): number[] {
  const lo = Math.min(minKiB, maxKiB);
  const hi = Math.max(minKiB, maxKiB);
  const sizes: number[] = [];
  for (let kib = lo; kib < hi; kib *= Math.max(2, factor)) sizes.push(kib * 1024);
  sizes.push(hi * 1024);
  return sizes;
}

/** "1 KiB", "16 MiB": sizes as people read them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number(value.toPrecision(4))} ${units[unit]}`;
}
