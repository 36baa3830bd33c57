/// <reference path="./gpujs.d.ts" />
/**
 * gpu.js, loaded only when its backend runs (it is a large library with its own JavaScript parser), and
 * asked afterwards which of its backends actually ran: it falls back silently, down to plain JavaScript
 * on the CPU, and a result must say so.
 */
import type { GpuJsInstance, GpuJsKernelRun, GpuJsKernelSettings, GpuJsStatic } from 'gpu.js/dist/gpu-browser.js';
import { epochNowMs } from '../measure/clock.ts';
import type { TaskSpan } from '../measure/timeline.ts';
import { evalAllowed } from '../env/page-policy.ts';
import { isAbortError, raceAbort } from './abort.ts';

/** Which gpu.js backend ran a kernel, named as gpu.js names its modes. */
export type GpuJsMode = 'webgpu' | 'webgl2' | 'webgl' | 'headlessgl' | 'webasm' | 'cpu' | 'unknown';

let loading: Promise<GpuJsStatic> | undefined;

/**
 * Load gpu.js on first use, in its own chunk. The browser build `dist/gpu-browser.js` (the package's `browser`
 * field) is the one to use: `dist/gpu-browser-core.js` leaves out the JavaScript parser and can only run
 * kernels precompiled to JSON, so compiling a kernel there fails with "inParser.parse is not a function".
 */
export function loadGpuJs(): Promise<GpuJsStatic> {
  loading ??= import('gpu.js/dist/gpu-browser.js').then((ns) => {
    // A UMD file: bundlers hand it over as the default export, Node's CommonJS interop as named ones too.
    const lib = ((ns as { default?: GpuJsStatic }).default ?? ns) as GpuJsStatic;
    return lib.GPU ?? lib;
  });
  loading.catch(() => (loading = undefined));
  return loading;
}

/** The backend behind a kernel that has run once (gpu.js picks, upgrades and falls back on the first call). */
export function runningMode(GPU: GpuJsStatic, run: GpuJsKernelRun): GpuJsMode {
  const kernel = run.kernel;
  // Subclasses first: WebGL2Kernel and HeadlessGLKernel extend WebGLKernel.
  if (kernel instanceof GPU.WebGPUKernel) return 'webgpu';
  if (kernel instanceof GPU.WebGL2Kernel) return 'webgl2';
  if (kernel instanceof GPU.HeadlessGLKernel) return 'headlessgl';
  if (kernel instanceof GPU.WebGLKernel) return 'webgl';
  if (kernel instanceof GPU.WebAssemblyKernel) return 'webasm';
  if (kernel instanceof GPU.CPUKernel) return 'cpu';
  return 'unknown';
}

/** What a result should say about the mode that ran, or undefined when gpu.js ran on a GPU as hoped. */
export function describeMode(mode: GpuJsMode, fallbackReason?: string | null): string | undefined {
  const why = fallbackReason ? ` (${fallbackReason})` : '';
  switch (mode) {
    case 'webgpu':
    case 'headlessgl':
      return undefined;
    case 'webgl2':
      return typeof navigator !== 'undefined' && 'gpu' in navigator && navigator.gpu
        ? 'gpu.js ran on WebGL2: its upgrade to WebGPU was declined (no adapter, or a kernel it cannot take).'
        : undefined;
    case 'webgl':
      return `gpu.js ran on WebGL 1: no WebGL2/WebGPU here${why}.`;
    case 'webasm':
      return `gpu.js fell back to WebAssembly on the CPU: no WebGL2/WebGPU here${why}.`;
    case 'cpu':
      return `gpu.js fell back to its CPU mode: no WebGL2/WebGPU here${why}.`;
    case 'unknown':
      return 'gpu.js ran on a backend this lab does not recognise.';
  }
}

/** A gpu.js kernel compiled and run once, with the mode it landed on. */
export interface GpuJsKernel {
  gpu: GpuJsInstance;
  run: GpuJsKernelRun;
  GPU: GpuJsStatic;
  mode: GpuJsMode;
  note?: string;
  /** The first call: parsing, code generation, shader compilation, and one run with upload and read-back. */
  compileMs: number;
  span: TaskSpan;
  /** The first call's result, for a check that the compiled kernel computes what it should. */
  firstResult: unknown;
}

/** A compiled kernel as a workload's set-up reports it: its compile time, the mode it really ran in, and its span. */
export function gpuJsSetupOutcome(kernel: GpuJsKernel) {
  return {
    state: { kernel },
    compileMs: kernel.compileMs,
    mode: kernel.mode,
    ...(kernel.note !== undefined ? { note: kernel.note } : {}),
    spans: [kernel.span],
  };
}

/**
 * Create a kernel and call it once, untimed: gpu.js compiles on the first call, and in mode 'async'
 * that call is also where it upgrades to WebGPU. The kernel source is a string so that minifying the
 * app cannot rewrite it into something gpu.js's parser does not accept.
 */
export async function compileGpuJsKernel(options: {
  source: string;
  settings: (GPU: GpuJsStatic) => GpuJsKernelSettings;
  firstArgs: (GPU: GpuJsStatic) => unknown[];
  signal: AbortSignal;
  /** 'async' (default): gpu.js's own choice of its best backend here, WebGPU included. */
  mode?: string;
}): Promise<GpuJsKernel> {
  const GPU = await raceAbort(loadGpuJs(), options.signal);
  const gpu = new GPU({ mode: options.mode ?? 'async' });
  let run: GpuJsKernelRun | undefined;
  try {
    const startEpochMs = epochNowMs();
    const start = performance.now();
    run = gpu.createKernel(options.source, options.settings(GPU));
    const firstResult = await raceAbort(Promise.resolve(run(...options.firstArgs(GPU))), options.signal);
    const compileMs = performance.now() - start;
    const mode = runningMode(GPU, run);
    const note = describeMode(mode, run.kernel.fallbackReason);
    return {
      gpu,
      run,
      GPU,
      mode,
      ...(note !== undefined ? { note } : {}),
      compileMs,
      span: { lane: 0, task: 0, startEpochMs, endEpochMs: epochNowMs(), phase: 'compile' },
      firstResult,
    };
  } catch (error) {
    await destroyGpuJs(gpu);
    // gpu.js's last resort compiles the kernel with `new Function`, which the lab's policy refuses: say so.
    if (run?.kernel instanceof GPU.CPUKernel && !isAbortError(error) && !evalAllowed()) throw new Error(CPU_MODE_REFUSED, { cause: error });
    throw error;
  }
}

/**
 * Why gpu.js fails where it would fall back to its CPU mode (no WebGPU, WebGL or WebAssembly): that mode
 * turns the kernel into JavaScript source and runs it with `new Function`, and the lab's
 * Content-Security-Policy allows no eval.
 */
const CPU_MODE_REFUSED =
  "gpu.js found no WebGPU, WebGL or WebAssembly here and fell back to its CPU mode, which compiles kernels with new Function: the lab's Content-Security-Policy allows no eval, so this backend does not run here.";

/** Release a gpu.js instance's kernels and contexts; a failure to clean up is not the experiment's failure. */
export async function destroyGpuJs(gpu: GpuJsInstance | undefined): Promise<void> {
  try {
    await gpu?.destroy();
  } catch {
    // Nothing useful to report: the instance is dropped either way.
  }
}
