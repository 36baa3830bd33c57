import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { embedClient } from './build/embed-client-plugin.ts';
import { resultsElement } from './build/results-element-plugin.ts';
import { wasmKernels } from './build/wasm-kernels-plugin.ts';
import { labHeaders } from './build/lab-headers-plugin.ts';
import { policyOptionsFromEnv } from './build/content-security-policy.ts';
import { latencyEndpoint } from './src/cli/latency-endpoint.ts';
import { BROWSER_CRASH_MARKER } from './src/cli/lab-page.ts';

/**
 * Browser test files that read timings or core counts, which another test beside them would distort, and the
 * one that kills WebKit's page processes, which must find no other test's among them.
 */
const ALONE_BROWSER_TESTS = [
  'test/browser/busy.test.ts',
  'test/browser/task-ring.test.ts',
  'test/browser/bench.test.ts',
  'test/browser/browser-crash.test.ts',
];

/** What every browser test project shares: the build and server of the global setup, and generous limits. */
const browserTestLimits = {
  environment: 'node' as const,
  globalSetup: ['test/browser/global-setup.ts'],
  testTimeout: 240_000,
  hookTimeout: 120_000,
  // A test whose browser page crashed under it (WebKitGTK's, rarely) runs once more on a browser launched
  // afresh (see useLab); any other failure fails at once.
  retry: { count: 1, condition: new RegExp(BROWSER_CRASH_MARKER) },
};

export default defineConfig({
  plugins: [svelte(), labHeaders(policyOptionsFromEnv()), latencyEndpoint(), wasmKernels({ emitBareFile: true }), embedClient(), resultsElement()],
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
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // The files share each worker's module cache: imports (the engine, TypeBox, the kernels) load once a
          // worker rather than once a file, about 20 s of the project's 70. They also pass shuffled this way.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        // Browser tests that check what the lab shows and does, not how fast: two files at a time.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          exclude: ALONE_BROWSER_TESTS,
          ...browserTestLimits,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        // Browser tests that measure the machine (usable cores, an idle pool's cost), run the bench, or kill a
        // browser's page: alone, last.
        test: {
          name: 'browser-alone',
          include: ALONE_BROWSER_TESTS,
          ...browserTestLimits,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
