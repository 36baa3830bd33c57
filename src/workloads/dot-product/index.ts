/** Matrix product: the post's `np.dot(a, b)`, arithmetic-heavy work that parallelises and suits the GPU. */
import { geometricSizes, sizedConfigurations } from '../../engine/sweep.ts';
import { throwIfAborted } from '../../executors/abort.ts';
import { compileGpuJsKernel, destroyGpuJs, gpuJsSetupOutcome, type GpuJsKernel } from '../../executors/gpujs.ts';
import { epochNowMs } from '../../measure/clock.ts';
import { kernelRef } from '../kernels.ts';
import { fillRandomNonZero, poisonOutput, toShared } from '../shared/float32.ts';
import { splitRange, type IntRange } from '../shared/ranges.ts';
import { variantsOf, type BackendId, type BackendImplementation, type Params, type Workload } from '../types.ts';
import type { WasmInstanceRef, WasmMatmulRows } from '../shared/wasm-kernels.ts';
import { copyIntoArena, setUpWasm, wasmModeNote, type WasmSetup } from '../shared/wasm-setup.ts';
import type { MatmulGpu, MatmulVariant } from './gpu.ts';
import { JS_BLOCK, MAX_RELATIVE_ERROR, matmulReferenceSampled, sampledRelativeError, type MatmulCopied, type MatmulReference, type MatmulRows } from './matmul.ts';
import { SIZE_LABELS } from '../size-labels.ts';

export { MAX_RELATIVE_ERROR };

/** gpu.js kernel source, kept a string so that minifying the app cannot rewrite it. */
const GPUJS_MATMUL = `function matmul(a, b) {
  let sum = 0;
  for (let k = 0; k < this.constants.n; k++) {
    sum += a[this.thread.y][k] * b[k][this.thread.x];
  }
  return sum;
}`;

interface Prepared {
  n: number;
  a: Float32Array;
  b: Float32Array;
  /** Every element of C in float64 up to FULL_CHECK_MAX_N, sampled rows and columns above. */
  reference: MatmulReference;
  sizes: number[];
}

type Impl<State> = BackendImplementation<Prepared, Float32Array, State>;

const sizesOf = (params: Params) => geometricSizes(params.minN!, params.maxN!, 2);

/** Rows of C per lane, as many lanes as the configuration has (never more than rows). */
const rowsPerLane = (workers: number, n: number) => splitRange(0, n, Math.max(1, Math.min(workers, n)));

/** gpu.js returns a 2-D output as an array of rows; the check wants one row-major array. */
function flatten(output: unknown, n: number): Float32Array {
  if (output instanceof Float32Array && output.length === n * n) return output;
  const rows = output as ArrayLike<ArrayLike<number>>;
  const flat = new Float32Array(n * n);
  for (let i = 0; i < Math.min(n, rows.length); i++) flat.set(rows[i]!, i * n);
  return flat;
}

/** The cache-blocked JavaScript kernel on the main thread, into an output made once and poisoned before every run. */
const serial: Impl<{ c: Float32Array }> = {
  async setup(_ctx, { n }) {
    return { state: { c: new Float32Array(n * n) } };
  },
  beforeRun: (_prepared, { c }) => poisonOutput(c),
  async run(ctx, { a, b, n }, { c }) {
    const { spans } = await ctx.executor.map<MatmulRows, void>(kernelRef('dot-product', 'matmulRows'), [{ a, b, c, n, rowStart: 0, rowEnd: n }], ctx.signal);
    return { output: c, spans };
  },
};

/** Each lane gets a copy of its rows of A and all of B, and sends its rows of C back. */
const workers: Impl<{ ranges: IntRange[]; tasks: MatmulCopied[] }> = {
  async setup(ctx, { a, b, n }) {
    const ranges = rowsPerLane(ctx.config.workers, n);
    // Each lane's rows of A as an array of its own (a view would be cloned with its whole buffer), and B whole.
    return { state: { ranges, tasks: ranges.map((r) => ({ aRows: a.slice(r.start * n, r.end * n), b, n })) } };
  },
  async run(ctx, { n }, { ranges, tasks }) {
    const { results, spans } = await ctx.executor.map<MatmulCopied, Float32Array>(kernelRef('dot-product', 'matmulCopied'), tasks, ctx.signal);
    const c = new Float32Array(n * n);
    ranges.forEach((r, i) => c.set(results[i]!, r.start * n));
    return { output: c, spans };
  },
};

