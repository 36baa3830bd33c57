/**
 * The dot-product WebGPU kernels in each real browser at awkward sizes (n = 1, and n not a multiple of any
 * tile), run from source through Vite's dev server so sizes below the experiment's minimum can be tried too.
 * Every answer is checked against the float64 reference on random non-zero inputs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSERS, launchBrowser, type LaunchedBrowser } from '../../src/cli/browsers.ts';
import { openKernelPage, type KernelPage } from '../../src/cli/kernel-page.ts';
import { serveSource, type RunningServer } from '../../src/cli/serve.ts';
import { fillRandomNonZero } from '../../src/workloads/shared/float32.ts';
import { describeRegisterShape, REGISTER_TILE_SHAPES, type MatmulVariant } from '../../src/workloads/dot-product/gpu.ts';
import { MAX_RELATIVE_ERROR } from '../../src/workloads/dot-product/index.ts';
import { matmulReference64, maxRelativeError } from '../../src/workloads/dot-product/matmul.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await serveSource();
});
afterAll(async () => {
  await server?.close();
});

/** Random non-zero n×n inputs, as plain arrays for the driver, and their float64 product. */
function inputs(n: number) {
  const a = fillRandomNonZero(new Float32Array(n * n), Math.random);
  const b = fillRandomNonZero(new Float32Array(n * n), Math.random);
  return { a: Array.from(a), b: Array.from(b), reference: matmulReference64(a, b, n) };
}

describe.each(BROWSERS)('dot-product WebGPU kernels in %s', (browserName) => {
  let browser: LaunchedBrowser;
  let kernels: KernelPage;
  beforeAll(async () => {
    browser = await launchBrowser(browserName);
    kernels = await openKernelPage(browser, server.url);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const multiply = async (variant: MatmulVariant, n: number, shapes?: typeof REGISTER_TILE_SHAPES) => {
    const { a, b, reference } = inputs(n);
    const result = await kernels.multiply({ variant, n, a, b, ...(shapes ? { shapes } : {}) });
    return { ...result, error: maxRelativeError(result.output, reference) };
  };

  it.each([1, 17, 100, 130])('register at n = %i: the trial picks a shape, and C is within 1e-3 of the float64 reference', async (n) => {
    const result = await multiply('register', n);
    expect(result.output).toHaveLength(n * n);
    expect(result.error).toBeLessThan(MAX_RELATIVE_ERROR);
    expect(REGISTER_TILE_SHAPES.map(describeRegisterShape)).toContain(result.mode);
    expect(result.note).toMatch(/shape chosen by a trial at n = \d+/);
    expect(result.note).toMatch(result.timestampQuery ? /timestamp-query available/ : /timestamp-query not offered/);
    if (result.timestampQuery) expect(result.gpuKernelMs).toBeGreaterThanOrEqual(0);
    else expect(result.gpuKernelMs).toBeUndefined();
  });

  // The trial keeps one shape; each must be right on its own, at sizes that end mid-tile and mid-vec4.
  it.each(REGISTER_TILE_SHAPES.map((shape) => [describeRegisterShape(shape), shape] as const))('register with %s alone at n = 37 and 66', async (_, shape) => {
    for (const n of [37, 66]) {
      const result = await multiply('register', n, [shape]);
      expect(result.mode).toBe(describeRegisterShape(shape));
      expect(result.error, `n = ${n}`).toBeLessThan(MAX_RELATIVE_ERROR);
    }
  });

  it.each(['tiled', 'naive'] as const)('%s at n = 17 still agrees, now with its GPU time beside it', async (variant) => {
    const result = await multiply(variant, 17);
    expect(result.error).toBeLessThan(MAX_RELATIVE_ERROR);
    expect(result.mode).toBeUndefined();
    if (result.timestampQuery) expect(result.gpuKernelMs).toBeGreaterThanOrEqual(0);
  });
});
