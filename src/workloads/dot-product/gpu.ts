/// <reference types="vite/client" />
/**
 * dot-product on WebGPU: a register-tiled kernel (vec4 tiles in workgroup memory, 4×4 outputs per
 * invocation, its tile shape picked by a trial at set-up), a tiled one and a naive one kept beside them as
 * baselines. Loaded only when the webgpu backend runs: WGSL comes in with Vite's `?raw`.
 */
import type { TaskSpan } from '../../measure/timeline.ts';
import {
  createComputePipeline,
  createPassTimer,
  createReadbackBuffer,
  createStorageBuffer,
  createUniformU32,
  destroyBuffers,
  destroyPassTimer,
  GpuResources,
  passTimestampWrites,
  readPassTimer,
  resolvePassTimer,
  rowLayoutBytes,
  runTwoInputKernel,
  submitAndWait,
  timedPhase,
  upload,
  withErrorScopes,
  type CompiledPipeline,
  type PassTimer,
  type RowLayout,
  type TwoInputKernel,
} from '../../executors/webgpu.ts';
import naiveSource from './matmul-naive.wgsl?raw';
import registerSource from './matmul-register.wgsl?raw';
import registerDirectSource from './matmul-register-direct.wgsl?raw';
import tiledSource from './matmul-tiled.wgsl?raw';

/** The webgpu backend's variants, each a WGSL file with entry point `matmul` and the same bindings. */
export const MATMUL_SHADERS = { register: registerSource, tiled: tiledSource, naive: naiveSource } as const;
export type MatmulVariant = keyof typeof MATMUL_SHADERS;

/** Must match `@workgroup_size(16, 16)` in the tiled and naive shaders (and TILE in the tiled one). */
export const WORKGROUP_EDGE = 16;

/** Edge of the tile of C one workgroup computes in the fixed-shape kernels: one element per invocation (naive), 4×4 (tiled, BLOCK). */
export const OUTPUT_EDGE: Record<Exclude<MatmulVariant, 'register'>, number> = { tiled: 64, naive: 16 };

/** Every shader's entry point, and their bindings in order: the bind group is built from this list (the unit test reads the WGSL against it). */
export const ENTRY_POINT = 'matmul';
export const BINDINGS = ['a', 'b', 'c', 'params'] as const;

/** The block of C each invocation of the register kernel keeps in registers, written out in its WGSL. */
export const REGISTER_OUTPUTS_PER_INVOCATION = { rows: 16, columns: 8 } as const;

/**
 * One shape of the register kernel: invocations per workgroup along each edge, and the step along k of the
 * tiles staged in workgroup memory; `tileK` 0 stages nothing: every invocation reads A and B straight from
 * storage (matmul-register-direct.wgsl), with no workgroup memory and no barrier.
 */
export interface RegisterTileShape {
  workgroupColumns: number;
  workgroupRows: number;
  tileK: number;
}

/**
 * The shapes the set-up trial compares, all within the 16 KiB of workgroup memory every device has; without a
 * trial (the default preset) the first runs. The unstaged one (k 0) comes first: the software GPUs this lab
 * meets most serialise workgroup-memory gathers and barriers, so it runs n = 1024 2.4x as fast as the staged
 * ones on SwiftShader and 1.5x on lavapipe, and on an NVIDIA H200 (through Dawn) it was within noise of the
 * best staged shape or ahead of it from n = 2048. The staged ones run within noise of each other on the
 * software GPUs. The list stays short: each staged candidate costs SwiftShader seconds to compile.
 */
export const REGISTER_TILE_SHAPES: readonly RegisterTileShape[] = [
  { workgroupColumns: 8, workgroupRows: 4, tileK: 0 },
  { workgroupColumns: 8, workgroupRows: 4, tileK: 32 },
  { workgroupColumns: 8, workgroupRows: 2, tileK: 32 },
  { workgroupColumns: 8, workgroupRows: 8, tileK: 16 },
];

/** The register kernel's constants a shape sets, by the name they have in matmul-register.wgsl. */
const SHAPE_CONSTANTS: Record<keyof RegisterTileShape, string> = {
  workgroupColumns: 'WORKGROUP_COLUMNS',
  workgroupRows: 'WORKGROUP_ROWS',
  tileK: 'TILE_K',
};