/** Lanes read A and B and write their rows of C in SharedArrayBuffers: nothing is copied. */
const sharedMemory: Impl<{ ranges: IntRange[]; a: Float32Array; b: Float32Array; c: Float32Array }> = {
  async setup(ctx, { a, b, n }) {
    return { state: { ranges: rowsPerLane(ctx.config.workers, n), a: toShared(a), b: toShared(b), c: toShared(new Float32Array(n * n)) } };
  },
  beforeRun: (_prepared, { c }) => poisonOutput(c),
  async run(ctx, { n }, state) {
    const { a, b, c } = state;
    const { spans } = await ctx.executor.map<MatmulRows, void>(
      kernelRef('dot-product', 'matmulRows'),
      state.ranges.map((r) => ({ a, b, c, n, rowStart: r.start, rowEnd: r.end })),
      ctx.signal,
    );
    return { output: c, spans };
  },
};

/**
 * WebAssembly SIMD on one shared memory: A and B written into it once, each lane computes its rows of C with a
 * register-blocked microkernel over packed panels, in a scratch area of its own.
 */
const wasmSimd: Impl<{ wasm: WasmSetup; tasks: WasmMatmulRows[]; c: Float32Array }> = {
  async setup(ctx, { a, b, n }) {
    const ranges = rowsPerLane(ctx.config.workers, n);
    const wasm = await setUpWasm(3 * 4 * n * n);
    const aIn = copyIntoArena(wasm.arena, a);
    const bIn = copyIntoArena(wasm.arena, b);
    const c = wasm.arena.allocFloat32(n * n);
    // The kernels know their scratch layout: ask a lane (set-up, untimed) rather than repeat it here.
    const { results } = await ctx.executor.map<WasmInstanceRef & { n: number }, number>(
      kernelRef('dot-product', 'wasmMatmulScratchBytes'),
      [{ ...wasm.ref, n }],
      ctx.signal,
    );
    const scratch = wasm.arena.allocScratchAreas(results[0]!, ranges.length);
    const tasks = ranges.map((r, i) => ({
      ...wasm.ref,
      aPtr: aIn.ptr,
      bPtr: bIn.ptr,
      cPtr: c.ptr,
      n,
      rowStart: r.start,
      rowEnd: r.end,
      scratchPtr: scratch[i]!,
    }));
    return { state: { wasm, tasks, c: c.view }, mode: wasm.mode, compileMs: wasm.compileMs, note: wasmModeNote(wasm.mode) };
  },
  beforeRun: (_prepared, { c }) => poisonOutput(c),
  async run(ctx, _prepared, { tasks, c }) {
    const { spans } = await ctx.executor.map<WasmMatmulRows, void>(kernelRef('dot-product', 'wasmMatmulRows'), tasks, ctx.signal);
    return { output: c, spans };
  },
};

/**
 * WGSL compute shaders: register-tiled (its tile shape picked by a short trial at set-up), tiled, and naive as
 * their baseline; loaded only when this backend runs.
 */
const webgpu: Impl<{ gpu: MatmulGpu; module: typeof import('./gpu.ts') }> = {
  variants: ['register', 'tiled', 'naive'] satisfies readonly MatmulVariant[],
  async setup(ctx, { n }) {
    const variant = (ctx.config.variant ?? 'tiled') as MatmulVariant;
    const module = await import('./gpu.ts');
    const device = await ctx.gpuDevice();
    // The trial compiles every candidate shape: seconds each on a software GPU, so only when asked for.
    const shapes = ctx.params.tileTrial ? module.REGISTER_TILE_SHAPES : module.REGISTER_TILE_SHAPES.slice(0, 1);
    const { gpu, ...outcome } = await module.setupMatmulGpu(device, n, variant, ctx.signal, shapes);
    return { state: { gpu, module }, ...outcome };
  },
  run: (ctx, { a, b }, { gpu, module }) => module.runMatmulGpu(gpu, a, b, ctx.signal),
  teardown: ({ gpu, module }) => module.teardownMatmulGpu(gpu),
};

/** gpu.js as its users call it: one kernel call with both matrices as inputs. */
const gpujs: Impl<{ kernel: GpuJsKernel }> = {
  async setup(ctx, { n, a, b }) {
    const kernel = await compileGpuJsKernel({
      source: GPUJS_MATMUL,
      settings: () => ({ output: [n, n], constants: { n }, loopMaxIterations: n, precision: 'single', tactic: 'precision' }),
      firstArgs: (GPU) => [GPU.input(a, [n, n]), GPU.input(b, [n, n])],
      signal: ctx.signal,
    });
    return gpuJsSetupOutcome(kernel);
  },
  async run(ctx, { a, b, n }, { kernel }) {
    throwIfAborted(ctx.signal);
    const { GPU } = kernel;
    const startEpochMs = epochNowMs();
    const output = await kernel.run(GPU.input(a, [n, n]), GPU.input(b, [n, n]));
    const spans = [{ lane: 0, task: 0, startEpochMs, endEpochMs: epochNowMs(), phase: 'kernel-call' }];
    return { output: flatten(output, n), spans };
  },
  teardown: ({ kernel }) => destroyGpuJs(kernel.gpu),
};

