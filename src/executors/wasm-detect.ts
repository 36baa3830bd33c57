/** Which WebAssembly SIMD features this engine has: detected, recorded, never assumed. */

/** The smallest module whose one function returns `v128.const 0` (needs 128-bit SIMD). */
const SIMD_PROBE: Uint8Array<ArrayBuffer> = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, // code section: one body of 20 bytes, no locals
  0xfd, 0x0c, ...new Array<number>(16).fill(0), // v128.const 0
  0x0b, // end
]);

/** The same shape, returning `f32x4.relaxed_madd` of three zero vectors (needs relaxed SIMD). */
const RELAXED_SIMD_PROBE: Uint8Array<ArrayBuffer> = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x3d, 0x01, 0x3b, 0x00, // code section: one body of 59 bytes, no locals
  0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0x0c, ...new Array<number>(16).fill(0),
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd (0xfd 0x105, LEB128)
  0x0b,
]);

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** WebAssembly 128-bit SIMD and relaxed SIMD, as this engine's validator answers. */
export function detectWasmSimd(): { simd: boolean; relaxedSimd: boolean } {
  const simd = validates(SIMD_PROBE);
  return { simd, relaxedSimd: simd && validates(RELAXED_SIMD_PROBE) };
}