/** Rows × columns of C one workgroup of this shape computes. */
export function registerBlock(shape: RegisterTileShape): { rows: number; columns: number } {
  return {
    rows: shape.workgroupRows * REGISTER_OUTPUTS_PER_INVOCATION.rows,
    columns: shape.workgroupColumns * REGISTER_OUTPUTS_PER_INVOCATION.columns,
  };
}

/**
 * The shape as the results' `mode` says it (at most 40 characters), e.g. "64×64 tile, 16×8 per invocation, k 32",
 * or "…, direct" where nothing is staged.
 */
export function describeRegisterShape(shape: RegisterTileShape): string {
  const block = registerBlock(shape);
  const outputs = REGISTER_OUTPUTS_PER_INVOCATION;
  return `${block.rows}×${block.columns} tile, ${outputs.rows}×${outputs.columns} per invocation, ${shape.tileK === 0 ? 'direct' : `k ${shape.tileK}`}`;
}

/** Bytes of workgroup memory a shape's two tiles take. */
export function registerWorkgroupBytes(shape: RegisterTileShape): number {
  const block = registerBlock(shape);
  return (block.rows + block.columns) * shape.tileK * Float32Array.BYTES_PER_ELEMENT;
}

/** Why the kernel cannot take this shape on this device (loads that do not divide, limits), or undefined. */
export function registerShapeProblem(shape: RegisterTileShape, limits?: GPUSupportedLimits): string | undefined {
  const { workgroupColumns, workgroupRows, tileK } = shape;
  if (![workgroupColumns, workgroupRows].every((v) => Number.isInteger(v) && v > 0) || !(Number.isInteger(tileK) && tileK >= 0)) {
    return 'every edge must be a positive integer (k 0: nothing staged)';
  }
  if (tileK % 4 !== 0) return `k ${tileK} is not a whole number of vec4s`;
  const invocations = workgroupColumns * workgroupRows;
  const block = registerBlock(shape);
  // Every invocation makes the same number of vec4 loads into each tile.
  if (tileK > 0 && (((block.rows * tileK) / 4) % invocations !== 0 || ((tileK * block.columns) / 4) % invocations !== 0)) {
    return `the ${block.rows}×${tileK} and ${tileK}×${block.columns} tiles do not split evenly over ${invocations} invocations`;
  }
  if (limits) {
    if (invocations > limits.maxComputeInvocationsPerWorkgroup) {
      return `${invocations} invocations exceed this device's ${limits.maxComputeInvocationsPerWorkgroup}`;
    }
    if (workgroupColumns > limits.maxComputeWorkgroupSizeX || workgroupRows > limits.maxComputeWorkgroupSizeY) {
      return `a ${workgroupColumns}×${workgroupRows} workgroup exceeds this device's ${limits.maxComputeWorkgroupSizeX}×${limits.maxComputeWorkgroupSizeY}`;
    }
    const workgroupBytes = registerWorkgroupBytes(shape);
    if (workgroupBytes > limits.maxComputeWorkgroupStorageSize) {
      return `${workgroupBytes} bytes of workgroup memory exceed this device's ${limits.maxComputeWorkgroupStorageSize}`;
    }
  }
  return undefined;
}

/**
 * matmul-register.wgsl (or, for k 0, matmul-register-direct.wgsl) with this shape's constants written in (each
 * file's own values are one of the shapes).
 */
export function registerShaderSource(shape: RegisterTileShape, source: string = shape.tileK === 0 ? registerDirectSource : registerSource): string {
  let code = source;
  for (const [key, name] of Object.entries(SHAPE_CONSTANTS) as Array<[keyof RegisterTileShape, string]>) {
    if (key === 'tileK' && shape.tileK === 0) continue;
    const declaration = new RegExp(`const ${name}: u32 = \\d+u;`, 'g');
    if ((code.match(declaration) ?? []).length !== 1) throw new Error(`The register kernel's source must declare ${name} exactly once.`);
    code = code.replace(declaration, `const ${name}: u32 = ${shape[key]}u;`);
  }
  return code;
}

/** Matrices for the register kernel are stored with rows padded to whole vec4s; the others unpadded. */
export function matmulLayout(variant: MatmulVariant, n: number): RowLayout {
  return { columns: n, strideFloats: variant === 'register' ? Math.ceil(n / 4) * 4 : n };
}

