/**
 * Vite plugin: `import { simd, relaxedSimd } from 'virtual:wasm-kernels'` gives the bytes of the WebAssembly
 * kernels, compiled from wasm/ by AssemblyScript when the dev server, the build or vitest first asks, so no
 * binary is committed and no toolchain is downloaded. A compile error fails the build with the compiler's
 * message; in the dev server, editing wasm/ reloads the page with the new kernels.
 */
import type { Plugin } from 'vite';
import { buildWasmKernels, WASM_SOURCE_DIR, wasmSourceFiles } from './wasm-kernels-compile.ts';

/** The id pages import; its types are in src/wasm-kernels.d.ts. */
export const WASM_KERNELS_MODULE_ID = 'virtual:wasm-kernels';
const RESOLVED_ID = `\0${WASM_KERNELS_MODULE_ID}`;

/** Bytes as base64 text (a third larger than binary, a third the size of a number list), decoded once on import. */
function bytesModuleSource(exports: Record<string, Uint8Array>): string {
  const lines = ['const decode = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));'];
  for (const [name, bytes] of Object.entries(exports)) {
    lines.push(`export const ${name} = decode(${JSON.stringify(Buffer.from(bytes).toString('base64'))});`);
  }
  return lines.join('\n');
}

/** Where the build writes the plain-SIMD kernels as a file, for the bare reference page (public/bare/wasm-add.html). */
export const BARE_WASM_FILE = 'bare/wasm-kernels-simd.wasm';

/**
 * Register in vite.config.ts `plugins` (and `worker.plugins` where workers import the virtual module).
 * `emitBareFile`: also write the plain-SIMD kernels to BARE_WASM_FILE in the build (once: the page's build).
 */
export function wasmKernels(options: { emitBareFile?: boolean } = {}): Plugin {
  return {
    name: 'parallel-lab:wasm-kernels',
    async generateBundle() {
      if (!options.emitBareFile) return;
      const kernels = await buildWasmKernels();
      this.emitFile({ type: 'asset', fileName: BARE_WASM_FILE, source: kernels.simd });
    },
    resolveId(id) {
      return id === WASM_KERNELS_MODULE_ID ? RESOLVED_ID : undefined;
    },
    async load(id) {
      if (id !== RESOLVED_ID) return undefined;
      for (const file of await wasmSourceFiles()) this.addWatchFile(file);
      try {
        const kernels = await buildWasmKernels();
        return bytesModuleSource({ simd: kernels.simd, relaxedSimd: kernels.relaxedSimd });
      } catch (error) {
        this.error(error instanceof Error ? error.message : String(error));
      }
    },
    hotUpdate({ file }) {
      if (!file.startsWith(WASM_SOURCE_DIR)) return;
      const module = this.environment.moduleGraph.getModuleById(RESOLVED_ID);
      if (module) this.environment.moduleGraph.invalidateModule(module);
      if (this.environment.name === 'client') {
        // Workers and their instances hold the old module: only a fresh page runs the new kernels.
        this.environment.logger.info(`wasm/${file.slice(WASM_SOURCE_DIR.length)} changed: reloading the page with recompiled WebAssembly kernels`, { timestamp: true });
        this.environment.hot.send({ type: 'full-reload' });
      }
      return [];
    },
  };
}
