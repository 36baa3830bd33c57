/**
 * Compiles the WebAssembly kernels (wasm/kernels.ts) with the AssemblyScript compiler, in process, into the
 * two flavours the lab ships. Node only: the Vite plugin and the tuning benchmark both call it.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASM_INITIAL_MEMORY_PAGES, WASM_MAXIMUM_MEMORY_PAGES } from '../src/executors/wasm-memory.ts';

/** Where the AssemblyScript sources live, so the plugin can watch them and the cache can hash them. */
export const WASM_SOURCE_DIR = fileURLToPath(new URL('../wasm/', import.meta.url));

/** The entry file, relative to WASM_SOURCE_DIR. */
export const WASM_ENTRY_FILE = 'kernels.ts';

/** The two builds of the same source; `relaxedSimd` turns on ASC_FEATURE_RELAXED_SIMD. */
export type WasmFlavour = 'simd' | 'relaxedSimd';

/** Both flavours' bytes. */
export interface BuiltWasmKernels {
  simd: Uint8Array<ArrayBuffer>;
  relaxedSimd: Uint8Array<ArrayBuffer>;
  /** SHA-256 of the sources and flags, the cache key. */
  sourceHash: string;
}

/**
 * One module shared by every worker: memory imported (env.memory) and shared, with the limits WasmArena
 * builds memories with, none exported, no runtime beyond the stub (which the kernels never call), no
 * assertions, optimised for speed.
 */
const COMMON_FLAGS = [
  '--importMemory',
  '--noExportMemory',
  '--sharedMemory',
  '--initialMemory',
  String(WASM_INITIAL_MEMORY_PAGES),
  '--maximumMemory',
  String(WASM_MAXIMUM_MEMORY_PAGES),
  '--runtime',
  'stub',
  '-O3',
  '--noAssert',
  '--enable',
  'simd,threads',
  '--noColors',
];

const FLAVOUR_FLAGS: Record<WasmFlavour, string[]> = {
  simd: [],
  relaxedSimd: ['--enable', 'relaxed-simd'],
};

/** Compile one flavour; rejects with the compiler's own diagnostics when the source does not compile. */
export async function buildWasmFlavour(flavour: WasmFlavour): Promise<Uint8Array<ArrayBuffer>> {
  const asc = await import('assemblyscript/asc');
  const stderr = asc.createMemoryStream();
  let binary: Uint8Array<ArrayBuffer> | undefined;
  const outFile = 'kernels.wasm';
  const result = await asc.main(
    [WASM_ENTRY_FILE, '--baseDir', WASM_SOURCE_DIR, '--outFile', outFile, ...COMMON_FLAGS, ...FLAVOUR_FLAGS[flavour]],
    {
      stderr,
      writeFile(name, contents) {
        if (name === outFile && typeof contents !== 'string') binary = new Uint8Array(contents);
      },
    },
  );
  if (result.error) {
    throw new Error(`AssemblyScript could not compile wasm/${WASM_ENTRY_FILE} (${flavour}): ${result.error.message}\n${stderr.toString()}`);
  }
  if (!binary) throw new Error(`AssemblyScript wrote no binary for wasm/${WASM_ENTRY_FILE} (${flavour}).`);
  return binary;
}

/** The AssemblyScript files under WASM_SOURCE_DIR, absolute paths in a stable order. */
export async function wasmSourceFiles(): Promise<string[]> {
  const names = (await readdir(WASM_SOURCE_DIR)).filter((name) => name.endsWith('.ts')).sort();
  return names.map((name) => join(WASM_SOURCE_DIR, name));
}

async function hashSources(): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([COMMON_FLAGS, FLAVOUR_FLAGS]));
  for (const file of await wasmSourceFiles()) hash.update(file).update(await readFile(file));
  return hash.digest('hex');
}

let cached: Promise<BuiltWasmKernels> | undefined;
let cachedHash: string | undefined;

/**
 * Both flavours, compiled once per distinct source: the dev server, the production build, its worker bundle
 * and vitest ask again and again, and an unchanged source (hashed, a millisecond) is not compiled twice.
 */
export async function buildWasmKernels(): Promise<BuiltWasmKernels> {
  const sourceHash = await hashSources();
  if (!cached || cachedHash !== sourceHash) {
    cachedHash = sourceHash;
    cached = (async () => {
      const [simd, relaxedSimd] = [await buildWasmFlavour('simd'), await buildWasmFlavour('relaxedSimd')];
      return { simd, relaxedSimd, sourceHash };
    })();
    // A failed compile is not cached: the next request (after the source is fixed) tries again.
    cached.catch(() => {
      if (cachedHash === sourceHash) cached = cachedHash = undefined;
    });
  }
  return cached;
}