/** Everything one configuration keeps on the GPU between runs. */
export interface MatmulGpu extends TwoInputKernel {
  params: GPUBuffer;
  workgroups: readonly [number, number];
  layout: RowLayout;
}

/** What setup reports beside the kernel: compile time and spans apart from the samples, the shape run, a note. */
export interface MatmulGpuSetup {
  gpu: MatmulGpu;
  compileMs: number;
  spans: TaskSpan[];
  mode?: string;
  note: string;
}

/** Workgroups to dispatch along x (columns) and y (rows) to cover n×n. */
function workgroupsFor(variant: MatmulVariant, n: number, shape: RegisterTileShape | undefined): readonly [number, number] {
  if (variant !== 'register') return [Math.ceil(n / OUTPUT_EDGE[variant]), Math.ceil(n / OUTPUT_EDGE[variant])];
  const block = registerBlock(shape!);
  return [Math.ceil(n / block.columns), Math.ceil(n / block.rows)];
}

/**
 * The register shape picked per device, n and list of candidates: later rounds of the same experiment
 * reuse it instead of rerunning the trial.
 */
const chosenShapes = new WeakMap<GPUDevice, Map<string, RegisterTileShape>>();
const trialKey = (n: number, shapes: readonly RegisterTileShape[]) =>
  `${n}: ${shapes.map((s) => `${s.workgroupColumns}x${s.workgroupRows}k${s.tileK}`).join(' ')}`;

/**
 * Register pipelines per device, by shape: compiled once per experiment and shared by every size, since
 * each set-up compiles every candidate and a software GPU takes seconds over each.
 */
const registerPipelines = new WeakMap<GPUDevice, Map<string, Promise<CompiledPipeline>>>();

/** The shape's pipeline on this device, and whether this call compiled it (its time and span then count). */
async function registerPipeline(
  device: GPUDevice,
  shape: RegisterTileShape,
  signal: AbortSignal,
): Promise<{ compiled: CompiledPipeline; fresh: boolean }> {
  const perDevice = registerPipelines.get(device) ?? new Map<string, Promise<CompiledPipeline>>();
  registerPipelines.set(device, perDevice);
  const key = describeRegisterShape(shape);
  const cached = perDevice.get(key);
  if (cached) return { compiled: await cached, fresh: false };
  const compiling = createComputePipeline(device, { code: registerShaderSource(shape), entryPoint: ENTRY_POINT, label: `matmul-register ${key}` }, signal);
  perDevice.set(key, compiling);
  // A failed or cancelled compile is not remembered: the next set-up tries again.
  compiling.catch(() => perDevice.delete(key));
  return { compiled: await compiling, fresh: true };
}

/** One candidate of the trial, compiled. */
interface Candidate {
  shape: RegisterTileShape;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
}

/**
 * Compile the variant's kernel and allocate buffers for n×n matrices (untimed). For `register`, compile
 * every shape that fits the device and keep the fastest in a short trial at this n (`shapes` replaces the
 * candidates, e.g. one shape to measure it alone).
 */
