/** Matrix product: the post's `np.dot(a, b)`, arithmetic-heavy work that parallelises and suits the GPU. */
import { throwIfAborted } from '../../executors/abort.ts';
import { compileGpuJsKernel, destroyGpuJs, type GpuJsKernel } from '../../executors/gpujs.ts';
import { epochNowMs } from '../../measure/clock.ts';
import { fillRandomNonZero, poisonOutput, toShared } from '../array-add/add.ts';
import { geometricSizes, sizedConfigurations } from '../array-add/sweep.ts';
import { splitRange, type IntRange } from '../cpu-heavy/sum-range.ts';
import type { Params, RunContext, Workload } from '../types.ts';
import type { MatmulGpu, MatmulVariant } from './gpu.ts';
import { JS_BLOCK, matmulCopied, matmulReference64, matmulRows, maxRelativeError, type MatmulCopied, type MatmulRows } from './matmul.ts';

/** Largest relative error accepted; float32 accumulation over n ≤ 2048 terms lands orders of magnitude below. */
export const MAX_RELATIVE_ERROR = 1e-3;

/** The webgpu backend's variants: register-tiled (tile shape picked at set-up), tiled, and naive as their baseline. */
const WEBGPU_VARIANTS: readonly MatmulVariant[] = ['register', 'tiled', 'naive'];

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
  reference: Float64Array;
  sizes: number[];
}

/** Serial and shared memory write into an output made once per configuration, poisoned before every run. */
type State =
  | { kind: 'serial'; c: Float32Array }
  | { kind: 'workers'; ranges: IntRange[]; tasks: MatmulCopied[] }
  | { kind: 'shared-memory'; ranges: IntRange[]; a: Float32Array; b: Float32Array; c: Float32Array }
  | { kind: 'webgpu'; gpu: MatmulGpu; module: typeof import('./gpu.ts') }
  | { kind: 'gpujs'; kernel: GpuJsKernel };

const sizesOf = (params: Params) => geometricSizes(params.minN!, params.maxN!, 2);


/** gpu.js returns a 2-D output as an array of rows; the check wants one row-major array. */
function flatten(output: unknown, n: number): Float32Array {
  if (output instanceof Float32Array && output.length === n * n) return output;
  const rows = output as ArrayLike<ArrayLike<number>>;
  const flat = new Float32Array(n * n);
  for (let i = 0; i < Math.min(n, rows.length); i++) flat.set(rows[i]!, i * n);
  return flat;
}

