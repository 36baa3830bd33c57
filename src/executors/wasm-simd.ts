/**
 * The page side of the wasm-simd backend: feature detection, compiling the kernels, and the shared
 * WebAssembly.Memory that every worker's instance of the kernels works in. No DOM: it compiles against the
 * DOM and the WebWorker libraries alike, and runs in Node for the unit tests.
 */
/// <reference path="../wasm-kernels.d.ts" />
import { relaxedSimd as relaxedSimdBytes, simd as simdBytes } from 'virtual:wasm-kernels';
import { detectWasmSimd, type WasmSimdSupport } from './wasm-detect.ts';
import type { WasmSimdMode } from './wasm-memory.ts';

// The memory side lives in wasm-memory.ts, which imports nothing, so Node scripts use it without the build.
export {
  WASM_ALIGN_BYTES,
  WASM_MAXIMUM_BYTES,
  WASM_PAGE_BYTES,
  WasmArena,
  type WasmArenaOptions,
  type WasmFloat32Allocation,
  type WasmSimdMode,
} from './wasm-memory.ts';

/** What compileWasmKernels is asked for: `auto` takes relaxed SIMD when this engine validates it. */
export type WasmSimdPreference = WasmSimdMode | 'auto';

export { detectWasmSimd, RELAXED_SIMD_PROBE, SIMD_PROBE, type WasmSimdSupport } from './wasm-detect.ts';

/** Throws the user-facing reason when the wasm-simd backend cannot run here. */
export function assertWasmSimd(support: WasmSimdSupport = detectWasmSimd()): asserts support is WasmSimdSupport & { simd: true; sharedMemory: true } {
  if (support.reason !== undefined) throw new Error(support.reason);
}

/** A compiled module, ready to post to workers, and which flavour it is. */
export interface CompiledWasmKernels {
  module: WebAssembly.Module;
  mode: WasmSimdMode;
  /**
   * Time WebAssembly.compile took, reported beside the run. V8 compiles a baseline first and optimises hot
   * functions while they run: the microkernel is its own function, so it is optimised within the first product.
   */
  compileMs: number;
}

/** The flavour a preference gets here: relaxed SIMD only when asked for (or auto) and validated. */
export function chooseWasmSimdMode(prefer: WasmSimdPreference, support: WasmSimdSupport = detectWasmSimd()): WasmSimdMode {
  return prefer !== 'simd' && support.relaxedSimd ? 'relaxed-simd' : 'simd';
}

/** The kernels' bytes for one flavour, as the build compiled them. */
export function wasmKernelBytes(mode: WasmSimdMode): Uint8Array<ArrayBuffer> {
  return mode === 'relaxed-simd' ? relaxedSimdBytes : simdBytes;
}

/**
 * Compile the kernels once on the page; the module is then posted to every worker, which instantiates it
 * synchronously. 'relaxed-simd' falls back to 'simd' where relaxed SIMD does not validate: `mode` says which ran.
 */
export async function compileWasmKernels(prefer: WasmSimdPreference = 'auto'): Promise<CompiledWasmKernels> {
  const support = detectWasmSimd();
  if (!support.simd) throw new Error(support.reason);
  const mode = chooseWasmSimdMode(prefer, support);
  const startMs = performance.now();
  const module = await WebAssembly.compile(wasmKernelBytes(mode));
  return { module, mode, compileMs: performance.now() - startMs };
}