export async function setupMatmulGpu(
  device: GPUDevice,
  n: number,
  variant: MatmulVariant,
  signal: AbortSignal,
  shapes: readonly RegisterTileShape[] = REGISTER_TILE_SHAPES,
): Promise<MatmulGpuSetup> {
  if (!(variant in MATMUL_SHADERS)) {
    throw new RangeError(`Unknown dot-product WebGPU variant "${variant}". Known: ${Object.keys(MATMUL_SHADERS).join(', ')}.`);
  }
  const layout = matmulLayout(variant, n);
  const sizeBytes = rowLayoutBytes(n, layout);
  const owned = new GpuResources();
  let buffers;
  try {
    buffers = await withErrorScopes(
      device,
      'Allocating the dot-product buffers',
      async () => {
        const made = {
          a: owned.own(createStorageBuffer(device, sizeBytes, 'matmul A')),
          b: owned.own(createStorageBuffer(device, sizeBytes, 'matmul B')),
          c: owned.own(createStorageBuffer(device, sizeBytes, 'matmul C')),
          params: owned.own(createUniformU32(device, [n], 'matmul params')),
          staging: owned.own(createReadbackBuffer(device, sizeBytes, 'matmul read-back')),
          timer: createPassTimer(device, `matmul-${variant} timestamps`),
        };
        if (made.timer) owned.own({ destroy: () => destroyPassTimer(made.timer) });
        return made;
      },
      signal,
    );
  } catch (error) {
    // One allocation out of memory or over a limit: the ones made before it are freed now, not at the experiment's end.
    owned.release();
    throw error;
  }
  const timing = buffers.timer
    ? 'timestamp-query available: the GPU kernel time of each dispatch is the gpu-kernel span of its timeline'
    : 'timestamp-query not offered by this adapter: wall time only';
  try {
    const bindGroupFor = (pipeline: GPUComputePipeline) =>
      device.createBindGroup({
        label: `matmul-${variant}`,
        layout: pipeline.getBindGroupLayout(0),
        entries: BINDINGS.map((name, binding) => ({ binding, resource: { buffer: buffers[name] } })),
      });
    const kernel = { device, ...buffers, layout, timer: buffers.timer };
    if (variant !== 'register') {
      const compiled = await createComputePipeline(device, { code: MATMUL_SHADERS[variant], entryPoint: ENTRY_POINT, label: `matmul-${variant}` }, signal);
      return {
        gpu: { ...kernel, pipeline: compiled.pipeline, bindGroup: bindGroupFor(compiled.pipeline), workgroups: workgroupsFor(variant, n, undefined) },
        compileMs: compiled.compileMs,
        spans: [compiled.span],
        note: timing,
      };
    }
    const remembered = chosenShapes.get(device)?.get(trialKey(n, shapes));
    const usable = (remembered ? [remembered] : shapes).filter((shape) => registerShapeProblem(shape, device.limits) === undefined);
    if (usable.length === 0) throw new RangeError(`No register tile shape fits this device: ${shapes.map((s) => registerShapeProblem(s, device.limits)).join('; ')}.`);
    const spans: TaskSpan[] = [];
    let compileMs = 0;
    const candidates: Candidate[] = [];
    let reused = 0;
    for (const shape of usable) {
      const { compiled, fresh } = await registerPipeline(device, shape, signal);
      if (fresh) {
        compileMs += compiled.compileMs;
        spans.push(compiled.span);
      } else reused++;
      candidates.push({ shape, pipeline: compiled.pipeline, bindGroup: bindGroupFor(compiled.pipeline) });
    }
    const reuseNote = reused > 0 ? `; ${reused} of ${usable.length} pipelines compiled for an earlier configuration on this device (not in compileMs)` : '';
    let chosen = candidates[0]!;
    let trialNote = remembered ? `shape kept from an earlier trial at n = ${n} on this device` : `one shape, no trial`;
    if (candidates.length > 1) {
      const trial = await runTrial(device, kernel, candidates, n, signal);
      spans.push(...trial.spans);
      chosen = trial.fastest;
      trialNote = trial.note;
    }
    const perDevice = chosenShapes.get(device) ?? new Map<string, RegisterTileShape>();
    perDevice.set(trialKey(n, shapes), chosen.shape);
    chosenShapes.set(device, perDevice);
    return {
      gpu: { ...kernel, pipeline: chosen.pipeline, bindGroup: chosen.bindGroup, workgroups: workgroupsFor(variant, n, chosen.shape) },
      compileMs,
      spans,
      mode: describeRegisterShape(chosen.shape),
      note: `${trialNote}${reuseNote}; rows padded to ${layout.strideFloats} floats (${layout.strideFloats === n ? 'no padding' : 'written row by row in the timed upload, unpadded in the timed read-back'}); ${timing}`,
    };
  } catch (error) {
    owned.release();
    throw error;
  }
}

/** Rounds of the trial at most; rounds after the first only while the trial has taken less than TRIAL_BUDGET_MS. */
const TRIAL_ROUNDS = 3;
const TRIAL_BUDGET_MS = 2_000;
/** A candidate this much slower than the best after a round is dropped from the next. */
const TRIAL_DROP_RATIO = 1.5;

