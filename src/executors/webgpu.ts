/**
 * Small WebGPU helpers the GPU experiments share: pipelines with their compile time, buffers that are
 * checked against the device's limits before they are made, timed upload / dispatch / read-back phases,
 * and error scopes and device loss turned into clear, failed results rather than hangs.
 */
import { epochNowMs } from '../measure/clock.ts';
import type { TaskSpan } from '../measure/timeline.ts';
import { raceAbort } from './abort.ts';

/** How long one GPU phase may take before it is reported as a hang rather than waited on forever. */
export const GPU_WATCHDOG_MS = 60_000;

/** A GPU error caught by an error scope, or a lost device, as a user-facing message. */
export class GpuError extends Error {
  override name = 'GpuError';
}

const lostByDevice = new WeakMap<GPUDevice, Promise<never>>();

/** A promise that rejects when the device is lost, marked handled so a loss after the work is no unhandled rejection. */
function whenLost(device: GPUDevice): Promise<never> {
  let lost = lostByDevice.get(device);
  if (!lost) {
    lost = device.lost.then((info) => {
      throw new GpuError(`The GPU device was lost (${info.reason}): ${info.message || 'no message'}`);
    });
    lost.catch(() => undefined);
    lostByDevice.set(device, lost);
  }
  return lost;
}

/**
 * Wait for GPU work, but fail instead of hanging: on device loss, on cancellation, or after `timeoutMs`
 * (a driver that never answers would otherwise freeze the run).
 */
export async function gpuWait<T>(
  device: GPUDevice,
  work: Promise<T>,
  signal: AbortSignal,
  what: string,
  timeoutMs = GPU_WATCHDOG_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GpuError(`The GPU did not finish ${what} within ${timeoutMs / 1000} s.`)), timeoutMs);
  });
  try {
    return await raceAbort(Promise.race([work, whenLost(device), watchdog]), signal);
  } finally {
    clearTimeout(timer);
  }
}

/** Errors are pushed and popped as a stack: validation innermost, so it is reported first. */
const SCOPES: readonly GPUErrorFilter[] = ['internal', 'out-of-memory', 'validation'];

function describeGpuError(filter: GPUErrorFilter, error: GPUError): string {
  const kind = filter === 'out-of-memory' ? 'the GPU ran out of memory' : filter === 'validation' ? 'validation error' : 'internal GPU error';
  return `${kind}: ${error.message.trim() || 'no message'}`;
}

/**
 * Run `work` inside validation, out-of-memory and internal error scopes, so a GPU error becomes a thrown
 * Error naming what was being done, instead of a console warning and a silently wrong (or zero) result.
 */
export async function withErrorScopes<T>(device: GPUDevice, what: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (const filter of SCOPES) device.pushErrorScope(filter);
  let result: T | undefined;
  let failure: unknown;
  let failed = false;
  try {
    result = await work();
  } catch (error) {
    failed = true;
    failure = error;
  }
  const messages: string[] = [];
  for (const filter of [...SCOPES].reverse()) {
    // A lost device answers pops with null or a rejection; the loss itself is reported below.
    const error = await gpuWait(device, device.popErrorScope(), signal ?? new AbortController().signal, 'checking for errors').catch(
      () => null,
    );
    if (error) messages.push(describeGpuError(filter, error));
  }
  if (messages.length > 0) throw new GpuError(`${what} failed: ${messages.join('; ')}`);
  if (failed) throw failure;
  return result as T;
}

/** Throws a clear reason when a buffer of `sizeBytes` cannot be bound as storage on this device. */
export function assertStorageFits(device: GPUDevice, sizeBytes: number, what: string): void {
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  if (sizeBytes > limit) {
    throw new GpuError(
      `${what} needs a ${formatMiB(sizeBytes)} storage buffer; this GPU allows at most ${formatMiB(limit)} per binding. ` +
        'Choose a smaller size.',
    );
  }
}

function formatMiB(sizeBytes: number): string {
  return `${(sizeBytes / 2 ** 20).toFixed(sizeBytes < 2 ** 20 ? 3 : 0)} MiB`;
}

