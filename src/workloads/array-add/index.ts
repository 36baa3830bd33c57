/** Array addition: the post's NumPy `a + b`, where memory bandwidth and copying decide, not arithmetic. */
import { sizedConfigurations, geometricSizes } from '../../engine/sweep.ts';
import { throwIfAborted } from '../../executors/abort.ts';
import { compileGpuJsKernel, destroyGpuJs, gpuJsSetupOutcome, type GpuJsKernel } from '../../executors/gpujs.ts';
import { epochNowMs } from '../../measure/clock.ts';
import type { TaskSpan } from '../../measure/timeline.ts';
import { kernelRef } from '../kernels.ts';
import { fillRandomNonZero, firstMismatch, poisonOutput, toShared } from '../shared/float32.ts';
import { splitRange, type IntRange } from '../shared/ranges.ts';
import { variantsOf, type BackendImplementation, type Params, type Workload } from '../types.ts';
import type { WasmAddRange } from '../shared/wasm-kernels.ts';
import { copyIntoArena, setUpWasm, wasmModeNote, type WasmSetup } from '../shared/wasm-setup.ts';
import type { AddRange, AddSlice } from './add.ts';
import type { ArrayAddGpu } from './gpu.ts';
import { SIZE_LABELS } from '../size-labels.ts';

/** Bytes moved per element per repeat: a and b read, c written, 4 bytes each. */
const BYTES_PER_ELEMENT_PER_REPEAT = 12;

/** gpu.js kernel source, kept a string so that minifying the app cannot rewrite it. */
const GPUJS_ADD = 'function add(a, b) { return a[this.thread.x] + b[this.thread.x]; }';

interface Prepared {
  length: number;
  repeats: number;
  a: Float32Array;
  b: Float32Array;
  /** The float32 sum, the answer every backend must match bit for bit. */
  reference: Float32Array;
  sizes: number[];
}

type Impl<State> = BackendImplementation<Prepared, Float32Array, State>;

const sizesOf = (params: Params) => geometricSizes(params.minLength!, params.maxLength!, 4);

/** One range per lane, as many lanes as the configuration has (never more than elements). */
const lanesOf = (workers: number, length: number) => splitRange(0, length, Math.max(1, Math.min(workers, length)));

/**
 * Serial writes into an output made once per configuration and poisoned (sparsely) before every run: a fresh
 * 16 MiB array per run would time the kernel's page faults (which lanes of one process take in turns), not
 * the addition.
 */
const serial: Impl<{ c: Float32Array }> = {
  async setup(_ctx, { length }) {
    return { state: { c: new Float32Array(length) } };
  },
  beforeRun: (_prepared, { c }) => poisonOutput(c),
  async run(ctx, { a, b, length, repeats }, { c }) {
    const { spans } = await ctx.executor.map<AddRange, void>(kernelRef('array-add', 'addRange'), [{ a, b, c, start: 0, end: length, repeats }], ctx.signal);
    return { output: c, spans };
  },
};

/** Each lane gets copies of its slices (structured clone, the browser's pickling) and sends its sum back. */
const workers: Impl<{ ranges: IntRange[]; slices: AddSlice[] }> = {
  async setup(ctx, { a, b, length, repeats }) {
    const ranges = lanesOf(ctx.config.workers, length);
    // Each lane's slice as an array of its own: a view would be cloned with its whole buffer.
    return { state: { ranges, slices: ranges.map((r) => ({ a: a.slice(r.start, r.end), b: b.slice(r.start, r.end), repeats })) } };
  },
  async run(ctx, { length }, { ranges, slices }) {
    const { results, spans } = await ctx.executor.map<AddSlice, Float32Array>(kernelRef('array-add', 'addCopied'), slices, ctx.signal);
    const c = new Float32Array(length);
    ranges.forEach((r, i) => c.set(results[i]!, r.start));
    return { output: c, spans };
  },
};