/** Record one dispatch of `candidate` over n×n (or over a single workgroup), timed by `timer` where there is one. */
function encodeDispatch(device: GPUDevice, candidate: Candidate, workgroups: readonly [number, number], timer: PassTimer | undefined): GPUCommandBuffer {
  const encoder = device.createCommandEncoder({ label: 'matmul-register trial' });
  const pass = encoder.beginComputePass({ label: 'matmul-register trial', ...passTimestampWrites(timer) });
  pass.setPipeline(candidate.pipeline);
  pass.setBindGroup(0, candidate.bindGroup);
  pass.dispatchWorkgroups(...workgroups);
  pass.end();
  resolvePassTimer(encoder, timer);
  return encoder.finish();
}

/**
 * Time every candidate on random inputs at this n and return the fastest, each its best of up to
 * TRIAL_ROUNDS dispatches, by the GPU's timestamps where it has them, else by the page's clock around
 * submit and completion. Candidates take turns, so a slow spell of a shared machine falls on all alike.
 * One workgroup of each runs first, untimed: some drivers compile a pipeline only at its first dispatch.
 */
async function runTrial(
  device: GPUDevice,
  kernel: { a: GPUBuffer; b: GPUBuffer; params: GPUBuffer; layout: RowLayout; timer?: PassTimer },
  candidates: readonly Candidate[],
  n: number,
  signal: AbortSignal,
): Promise<{ fastest: Candidate; spans: TaskSpan[]; note: string }> {
  const random = () => Float32Array.from({ length: n * n }, () => 0.5 + Math.random());
  await upload(device, [[kernel.a, random()], [kernel.b, random()]], signal, kernel.layout);
  const spans: TaskSpan[] = [];
  const trialStart = performance.now();
  await timedPhase(spans, 'trial', () =>
    submitAndWait(device, candidates.map((candidate) => encodeDispatch(device, candidate, [1, 1], undefined)), signal, 'the tile-shape trial'),
  );
  const bestMs = candidates.map(() => Number.POSITIVE_INFINITY);
  let running = candidates.map((_, index) => index);
  for (let round = 0; round < TRIAL_ROUNDS && running.length > 0; round++) {
    if (round > 0 && performance.now() - trialStart > TRIAL_BUDGET_MS) break;
    for (const index of running) {
      const start = performance.now();
      await timedPhase(spans, 'trial', () =>
        submitAndWait(device, [encodeDispatch(device, candidates[index]!, workgroupsFor('register', n, candidates[index]!.shape), kernel.timer)], signal, 'the tile-shape trial'),
      );
      const wallMs = performance.now() - start;
      const gpuMs = kernel.timer ? await readPassTimer(device, kernel.timer, signal) : undefined;
      bestMs[index] = Math.min(bestMs[index]!, gpuMs ?? wallMs);
    }
    const fastestMs = Math.min(...bestMs);
    running = running.filter((index) => bestMs[index]! <= TRIAL_DROP_RATIO * fastestMs);
    if (running.length === 1) break;
  }
  const fastestIndex = bestMs.indexOf(Math.min(...bestMs));
  const clock = kernel.timer ? 'GPU timestamps' : 'wall clock';
  const times = candidates.map((c, i) => `${describeRegisterShape(c.shape)}: ${bestMs[i]!.toFixed(1)} ms${i === fastestIndex ? ' (chosen)' : ''}`);
  return {
    fastest: candidates[fastestIndex]!,
    spans,
    note: `shape chosen by a trial at n = ${n} (${clock}, best of up to ${TRIAL_ROUNDS} turns each): ${times.join(', ')}`,
  };
}

/** One timed run: upload A and B, dispatch, read C back; each phase is a span, the GPU's own time too where it has timestamps. */
export function runMatmulGpu(
  gpu: MatmulGpu,
  a: Float32Array,
  b: Float32Array,
  signal: AbortSignal,
): Promise<{ output: Float32Array; spans: TaskSpan[]; gpuKernelMs?: number }> {
  return runTwoInputKernel(
    gpu,
    a,
    b,
    {
      label: 'matmul',
      doing: 'Multiplying the matrices on the GPU',
      waitingFor: 'the matrix product',
      dispatch: (pass) => pass.dispatchWorkgroups(...gpu.workgroups),
    },
    signal,
  );
}

/** Free the buffers; the device belongs to the experiment and outlives this configuration. */
export function teardownMatmulGpu(gpu: MatmulGpu): void {
  destroyBuffers(gpu.a, gpu.b, gpu.c, gpu.params, gpu.staging);
  destroyPassTimer(gpu.timer);
}
