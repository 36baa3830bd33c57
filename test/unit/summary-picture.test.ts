/** The PNG header reader the summary pictures are checked with: it must read real sizes and refuse anything else. */
import { describe, expect, it } from 'vitest';
import { pngSizePx } from '../../src/cli/summary-picture.ts';

/** The first bytes of a PNG `widthPx` × `heightPx`: signature, then the IHDR chunk (the rest is not read). */
function pngHeader(widthPx: number, heightPx: number): Buffer {
  const header = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(widthPx, 16);
  header.writeUInt32BE(heightPx, 20);
  return header;
}

describe('pngSizePx', () => {
  it.each([
    [1, 1],
    [360, 1704],
    [1280, 900],
    [65_535, 3],
  ])('reads %i × %i px from the IHDR chunk', (widthPx, heightPx) => {
    expect(pngSizePx(pngHeader(widthPx, heightPx))).toEqual({ widthPx, heightPx });
  });

  it('reads a header inside a larger buffer (a view with an offset)', () => {
    const backing = Buffer.concat([Buffer.alloc(7), pngHeader(768, 803)]);
    expect(pngSizePx(backing.subarray(7))).toEqual({ widthPx: 768, heightPx: 803 });
  });

  it.each([
    ['nothing', Buffer.alloc(0)],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...new Array(28).fill(0)])],
    ['a cut-short header', pngHeader(10, 10).subarray(0, 20)],
    ['a PNG whose first chunk is not IHDR', Buffer.concat([pngHeader(10, 10).subarray(0, 12), Buffer.from('IDAT'), pngHeader(10, 10).subarray(16)])],
  ])('refuses %s', (_, bytes) => {
    expect(() => pngSizePx(bytes)).toThrow(/Not a PNG/);
  });
});
