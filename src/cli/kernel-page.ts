/**
 * A browser page opened on Vite's dev server with the dot-product kernel harness
 * (src/workloads/dot-product/gpu-harness.ts) imported from source: the kernel bench and the kernel browser
 * tests drive the WebGPU kernels through it, without the lab's engine.
 */
import type { KernelBenchReport, KernelSetupReport } from '../workloads/dot-product/gpu-harness.ts';
import type { MatmulVariant, RegisterTileShape } from '../workloads/dot-product/gpu.ts';
import type { LabPage, LaunchedBrowser } from './browsers.ts';
import { waitForLab } from './run-in-browser.ts';

/** Where the dev server serves the harness: the page imports it by this path. */
const HARNESS_PATH = '/src/workloads/dot-product/gpu-harness.ts';

/**
 * Runs in the page: import the harness and call one of its functions. Built from source text so that no
 * tool on the Node side (vitest rewrites `import()` in the modules it loads) touches the dynamic import.
 */
const callHarness = new Function(
  'args',
  'return import(args.path).then((harness) => harness[args.name](args.request));',
) as (args: { path: string; name: string; request: unknown }) => Promise<unknown>;

/** The harness's functions, called from Node: arguments and results cross the driver as JSON. */
export interface KernelPage {
  multiply(request: {
    variant: MatmulVariant;
    n: number;
    a: readonly number[];
    b: readonly number[];
    shapes?: readonly RegisterTileShape[];
  }): Promise<KernelSetupReport & { output: number[]; gpuKernelMs?: number }>;
  benchmark(request: { variant: MatmulVariant; n: number; samples: number; shapes?: readonly RegisterTileShape[] }): Promise<KernelBenchReport>;
  page: LabPage;
}

/** Open `devServerUrl` (see serveSource) in `browser` and wait for the app, so the dev server has settled its dependencies. */
export async function openKernelPage(browser: LaunchedBrowser, devServerUrl: string): Promise<KernelPage> {
  const page = await browser.newPage();
  await page.goto(devServerUrl);
  // The dev server compiles modules on first request; the first load of the whole app is slow on 2 cores.
  await waitForLab(page, 120_000);
  const call = <T>(name: 'multiplyOnGpu' | 'benchmarkOnGpu', request: unknown) =>
    page.evaluate(callHarness, { path: HARNESS_PATH, name, request }) as Promise<T>;
  return {
    multiply: (request) => call('multiplyOnGpu', request),
    benchmark: (request) => call('benchmarkOnGpu', request),
    page,
  };
}
