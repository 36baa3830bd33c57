/**
 * The page side of the wasm-simd backend: feature detection, compiling the kernels, and the shared
 * WebAssembly.Memory that every worker's instance of the kernels works in. No DOM: it compiles against the
 * DOM and the WebWorker libraries alike, and runs in Node for the unit tests.
 */
/// <reference path="../wasm-kernels.d.ts" />
import { maximumMemoryPages, relaxedSimd as relaxedSimdBytes, simd as simdBytes } from 'virtual:wasm-kernels';

/** The flavour of the kernels an instance runs: relaxed-simd uses fused multiply-add where it can. */
export type WasmSimdMode = 'relaxed-simd' | 'simd';

/** What compileWasmKernels is asked for: `auto` takes relaxed SIMD when this engine validates it. */
export type WasmSimdPreference = WasmSimdMode | 'auto';

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

/** Throws the user-facing reason when the wasm-simd backend cannot run here. */
export function assertWasmSimd(support: WasmSimdSupport = detectWasmSimd()): asserts support is WasmSimdSupport & { simd: true; sharedMemory: true } {
  if (support.reason !== undefined) throw new Error(support.reason);
}

/** A compiled module, ready to post to workers, and which flavour it is. */
export interface CompiledWasmKernels {
  module: WebAssembly.Module;
  mode: WasmSimdMode;
  /** Time WebAssembly.compile took, reported beside the run (the first call also pays V8's compile). */
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

/** Bytes in one WebAssembly page, the unit a memory grows by. */
export const WASM_PAGE_BYTES = 65_536;

/** Alignment of every arena allocation: a cache line, so lanes never share one and vectors never straddle one. */
export const WASM_ALIGN_BYTES = 64;

/** The largest memory the kernels accept, in bytes: the maximum their import declares (1 GiB). */
export const WASM_MAXIMUM_BYTES = maximumMemoryPages * WASM_PAGE_BYTES;

/** Options for a WasmArena; both sizes are rounded up to whole pages. */
export interface WasmArenaOptions {
  /** Bytes committed at once; the memory grows past it as allocations need (default 1 MiB). */
  initialBytes?: number;
  /**
   * The memory's own maximum (default and upper bound: WASM_MAXIMUM_BYTES). Instantiation checks that it is
   * no larger than the maximum the module imports, so a larger one could not be used; a smaller one caps
   * what Firefox reserves up front for a shared memory.
   */
  maximumBytes?: number;
}

/** A float32 array in the arena: `ptr` is its byte offset, what kernels take; `view` is the page's window on it. */
export interface WasmFloat32Allocation {
  ptr: number;
  view: Float32Array;
}

/** The first byte the arena hands out: offset 0 stays unused, so a zero pointer is never valid data. */
const FIRST_ALLOCATED_BYTE = WASM_ALIGN_BYTES;

const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

let arenaCount = 0;

/**
 * One shared WebAssembly.Memory and a bump allocator over it: inputs, outputs and each lane's scratch area
 * live here, and every worker's instance of the kernels reads and writes them in place.
 */
export class WasmArena {
  /** The memory to post to workers (with the module and `instanceKey`). */
  readonly memory: WebAssembly.Memory;
  readonly maximumBytes: number;
  /** Names this memory across threads: workers key their cached instances by it. */
  readonly id: string;
  #nextFreeByte = FIRST_ALLOCATED_BYTE;

  constructor({ initialBytes = 1 << 20, maximumBytes = WASM_MAXIMUM_BYTES }: WasmArenaOptions = {}) {
    const maximumPages = Math.ceil(maximumBytes / WASM_PAGE_BYTES);
    if (!(maximumPages >= 1 && maximumPages <= maximumMemoryPages)) {
      throw new RangeError(`A wasm-simd memory's maximum must be between 1 page and ${WASM_MAXIMUM_BYTES} bytes; asked for ${maximumBytes}.`);
    }
    const initialPages = Math.min(maximumPages, Math.max(1, Math.ceil(initialBytes / WASM_PAGE_BYTES)));
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
    this.maximumBytes = maximumPages * WASM_PAGE_BYTES;
    this.id = `wasm-arena-${++arenaCount}-${Math.random().toString(36).slice(2, 10)}`;
  }

  /** Bytes handed out so far (the high-water mark of the bump allocator). */
  get usedBytes(): number {
    return this.#nextFreeByte;
  }

  /** Bytes the memory holds now. */
  get sizeBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** The key workers cache their instance of this memory and flavour under: one string per pair. */
  instanceKey(mode: WasmSimdMode): string {
    return `${this.id}:${mode}`;
  }

  /** Reserve `sizeBytes`, 64-byte aligned, growing the memory when needed; returns the byte offset. */
  allocBytes(sizeBytes: number): number {
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) throw new RangeError(`Cannot allocate ${sizeBytes} bytes.`);
    const ptr = roundUp(this.#nextFreeByte, WASM_ALIGN_BYTES);
    const end = ptr + roundUp(sizeBytes, WASM_ALIGN_BYTES);
    if (end > this.maximumBytes) {
      throw new RangeError(`The wasm-simd memory is full: ${sizeBytes} more bytes after ${ptr} would pass its ${this.maximumBytes}-byte maximum.`);
    }
    const sizeNow = this.memory.buffer.byteLength;
    if (end > sizeNow) this.memory.grow(Math.ceil((end - sizeNow) / WASM_PAGE_BYTES));
    this.#nextFreeByte = end;
    return ptr;
  }

  /** A float32 array of `count` elements in the memory, 64-byte aligned. */
  allocFloat32(count: number): WasmFloat32Allocation {
    const ptr = this.allocBytes(count * Float32Array.BYTES_PER_ELEMENT);
    // After a grow, `memory.buffer` is a new, longer SharedArrayBuffer over the same bytes; earlier views stay valid.
    return { ptr, view: new Float32Array(this.memory.buffer, ptr, count) };
  }

  /** `count` distinct scratch areas of `sizeBytes` each, one per concurrent kernel call (matmulScratchBytes). */
  allocScratchAreas(sizeBytes: number, count: number): number[] {
    return Array.from({ length: count }, () => this.allocBytes(sizeBytes));
  }

  /** Forget every allocation, to lay out the next run from the start; the memory keeps its size, old views alias new allocations. */
  reset(): void {
    this.#nextFreeByte = FIRST_ALLOCATED_BYTE;
  }
}