/** Lanes read a and b and write their range of c where they are, in SharedArrayBuffers: no copy. */
const sharedMemory: Impl<{ ranges: IntRange[]; a: Float32Array; b: Float32Array; c: Float32Array }> = {
  async setup(ctx, { a, b, length }) {
    return { state: { ranges: lanesOf(ctx.config.workers, length), a: toShared(a), b: toShared(b), c: toShared(new Float32Array(length)) } };
  },
  beforeRun: (_prepared, { c }) => poisonOutput(c),
  async run(ctx, { repeats }, state) {
    const { a, b, c } = state;
    const { spans } = await ctx.executor.map<AddRange, void>(
      kernelRef('array-add', 'addRange'),
      state.ranges.map((r) => ({ a, b, c, start: r.start, end: r.end, repeats })),
      ctx.signal,
    );
    return { output: c, spans };
  },
};

/** SIMD over one shared WebAssembly.Memory: a and b written into it once, lanes add their ranges of c in place. */
const wasmSimd: Impl<{ wasm: WasmSetup; ranges: IntRange[]; aPtr: number; bPtr: number; c: { ptr: number; view: Float32Array } }> = {
  async setup(ctx, { a, b, length }) {
    const wasm = await setUpWasm(3 * 4 * length);
    const aIn = copyIntoArena(wasm.arena, a);
    const bIn = copyIntoArena(wasm.arena, b);
    const c = wasm.arena.allocFloat32(length);
    return {
      state: { wasm, ranges: lanesOf(ctx.config.workers, length), aPtr: aIn.ptr, bPtr: bIn.ptr, c },
      mode: wasm.mode,
      compileMs: wasm.compileMs,
      note: wasmModeNote(wasm.mode),
    };
  },
  beforeRun: (_prepared, { c }) => poisonOutput(c.view),
  async run(ctx, { repeats }, { wasm, ranges, aPtr, bPtr, c }) {
    const { spans } = await ctx.executor.map<WasmAddRange, void>(
      kernelRef('array-add', 'wasmAddRange'),
      ranges.map((r) => ({ ...wasm.ref, aPtr, bPtr, cPtr: c.ptr, start: r.start, end: r.end, repeats })),
      ctx.signal,
    );
    return { output: c.view, spans };
  },
};

/** Upload, dispatch and read back on the GPU; the module (and its WGSL) loads only when this backend runs. */
const webgpu: Impl<{ gpu: ArrayAddGpu; module: typeof import('./gpu.ts') }> = {
  async setup(ctx, { length }) {
    const module = await import('./gpu.ts');
    const device = await ctx.gpuDevice();
    const { gpu, compileMs, spans } = await module.setupArrayAddGpu(device, length, ctx.signal);
    return { state: { gpu, module }, compileMs, spans };
  },
  run: (ctx, { a, b, repeats }, { gpu, module }) => module.runArrayAddGpu(gpu, a, b, repeats, ctx.signal),
  teardown: ({ gpu, module }) => module.teardownArrayAddGpu(gpu),
};

/** gpu.js as its users call it: each call uploads a and b, runs, and reads the sum back. */
const gpujs: Impl<{ kernel: GpuJsKernel }> = {
  async setup(ctx, { length, a, b }) {
    const kernel = await compileGpuJsKernel({
      source: GPUJS_ADD,
      settings: () => ({ output: [length], precision: 'single' }),
      firstArgs: () => [a, b],
      signal: ctx.signal,
    });
    return gpuJsSetupOutcome(kernel);
  },
  async run(ctx, { a, b, repeats }, { kernel }) {
    const spans: TaskSpan[] = [];
    let output: unknown;
    for (let r = 0; r < repeats; r++) {
      throwIfAborted(ctx.signal);
      const startEpochMs = epochNowMs();
      output = await kernel.run(a, b);
      spans.push({ lane: 0, task: r, startEpochMs, endEpochMs: epochNowMs(), phase: 'kernel-call' });
    }
    return { output: output instanceof Float32Array ? output : Float32Array.from(output as ArrayLike<number>), spans };
  },
  teardown: ({ kernel }) => destroyGpuJs(kernel.gpu),
};

