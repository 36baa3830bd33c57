/** FNV-1a (32-bit): a small checksum that can be fed chunk by chunk, so a file is checked without holding it whole. */

/** The FNV-1a 32-bit offset basis: the hash of no bytes, and the starting value for a chunked hash. */
export const FNV1A32_OFFSET = 0x811c9dc5;

const FNV1A32_PRIME = 0x01000193;

/**
 * FNV-1a over `bytes`, continuing from `hash` (pass the previous chunk's result to hash a stream).
 * Returns an unsigned 32-bit integer.
 */
export function fnv1a32(bytes: Uint8Array, hash: number = FNV1A32_OFFSET): number {
  let h = hash | 0;
  for (let i = 0; i < bytes.length; i++) {
    h = Math.imul(h ^ bytes[i]!, FNV1A32_PRIME);
  }
  return h >>> 0;
}

/** FNV-1a over a string's UTF-8 bytes. */
export function fnv1a32Text(text: string): number {
  return fnv1a32(new TextEncoder().encode(text));
}

/** A checksum as 8 hex digits, for messages. */
export function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
