/** The text the post wrote to disk, made fresh: random letters, digits, spaces and newlines, never a zero byte. */

/** 64 printable characters, so each takes exactly 6 random bits. */
const ALPHABET = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n');

/** `sizeBytes` bytes of random ASCII text; five characters per random() call keep a 256 MiB text under a second. */
export function randomText(sizeBytes: number, random: () => number): Uint8Array {
  const text = new Uint8Array(sizeBytes);
  let i = 0;
  while (i < sizeBytes) {
    let bits = Math.floor(random() * 0x40000000);
    for (let k = 0; k < 5 && i < sizeBytes; k++, i++) {
      text[i] = ALPHABET[bits & 63]!;
      bits >>>= 6;
    }
  }
  return text;
}