export const arrayAdd: Workload<Prepared, Float32Array> = {
  meta: {
    id: 'array-add',
    title: 'Array addition (a + b)',
    postRow:
      'Numpy Addition: `res = a + b` repeated N times (serial 14.9 s; 2 and 4 threads or processes helped, ' +
      'but only to a point)',
    summary:
      'Adding two float32 arrays does one addition per 12 bytes moved, so it is limited by memory bandwidth, ' +
      'not by cores. Workers that receive copies of their slices (structured clone, the browser\'s pickling) ' +
      'spend more time copying than adding; workers on shared memory avoid the copy but share one memory bus, ' +
      'so they help only up to a point, as in the post. WebAssembly SIMD on shared memory (the browser\'s NumPy) ' +
      'adds four floats per instruction and shows how close the lanes come to the memory bus. The GPU adds fast but must first receive the arrays ' +
      'and send the sum back: on the timeline, the wait for the GPU (copies up, the kernel, the copy back) usually ' +
      'dwarfs the kernel itself where the GPU times it. Small arrays favour ' +
      'the plain loop; read the chart along the size axis for the crossover.',
    backends: ['serial', 'workers', 'shared-memory', 'wasm-simd', 'webgpu', 'gpujs'],
    sizeLabel: SIZE_LABELS['array-add'],
  },
  params: [
    {
      key: 'minLength',
      label: 'Smallest array length',
      description: 'Elements in each of a, b and c at the first size; sizes grow by a factor of 4 up to the largest.',
      min: 1_024,
      // 2^25 float32 = 128 MiB per array: WebGPU's default storage-binding limit, and about 1 GiB of page memory in all.
      max: 2 ** 25,
      integer: true,
      unit: 'elements',
      presets: { quick: 2 ** 14, default: 2 ** 18, thorough: 2 ** 14 },
    },
    {
      key: 'maxLength',
      label: 'Largest array length',
      description:
        'Elements at the last size tried; each backend stops earlier once one run would take longer than the preset allows. ' +
        'Lane backends are swept over lane counts at the largest size they reached.',
      min: 1_024,
      max: 2 ** 25,
      integer: true,
      unit: 'elements',
      presets: { quick: 2 ** 20, default: 2 ** 24, thorough: 2 ** 25 },
    },
    {
      key: 'repeats',
      label: 'Repeats per run',
      description:
        'How many times `c = a + b` is computed per run, as the post repeats it. Inputs reach workers and the ' +
        'GPU once per run, so more repeats amortise the copies.',
      min: 1,
      max: 100,
      integer: true,
      presets: { default: 2, quick: 2 },
    },
  ],
  implementations: { serial, workers, 'shared-memory': sharedMemory, 'wasm-simd': wasmSimd, webgpu, gpujs },
  sizeGrowth: { workExponent: 1 },
  configurations(params, hardwareConcurrency, backends) {
    return sizedConfigurations(sizesOf(params), hardwareConcurrency, backends, (backend) => variantsOf(arrayAdd, backend));
  },
  prepare(params, random, size): Prepared {
    const length = size ?? params.maxLength!;
    const a = fillRandomNonZero(new Float32Array(length), random);
    const b = fillRandomNonZero(new Float32Array(length), random);
    const reference = new Float32Array(length);
    for (let i = 0; i < length; i++) reference[i] = a[i]! + b[i]!;
    return { length, repeats: params.repeats!, a, b, reference, sizes: sizesOf(params) };
  },
  verify(output, prepared) {
    const at = firstMismatch(output, prepared.reference);
    if (at < 0) return { ok: true, detail: `${prepared.length.toLocaleString('en')} float32 sums, bit-exact` };
    if (output.length !== prepared.length) {
      return { ok: false, detail: `${output.length} elements returned, expected ${prepared.length}` };
    }
    return {
      ok: false,
      detail: `c[${at}] = ${output[at]}, expected ${prepared.a[at]} + ${prepared.b[at]} = ${prepared.reference[at]}`,
    };
  },
  throughput(prepared, durationMs) {
    const bytes = BYTES_PER_ELEMENT_PER_REPEAT * prepared.length * prepared.repeats;
    return { gbPerSecond: bytes / (durationMs * 1e6) };
  },
  describe(prepared) {
    return { sizes: prepared.sizes.join(','), bytesPerElementPerRepeat: BYTES_PER_ELEMENT_PER_REPEAT };
  },
};