/** A storage buffer that can be written from the page, cleared, and copied out. */
export function createStorageBuffer(device: GPUDevice, sizeBytes: number, label: string): GPUBuffer {
  assertStorageFits(device, sizeBytes, label);
  return device.createBuffer({
    label,
    size: sizeBytes,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
}

/** A small uniform buffer holding `values` as u32 (rounded up to 16 bytes, the uniform alignment). */
export function createUniformU32(device: GPUDevice, values: readonly number[], label: string): GPUBuffer {
  const data = new Uint32Array(Math.ceil(values.length / 4) * 4);
  data.set(values);
  const buffer = device.createBuffer({ label, size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/** A staging buffer the page maps to read results back. */
export function createReadbackBuffer(device: GPUDevice, sizeBytes: number, label: string): GPUBuffer {
  return device.createBuffer({ label, size: sizeBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
}

/** A compute pipeline, how long it took to build, and the setup span that shows it. */
export interface CompiledPipeline {
  pipeline: GPUComputePipeline;
  compileMs: number;
  span: TaskSpan;
}

/**
 * Compile WGSL and build its compute pipeline, timing both (shader compilation is often the larger part
 * of a first GPU call, so it is reported apart and never inside a sample). Compilation errors are
 * reported with their line and column.
 */
export async function createComputePipeline(
  device: GPUDevice,
  options: { code: string; entryPoint: string; label: string },
  signal: AbortSignal,
): Promise<CompiledPipeline> {
  const startEpochMs = epochNowMs();
  const start = performance.now();
  const pipeline = await withErrorScopes(
    device,
    `Building the ${options.label} pipeline`,
    async () => {
      const module = device.createShaderModule({ label: options.label, code: options.code });
      // Not every browser has getCompilationInfo yet; the error scope still catches what it would report.
      if (typeof module.getCompilationInfo === 'function') {
        const info = await gpuWait(device, module.getCompilationInfo(), signal, 'compiling the shader');
        const errors = info.messages.filter((m) => m.type === 'error');
        if (errors.length > 0) {
          throw new GpuError(
            `The ${options.label} shader does not compile: ` +
              errors.map((m) => `line ${m.lineNum}:${m.linePos} ${m.message}`).join('; '),
          );
        }
      }
      return gpuWait(
        device,
        device.createComputePipelineAsync({ label: options.label, layout: 'auto', compute: { module, entryPoint: options.entryPoint } }),
        signal,
        'building the pipeline',
      );
    },
    signal,
  );
  const compileMs = performance.now() - start;
  return { pipeline, compileMs, span: { lane: 0, task: 0, startEpochMs, endEpochMs: epochNowMs(), phase: 'compile' } };
}

/** Run one phase of a GPU run and record it as a span on lane 0 (the GPU queue as seen from the page). */
export async function timedPhase<T>(spans: TaskSpan[], phase: string, work: () => Promise<T>): Promise<T> {
  const startEpochMs = epochNowMs();
  const result = await work();
  spans.push({ lane: 0, task: 0, startEpochMs, endEpochMs: epochNowMs(), phase });
  return result;
}

/** Upload host arrays into their buffers and wait until the GPU has them (writeBuffer only queues the copy). */
export async function upload(
  device: GPUDevice,
  writes: ReadonlyArray<readonly [GPUBuffer, Float32Array]>,
  signal: AbortSignal,
): Promise<void> {
  for (const [buffer, data] of writes) device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  await gpuWait(device, device.queue.onSubmittedWorkDone(), signal, 'the upload');
}

/** Submit recorded commands and wait until the GPU has run them. */
export async function submitAndWait(device: GPUDevice, commands: GPUCommandBuffer, signal: AbortSignal, what: string): Promise<void> {
  device.queue.submit([commands]);
  await gpuWait(device, device.queue.onSubmittedWorkDone(), signal, what);
}

/** Copy `source` to the staging buffer, map it and return a fresh Float32Array of its contents. */
export async function readBackFloat32(
  device: GPUDevice,
  source: GPUBuffer,
  staging: GPUBuffer,
  signal: AbortSignal,
): Promise<Float32Array> {
  const encoder = device.createCommandEncoder({ label: 'read-back' });
  encoder.copyBufferToBuffer(source, 0, staging, 0, staging.size);
  device.queue.submit([encoder.finish()]);
  await gpuWait(device, staging.mapAsync(GPUMapMode.READ), signal, 'the read-back');
  try {
    // A copy: the mapped range is detached by unmap, and the staging buffer is reused by the next run.
    return new Float32Array(staging.getMappedRange().slice(0));
  } finally {
    staging.unmap();
  }
}

/** What one configuration keeps on the GPU for a kernel that reads two float32 arrays and writes a third. */
export interface TwoInputKernel {
  device: GPUDevice;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
  staging: GPUBuffer;
}

/** How one run of a TwoInputKernel is named and dispatched. */
export interface TwoInputRun {
  /** Label of the command encoder and compute pass. */
  label: string;
  /** What the run does, for error messages ("Adding the arrays on the GPU"). */
  doing: string;
  /** What the dispatch phase waits for, for timeout messages ("the additions"). */
  waitingFor: string;
  /** Record the dispatches into the pass; pipeline and bind group are already set. */
  dispatch(pass: GPUComputePassEncoder): void;
}

/** One timed run: upload a and b, clear c and dispatch, read c back; each phase is a span. */
export async function runTwoInputKernel(
  kernel: TwoInputKernel,
  a: Float32Array,
  b: Float32Array,
  run: TwoInputRun,
  signal: AbortSignal,
): Promise<{ output: Float32Array; spans: TaskSpan[] }> {
  const { device } = kernel;
  const spans: TaskSpan[] = [];
  const output = await withErrorScopes(
    device,
    run.doing,
    async () => {
      await timedPhase(spans, 'upload', () => upload(device, [[kernel.a, a], [kernel.b, b]], signal));
      await timedPhase(spans, 'dispatch', () => {
        const encoder = device.createCommandEncoder({ label: run.label });
        // A kernel that wrote nothing must not pass on the previous run's answer.
        encoder.clearBuffer(kernel.c);
        const pass = encoder.beginComputePass({ label: run.label });
        pass.setPipeline(kernel.pipeline);
        pass.setBindGroup(0, kernel.bindGroup);
        run.dispatch(pass);
        pass.end();
        return submitAndWait(device, encoder.finish(), signal, run.waitingFor);
      });
      return timedPhase(spans, 'read-back', () => readBackFloat32(device, kernel.c, kernel.staging, signal));
    },
    signal,
  );
  return { output, spans };
}

/** Destroy buffers made in setup; safe to call with some missing. */
export function destroyBuffers(...buffers: Array<GPUBuffer | undefined>): void {
  for (const buffer of buffers) buffer?.destroy();
}
