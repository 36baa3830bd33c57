/**
 * Page-side set-up of the wasm-simd backend, shared by its experiments: the kernels compiled once per flavour
 * and page, and a shared WebAssembly.Memory sized for one configuration's inputs, outputs and scratch.
 */
import type { CompiledWasmKernels } from '../../executors/wasm-simd.ts';
import { WasmArena } from '../../executors/wasm-memory.ts';
import type { WasmInstanceRef } from './wasm-kernels.ts';

/** Compiled once per page: the module is immutable and posting it to a worker shares its code, not a copy. */
let compiled: Promise<CompiledWasmKernels> | undefined;

/** What a wasm-simd configuration keeps between runs. */
export interface WasmSetup {
  arena: WasmArena;
  /** The module, the memory and their key: what every kernel call carries to its lane. */
  ref: WasmInstanceRef;
  mode: CompiledWasmKernels['mode'];
  compileMs: number;
}

/** Compile (or reuse) the kernels, taking relaxed SIMD where this browser validates it, and make a memory of `bytes`. */
export async function setUpWasm(bytes: number): Promise<WasmSetup> {
  const startMs = performance.now();
  // Loaded when the backend first runs: the kernels' bytes come from the build, which Node's command line lacks.
  compiled ??= import('../../executors/wasm-simd.ts').then(({ compileWasmKernels }) => compileWasmKernels('auto'));
  let kernels: CompiledWasmKernels;
  try {
    kernels = await compiled;
  } catch (error) {
    compiled = undefined;
    throw error;
  }
  const compileMs = performance.now() - startMs;
  // Room for what was asked, plus alignment padding per allocation.
  const arena = new WasmArena({ initialBytes: bytes + 64 * 1024 });
  return { arena, ref: { module: kernels.module, memory: arena.memory, instanceKey: arena.instanceKey(kernels.mode) }, mode: kernels.mode, compileMs };
}

/** A float32 copy of `source` in the arena: the inputs are written into shared memory once, in set-up. */
export function copyIntoArena(arena: WasmArena, source: Float32Array): { ptr: number; view: Float32Array } {
  const allocation = arena.allocFloat32(source.length);
  allocation.view.set(source);
  return allocation;
}

/** The note every wasm-simd result carries: which flavour ran, in words. */
export function wasmModeNote(mode: CompiledWasmKernels['mode']): string {
  return mode === 'relaxed-simd'
    ? 'WebAssembly SIMD on one shared memory, with relaxed SIMD fused multiply-add'
    : 'WebAssembly SIMD on one shared memory (no relaxed SIMD here: multiply, then add)';
}
