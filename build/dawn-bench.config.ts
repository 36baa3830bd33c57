/**
 * Builds src/cli/webgpu-matmul-dawn.ts into one Node script (`npm run bench:dawn`): the WGSL shaders and every
 * module it imports inlined, so the script runs with nothing beside it but Dawn's `webgpu` package.
 */
import { defineConfig } from 'vite';
import { wasmKernels } from './wasm-kernels-plugin.ts';

export default defineConfig({
  // The kernels' modules reach the WebAssembly kernels' module, compiled from source as in the app.
  plugins: [wasmKernels()],
  publicDir: false,
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: 'src/cli/webgpu-matmul-dawn.ts',
    outDir: '.bench/dawn',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: false,
    rollupOptions: { external: ['webgpu'] },
  },
});
