/**
 * Which WebAssembly SIMD features this engine has, by validating tiny hand-assembled modules: detected,
 * recorded, never assumed. Apart from the kernels' bytes, so the page's first load can ask without them.
 */

/** What this engine can run, and in words why the backend is unavailable when it cannot. */
export interface WasmSimdSupport {
  /** 128-bit SIMD (v128), shipped in every current browser. */
  simd: boolean;
  /** Relaxed SIMD (f32x4.relaxed_madd), Chromium 114+; Node 20 behind --experimental-wasm-relaxed-simd. */
  relaxedSimd: boolean;
  /** A shared WebAssembly.Memory: needs threads support and, in a browser, a cross-origin isolated page. */
  sharedMemory: boolean;
  /** Why the backend cannot run here (SIMD or shared memory missing); undefined when it can. */
  reason: string | undefined;
}

// Smallest modules that use one instruction each, so validation answers for exactly that feature:
// header, a type section with one function type () -> v128, a function section, a code section.
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const RETURNS_V128 = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00];
const I32_ZERO_SPLAT = [0x41, 0x00, 0xfd, 0x0f]; // i32.const 0; i8x16.splat
/** i8x16.splat of 0: validates where 128-bit SIMD does. */
export const SIMD_PROBE = new Uint8Array([...HEADER, ...RETURNS_V128, 0x0a, 0x08, 0x01, 0x06, 0x00, ...I32_ZERO_SPLAT, 0x0b]);
/** f32x4.relaxed_madd (0xfd, then 0x105 as LEB128: 0x85 0x02) of three zero vectors: validates where relaxed SIMD does. */
export const RELAXED_SIMD_PROBE = new Uint8Array([
  ...HEADER,
  ...RETURNS_V128,
  0x0a, 0x13, 0x01, 0x11, 0x00,
  ...I32_ZERO_SPLAT, ...I32_ZERO_SPLAT, ...I32_ZERO_SPLAT,
  0xfd, 0x85, 0x02,
  0x0b,
]);

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** Feature detection by validating tiny hand-assembled modules: cheap, synchronous, no instantiation. */
export function detectWasmSimd(): WasmSimdSupport {
  const simd = validates(SIMD_PROBE);
  const relaxedSimd = simd && validates(RELAXED_SIMD_PROBE);
  const sharedMemory = typeof WebAssembly === 'object' && canShareMemory();
  let reason: string | undefined;
  if (typeof WebAssembly !== 'object') reason = 'WebAssembly is not available in this browser (or is disabled by policy).';
  else if (!simd) reason = 'WebAssembly SIMD is not available in this browser: it shipped in Chrome 91, Firefox 89 and Safari 16.4.';
  else if (!sharedMemory) {
    reason = 'A shared WebAssembly.Memory is not available: the page must be cross-origin isolated (COOP and COEP headers) for workers to share one.';
  }
  return { simd, relaxedSimd, sharedMemory, reason };
}

