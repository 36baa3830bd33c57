/**
 * The wasm-simd backend's kernels, as plain functions any thread runs: each calls the WebAssembly kernels
 * (wasm/kernels.ts) on data already in a shared WebAssembly.Memory. They import nothing at run time, so a
 * worker that resolves them pulls in no page code, and they work on the page's own thread as well.
 */

/** The compiled kernels and the memory they work in, as postMessage delivers them to a worker. */
export interface WasmInstanceRef {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /**
   * Names this memory and module pair (WasmArena.instanceKey). postMessage delivers a new Memory wrapper
   * every time, so object identity cannot tell a thread that it has already instantiated this pair.
   */
  instanceKey: string;
}

/** The kernels' exports; pointers are byte offsets into the memory. */
interface WasmKernelExports {
  matmul(aPtr: number, bPtr: number, cPtr: number, n: number, rowStart: number, rowEnd: number, scratchPtr: number): void;
  matmulScratchBytes(n: number): number;
  matmulPackedBBytes(n: number): number;
  packMatmulB(bPtr: number, n: number, packedBPtr: number, kStart: number, kEnd: number): void;
  matmulPackedB(aPtr: number, packedBPtr: number, cPtr: number, n: number, rowStart: number, rowEnd: number, scratchPtr: number): void;
  add(aPtr: number, bPtr: number, cPtr: number, start: number, end: number, repeats: number): void;
  sumRange(start: number, end: number): bigint;
}

/**
 * Instances a thread keeps: one per memory and flavour in use, a few so that a run switching between the two
 * flavours, or starting on a new memory, does not instantiate on every task; the oldest goes first.
 */
export const WASM_INSTANCE_CACHE_SIZE = 4;

const instances = new Map<string, WasmKernelExports>();

/** This thread's instance for `ref`, instantiated synchronously (the module is small) on a miss. */
function kernelsFor({ module, memory, instanceKey }: WasmInstanceRef): WasmKernelExports {
  let kernels = instances.get(instanceKey);
  if (kernels) {
    // Most recently used last: Map keeps insertion order, so the first key is the one to evict.
    instances.delete(instanceKey);
  } else {
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmKernelExports;
    while (instances.size >= WASM_INSTANCE_CACHE_SIZE) instances.delete(instances.keys().next().value!);
  }
  instances.set(instanceKey, kernels);
  return kernels;
}

/** How many instances this thread holds now (tests check the eviction). */
export function cachedWasmInstanceCount(): number {
  return instances.size;
}

/** Bounds the kernels cannot check themselves (they run without assertions); end ≤ start is an empty range. */
function assertRange(what: string, start: number, end: number, limit: number): void {
  const inBounds = (index: number) => Number.isInteger(index) && index >= 0 && index <= limit;
  if (!(inBounds(start) && inBounds(end))) throw new RangeError(`${what} [${start}, ${end}) is not a range within [0, ${limit}).`);
}

/** Rows [rowStart, rowEnd) of C = A·B, n × n float32, row-major, all three in the memory. */
export interface WasmMatmulRows extends WasmInstanceRef {
  aPtr: number;
  bPtr: number;
  cPtr: number;
  n: number;
  rowStart: number;
  rowEnd: number;
  /** This call's own scratch area, wasmMatmulScratchBytes(n) bytes, 64-byte aligned, used by no concurrent call. */
  scratchPtr: number;
}

/** The matmul kernel: writes only its rows of C (and its scratch), so lanes over disjoint rows run at once. */
export function wasmMatmulRows(arg: WasmMatmulRows): void {
  assertRange('Rows', arg.rowStart, arg.rowEnd, arg.n);
  kernelsFor(arg).matmul(arg.aPtr, arg.bPtr, arg.cPtr, arg.n, arg.rowStart, arg.rowEnd, arg.scratchPtr);
}

/** The scratch bytes one matmul lane needs at size n, as the compiled kernels lay it out. */
export function wasmMatmulScratchBytes(arg: WasmInstanceRef & { n: number }): number {
  return kernelsFor(arg).matmulScratchBytes(arg.n);
}

/** Rows [kStart, kEnd) of B (n × n float32 at bPtr) to pack into the shared packed B at packedBPtr. */
export interface WasmPackMatmulB extends WasmInstanceRef {
  bPtr: number;
  n: number;
  /** wasmMatmulPackedBBytes(n) bytes, 64-byte aligned, shared by every lane. */
  packedBPtr: number;
  kStart: number;
  kEnd: number;
}

/**
 * Pack some rows of B, once for all lanes: lanes pack disjoint row ranges at once, and every range must be
 * packed before any lane runs wasmMatmulPackedBRows (two rounds of tasks, the second after the first).
 */
export function wasmPackMatmulB(arg: WasmPackMatmulB): void {
  assertRange('Rows of B', arg.kStart, arg.kEnd, arg.n);
  kernelsFor(arg).packMatmulB(arg.bPtr, arg.n, arg.packedBPtr, arg.kStart, arg.kEnd);
}

/** The bytes B takes packed whole at size n (about n² floats), one area for all lanes. */
export function wasmMatmulPackedBBytes(arg: WasmInstanceRef & { n: number }): number {
  return kernelsFor(arg).matmulPackedBBytes(arg.n);
}

/** Rows [rowStart, rowEnd) of C = A·B with B already packed by wasmPackMatmulB. */
export interface WasmMatmulPackedBRows extends WasmInstanceRef {
  aPtr: number;
  packedBPtr: number;
  cPtr: number;
  n: number;
  rowStart: number;
  rowEnd: number;
  /** This call's own scratch area, wasmMatmulScratchBytes(n) bytes, as for wasmMatmulRows. */
  scratchPtr: number;
}

/**
 * The matmul kernel without packing B on every call: bit for bit what wasmMatmulRows computes. Worth it when
 * lanes are many or row ranges small, where each call packing all n² values of B again would show.
 */
export function wasmMatmulPackedBRows(arg: WasmMatmulPackedBRows): void {
  assertRange('Rows', arg.rowStart, arg.rowEnd, arg.n);
  kernelsFor(arg).matmulPackedB(arg.aPtr, arg.packedBPtr, arg.cPtr, arg.n, arg.rowStart, arg.rowEnd, arg.scratchPtr);
}

/** c[i] = a[i] + b[i] over element indices [start, end), `repeats` times; float32 arrays in the memory. */
export interface WasmAddRange extends WasmInstanceRef {
  aPtr: number;
  bPtr: number;
  cPtr: number;
  start: number;
  end: number;
  repeats: number;
}

/** The array-add kernel: writes only [start, end) of c, bit for bit the float32 sums. */
export function wasmAddRange(arg: WasmAddRange): void {
  assertRange('Elements', arg.start, arg.end, Number.MAX_SAFE_INTEGER);
  kernelsFor(arg).add(arg.aPtr, arg.bPtr, arg.cPtr, arg.start, arg.end, arg.repeats);
}

/** The integers [start, end) to sum, each below 2^31. */
export interface WasmSumRange extends WasmInstanceRef {
  start: number;
  end: number;
}

/** The cpu-heavy kernel: the post's `count += i` loop, compiled; exact (64-bit integers), as a BigInt. */
export function wasmSumRange(arg: WasmSumRange): bigint {
  assertRange('Integers', arg.start, arg.end, 2 ** 31);
  return kernelsFor(arg).sumRange(arg.start, arg.end);
}