export const dotProduct: Workload<Prepared, Float32Array, State> = {
  meta: {
    id: 'dot-product',
    title: 'Matrix product (np.dot)',
    postRow: 'Dot Product: `res = np.dot(a, b)` (serial 2.8 s, 2 threads 3.4 s, 2 processes 3.3 s: NumPy already used every core)',
    summary:
      'A matrix product does 2n³ flops on 3n² numbers, so computation outweighs data movement as n grows. ' +
      'NumPy already spread it over every core, which is why the post saw no gain from adding threads; in the ' +
      'browser nothing does that for you, so workers (copying their rows of A and all of B) and shared memory ' +
      '(copying nothing) give real speedups once n is large enough to pay for starting the lanes. The GPU wins ' +
      'at large n; its tiled kernel, which reuses tiles from fast workgroup memory, should beat the naive one.',
    backends: ['serial', 'workers', 'shared-memory', 'webgpu', 'gpujs'],
    sizeLabel: 'matrix n (n×n)',
  },
  params: [
    {
      key: 'minN',
      label: 'Smallest matrix size',
      description: 'n of the first n×n product; sizes double up to the largest.',
      min: 8,
      max: 2_048,
      integer: true,
      presets: { default: 32, quick: 64 },
    },
    {
      key: 'maxN',
      label: 'Largest matrix size',
      description: 'n of the last product, where workers and shared memory are also swept over lane counts.',
      min: 8,
      // 2048: 16 MiB per matrix, 17 Gflop per product (seconds per run in JavaScript).
      max: 2_048,
      integer: true,
      presets: { default: 256, quick: 256 },
    },
  ],
  kernels: { matmulRows, matmulCopied },
  configurations(params, hardwareConcurrency, backends) {
    return sizedConfigurations(sizesOf(params), hardwareConcurrency, backends, (backend) =>
      backend === 'webgpu' ? WEBGPU_VARIANTS : [undefined],
    );
  },
  prepare(params, random, size): Prepared {
    const n = size ?? params.maxN!;
    const a = fillRandomNonZero(new Float32Array(n * n), random);
    const b = fillRandomNonZero(new Float32Array(n * n), random);
    return { n, a, b, reference: matmulReference64(a, b, n), sizes: sizesOf(params) };
  },
  async setup(ctx: RunContext, prepared) {
    const { n, a, b } = prepared;
    const ranges = splitRange(0, n, Math.max(1, Math.min(ctx.config.workers, n)));
    switch (ctx.config.backend) {
      case 'workers':
        // Each lane's rows of A as an array of its own (a view would be cloned with its whole buffer), and B whole.
        return {
          state: {
            kind: 'workers',
            ranges,
            tasks: ranges.map((r) => ({ aRows: a.slice(r.start * n, r.end * n), b, n })),
          },
        };
      case 'shared-memory':
        return {
          state: { kind: 'shared-memory', ranges, a: toShared(a), b: toShared(b), c: toShared(new Float32Array(n * n)) },
        };
      case 'webgpu': {
        const variant = (ctx.config.variant ?? 'tiled') as MatmulVariant;
        const module = await import('./gpu.ts');
        const device = await ctx.gpuDevice();
        const { gpu, ...outcome } = await module.setupMatmulGpu(device, n, variant, ctx.signal);
        return { state: { kind: 'webgpu', gpu, module }, ...outcome };
      }
      case 'gpujs': {
        const kernel = await compileGpuJsKernel({
          source: GPUJS_MATMUL,
          settings: () => ({ output: [n, n], constants: { n }, loopMaxIterations: n, precision: 'single', tactic: 'precision' }),
          firstArgs: (GPU) => [GPU.input(a, [n, n]), GPU.input(b, [n, n])],
          signal: ctx.signal,
        });
        return {
          state: { kind: 'gpujs', kernel },
          compileMs: kernel.compileMs,
          mode: kernel.mode,
          ...(kernel.note !== undefined ? { note: kernel.note } : {}),
          spans: [kernel.span],
        };
      }
      default:
        return { state: { kind: 'serial', c: new Float32Array(n * n) } };
    }
  },
  beforeRun(_prepared, state) {
    if (state.kind === 'serial' || state.kind === 'shared-memory') poisonOutput(state.c);
  },
  async run(ctx, prepared, state) {
    const { n, a, b } = prepared;
    switch (state.kind) {
      case 'serial': {
        const { c } = state;
        const { spans } = await ctx.executor.map<MatmulRows, void>(
          { workload: 'dot-product', kernel: 'matmulRows' },
          [{ a, b, c, n, rowStart: 0, rowEnd: n }],
          ctx.signal,
        );
        return { output: c, spans };
      }
      case 'workers': {
        const { results, spans } = await ctx.executor.map<MatmulCopied, Float32Array>(
          { workload: 'dot-product', kernel: 'matmulCopied' },
          state.tasks,
          ctx.signal,
        );
        const c = new Float32Array(n * n);
        state.ranges.forEach((r, i) => c.set(results[i]!, r.start * n));
        return { output: c, spans };
      }
      case 'shared-memory': {
        const { c } = state;
        const { spans } = await ctx.executor.map<MatmulRows, void>(
          { workload: 'dot-product', kernel: 'matmulRows' },
          state.ranges.map((r) => ({ a: state.a, b: state.b, c, n, rowStart: r.start, rowEnd: r.end })),
          ctx.signal,
        );
        return { output: c, spans };
      }
      case 'webgpu':
        return state.module.runMatmulGpu(state.gpu, a, b, ctx.signal);
      case 'gpujs': {
        throwIfAborted(ctx.signal);
        const { GPU } = state.kernel;
        const startEpochMs = epochNowMs();
        const output = await state.kernel.run(GPU.input(a, [n, n]), GPU.input(b, [n, n]));
        const spans = [{ lane: 0, task: 0, startEpochMs, endEpochMs: epochNowMs(), phase: 'kernel-call' }];
        return { output: flatten(output, n), spans };
      }
    }
  },
  async teardown(state) {
    if (state?.kind === 'webgpu') state.module.teardownMatmulGpu(state.gpu);
    if (state?.kind === 'gpujs') await destroyGpuJs(state.kernel.gpu);
  },
  verify(output, prepared) {
    const error = maxRelativeError(output, prepared.reference);
    const ok = error <= MAX_RELATIVE_ERROR;
    return {
      ok,
      detail: `max |C − C₆₄| / max |C₆₄| = ${error.toExponential(2)} (${ok ? 'within' : 'over'} ${MAX_RELATIVE_ERROR}) at n = ${prepared.n}`,
    };
  },
  throughput(prepared, durationMs) {
    return { gflops: (2 * prepared.n ** 3) / (durationMs * 1e6) };
  },
  describe(prepared) {
    return { sizes: prepared.sizes.join(','), jsBlock: JS_BLOCK, gpuTile: 16 };
  },
};
