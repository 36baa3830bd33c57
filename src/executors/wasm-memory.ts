/**
 * The shared WebAssembly.Memory of the wasm-simd backend and a bump allocator over it. Imports nothing, so
 * the page, workers, unit tests and Node scripts all use it; the build compiles the kernels with its limits.
 */

/** The flavour of the kernels an instance runs: relaxed-simd uses fused multiply-add where it can. */
export type WasmSimdMode = 'relaxed-simd' | 'simd';

/** Bytes in one WebAssembly page, the unit a memory grows by. */
export const WASM_PAGE_BYTES = 65_536;

/** Alignment of every arena allocation: a cache line, so lanes never share one and vectors never straddle one. */
export const WASM_ALIGN_BYTES = 64;

/**
 * Pages the kernels declare as their imported memory's maximum (the build passes it to the compiler): 1 GiB.
 * It holds the largest array-add run (three 2^25-element float32 arrays, 384 MiB) and three 2048 × 2048
 * matrices (48 MiB) with room for every lane's scratch. Address space only: browsers reserve it, and commit
 * pages as the memory grows.
 */
export const WASM_MAXIMUM_MEMORY_PAGES = 16_384;

/** Pages the kernels ask of the imported memory at least: one, so any memory an arena builds satisfies it. */
export const WASM_INITIAL_MEMORY_PAGES = 1;

/** The largest memory the kernels accept, in bytes: the maximum their import declares. */
export const WASM_MAXIMUM_BYTES = WASM_MAXIMUM_MEMORY_PAGES * WASM_PAGE_BYTES;

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
    if (!(maximumPages >= 1 && maximumPages <= WASM_MAXIMUM_MEMORY_PAGES)) {
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
