/**
 * The dot-product kernels on their own, without the lab's engine around them: the kernel bench
 * (src/cli/webgpu-matmul-bench.ts) and the kernel browser tests import this module into a page served from
 * source by Vite's dev server, so they can run any variant, shape and size (n = 1 included, below what the
 * experiment's parameters allow). The app itself never imports it.
 */
import { GpuDeviceHolder } from '../../executors/gpu-device.ts';
import { median } from '../../measure/stats.ts';
import { runMatmulGpu, setupMatmulGpu, teardownMatmulGpu, type MatmulVariant, type RegisterTileShape } from './gpu.ts';
import { matmulReferenceSampled, sampledRelativeError } from './matmul.ts';

/** One device for the page, as one experiment of the lab has. */
const devices = new GpuDeviceHolder();

/** What a set-up reported, as the lab would record it. */
export interface KernelSetupReport {
  compileMs: number;
  mode?: string;
  note: string;
  timestampQuery: boolean;
}

/** C = A·B on the GPU through the variant's set-up and one timed run; numbers in and out as plain arrays (they cross the driver). */
export async function multiplyOnGpu(request: {
  variant: MatmulVariant;
  n: number;
  a: readonly number[];
  b: readonly number[];
  shapes?: readonly RegisterTileShape[];
}): Promise<KernelSetupReport & { output: number[]; gpuKernelMs?: number }> {
  const { variant, n } = request;
  const device = await devices.get();
  const signal = new AbortController().signal;
  const setup = await setupMatmulGpu(device, n, variant, signal, request.shapes);
  try {
    const run = await runMatmulGpu(setup.gpu, Float32Array.from(request.a), Float32Array.from(request.b), signal);
    return {
      ...report(device, setup),
      output: Array.from(run.output),
      ...(run.gpuKernelMs !== undefined ? { gpuKernelMs: run.gpuKernelMs } : {}),
    };
  } finally {
    teardownMatmulGpu(setup.gpu);
  }
}

/** Medians of one variant at one n: wall time of the lab's timed run (upload, dispatch, read-back) and the GPU's kernel time. */
export interface KernelBenchReport extends KernelSetupReport {
  variant: MatmulVariant;
  n: number;
  wallMs: number[];
  gpuKernelMs: number[];
  medianWallMs: number;
  medianGpuKernelMs?: number;
  /** The fastest sample: on a busy machine, the closest to what the kernel costs alone. */
  minWallMs: number;
  minGpuKernelMs?: number;
  /** The last sample's max |C − C₆₄| / max |C₆₄| over the rows and columns the lab checks at this n (NaN: an element not finite). */
  relativeError: number;
}

/**
 * Set up (trial included, untimed), one warm-up run, then `samples` timed runs on random inputs, as the lab
 * times them; the last sample's product is checked as the lab checks it.
 */
export async function benchmarkOnGpu(request: {
  variant: MatmulVariant;
  n: number;
  samples: number;
  shapes?: readonly RegisterTileShape[];
}): Promise<KernelBenchReport> {
  const { variant, n, samples } = request;
  const device = await devices.get();
  const signal = new AbortController().signal;
  const random = () => Float32Array.from({ length: n * n }, () => 0.5 + Math.random());
  const a = random();
  const b = random();
  const setup = await setupMatmulGpu(device, n, variant, signal, request.shapes);
  try {
    await runMatmulGpu(setup.gpu, a, b, signal);
    const wallMs: number[] = [];
    const gpuKernelMs: number[] = [];
    let output: Float32Array | undefined;
    for (let sample = 0; sample < samples; sample++) {
      const start = performance.now();
      const run = await runMatmulGpu(setup.gpu, a, b, signal);
      wallMs.push(performance.now() - start);
      if (run.gpuKernelMs !== undefined) gpuKernelMs.push(run.gpuKernelMs);
      output = run.output;
    }
    return {
      variant,
      n,
      ...report(device, setup),
      wallMs,
      gpuKernelMs,
      medianWallMs: median(wallMs),
      minWallMs: Math.min(...wallMs),
      ...(gpuKernelMs.length > 0 ? { medianGpuKernelMs: median(gpuKernelMs), minGpuKernelMs: Math.min(...gpuKernelMs) } : {}),
      relativeError: sampledRelativeError(output!, matmulReferenceSampled(a, b, n, Math.random)),
    };
  } finally {
    teardownMatmulGpu(setup.gpu);
  }
}

function report(device: GPUDevice, setup: { compileMs: number; mode?: string; note: string }): KernelSetupReport {
  return {
    compileMs: setup.compileMs,
    ...(setup.mode !== undefined ? { mode: setup.mode } : {}),
    note: setup.note,
    timestampQuery: device.features.has('timestamp-query'),
  };
}
