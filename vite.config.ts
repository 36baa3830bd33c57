import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { embedClient } from './build/embed-client-plugin.ts';
import { wasmKernels } from './build/wasm-kernels-plugin.ts';
import { labHeaders } from './build/lab-headers-plugin.ts';
import { policyOptionsFromEnv } from './build/content-security-policy.ts';
import { latencyEndpoint } from './src/cli/latency-endpoint.ts';

export default defineConfig({
  plugins: [svelte(), labHeaders(policyOptionsFromEnv()), latencyEndpoint(), wasmKernels(), embedClient()],
  // The isolation headers and the Content-Security-Policy come from labHeaders(), on every response (Vite's `headers` skip 304s).
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  worker: { format: 'es', plugins: () => [wasmKernels()] },
  // The manifest tells the bundle check (src/cli/check-bundle.ts) which chunks the first load imports.
  build: { target: 'es2022', sourcemap: true, manifest: true },
  test: {
    projects: [
      {
        extends: true,
        // Generous limits: the first test to import the WebAssembly kernels compiles them (seconds on a loaded 2-core machine).
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