export const dotProduct: Workload<Prepared, Float32Array> = {
  meta: {
    id: 'dot-product',
    title: 'Matrix product (np.dot)',
    postRow: 'Dot Product: `res = np.dot(a, b)` (serial 2.8 s, 2 threads 3.4 s, 2 processes 3.3 s: NumPy already used every core)',
    summary:
      'A matrix product does 2n³ flops on 3n² numbers, so computation outweighs data movement as n grows. ' +
      'NumPy already spread it over every core, which is why the post saw no gain from adding threads; in the ' +
      'browser nothing does that for you, so workers (copying their rows of A and all of B) and shared memory ' +
      '(copying nothing) give real speedups once n is large enough to pay for starting the lanes. WebAssembly ' +
      'SIMD on shared memory is the browser\'s NumPy: compiled, vectorised, cache-blocked code, many times the ' +
      'JavaScript loop on every lane. The GPU wins at large n on a real GPU; its register-tiled kernel (blocks of ' +
      'outputs per invocation from tiles in workgroup memory) should beat the tiled one, and both the naive one.',
    backends: ['serial', 'workers', 'shared-memory', 'wasm-simd', 'webgpu', 'gpujs'],
    sizeLabel: SIZE_LABELS['dot-product'],
  },
  params: [
    {
      key: 'minN',
      label: 'Smallest matrix size',
      description: 'n of the first n×n product; sizes double up to the largest.',
      min: 8,
      max: 2_048,
      integer: true,
      presets: { quick: 64, default: 128, thorough: 32 },
    },
    {
      key: 'maxN',
      label: 'Largest matrix size',
      description:
        'n of the last product tried; each backend stops earlier once one run would take longer than the preset allows. ' +
        'Lane backends are swept over lane counts at the largest n they reached.',
      min: 8,
      // 2048: 16 MiB per matrix, 17 Gflop per product (seconds per run in JavaScript).
      max: 2_048,
      integer: true,
      presets: { quick: 256, default: 2_048, thorough: 2_048 },
    },
    {
      key: 'tileTrial',
      label: 'Try every register tile shape',
      description:
        '1: the register-tiled WGSL kernel tries each candidate tile shape at set-up (untimed) and keeps the fastest; ' +
        '0: it uses the first, which reads A and B straight from storage (the fastest on GPUs emulated on the CPU). ' +
        'Compiling a staged shape takes seconds on a GPU emulated on the CPU.',
      min: 0,
      max: 1,
      integer: true,
      presets: { quick: 0, default: 0, thorough: 1 },
    },
    {
      key: 'compareKernels',
      label: 'Compare WGSL kernels',
      description:
        '1: the naive and the workgroup-tiled WGSL kernels run beside the register-tiled one, so the chart shows what ' +
        'each step of tiling buys; 0: only the register-tiled kernel runs.',
      min: 0,
      max: 1,
      integer: true,
      presets: { quick: 0, default: 0, thorough: 1 },
    },
  ],
  implementations: { serial, workers, 'shared-memory': sharedMemory, 'wasm-simd': wasmSimd, webgpu, gpujs },
  sizeGrowth: { workExponent: 3 },
  configurations(params, hardwareConcurrency, backends) {
    // The first variant of a backend is its best; the others are there to compare against it.
    const variants = (backend: BackendId) => (params.compareKernels === 1 ? variantsOf(dotProduct, backend) : variantsOf(dotProduct, backend).slice(0, 1));
    return sizedConfigurations(sizesOf(params), hardwareConcurrency, backends, variants);
  },
  prepare(params, random, size): Prepared {
    const n = size ?? params.maxN!;
    const a = fillRandomNonZero(new Float32Array(n * n), random);
    const b = fillRandomNonZero(new Float32Array(n * n), random);
    return { n, a, b, reference: matmulReferenceSampled(a, b, n, random), sizes: sizesOf(params) };
  },
  verify(output, prepared) {
    const { reference } = prepared;
    const error = sampledRelativeError(output, reference);
    const ok = error <= MAX_RELATIVE_ERROR;
    const over = reference.whole ? '' : ` over ${reference.rows.length} rows and ${reference.columns.length} columns, every element finite,`;
    return {
      ok,
      detail: `max |C − C₆₄| / max |C₆₄| = ${error.toExponential(2)}${over} (${ok ? 'within' : 'over'} ${MAX_RELATIVE_ERROR}) at n = ${prepared.n}`,
    };
  },
  throughput(prepared, durationMs) {
    return { gflops: (2 * prepared.n ** 3) / (durationMs * 1e6) };
  },
  describe(prepared) {
    return { sizes: prepared.sizes.join(','), jsBlock: JS_BLOCK };
  },
};
