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
 * How long a failed wait looks for its device's loss before it reports the failure as it came: Firefox
 * announces a loss at its next poll of the device, which comes every 100 ms or later on a busy machine.
 */
export const LOSS_NOTICE_MS = 1_000;

/** How often a wait nudges the device (an empty submission) while its work is pending. */
export const GPU_NUDGE_INTERVAL_MS = 1;

/**
 * Submit nothing, every GPU_NUDGE_INTERVAL_MS (4 ms once timers are clamped), until `work` settles or the run
 * is cancelled. Firefox checks its device for finished work about every 100 ms, and at each submission:
 * without the nudge, a mapAsync or onSubmittedWorkDone resolves on that 100 ms tick, and a run of a
 * millisecond reads as 100. Elsewhere the wait resolves when the work is done, and the empty submissions
 * cost a message each.
 */
function nudgeWhilePending(device: GPUDevice, work: Promise<unknown>, signal: AbortSignal): void {
  let pending = true;
  const settle = () => {
    pending = false;
  };
  work.then(settle, settle);
  const nudge = () => {
    if (!pending || signal.aborted) return;
    device.queue.submit([]);
    setTimeout(nudge, GPU_NUDGE_INTERVAL_MS);
  };
  setTimeout(nudge, GPU_NUDGE_INTERVAL_MS);
}

/**
 * Wait for GPU work, but fail instead of hanging: on device loss, on cancellation, or after `timeoutMs`
 * (a driver that never answers would otherwise freeze the run). The device is nudged while it works, so the
 * wait ends when the work does, not at the browser's next poll of the device.
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
  const settled = Promise.race([work, whenLost(device), watchdog]);
  nudgeWhilePending(device, settled, signal);
  try {
    return await raceAbort(settled, signal);
  } catch (error) {
    // A wait its device's loss ended (mapAsync rejects with an AbortError when the device is destroyed) reports
    // the loss, which the device announces a moment later, not an abort that would read as a cancelled run.
    if (!signal.aborted && !(error instanceof GpuError)) {
      await Promise.race([whenLost(device), new Promise((resolve) => setTimeout(resolve, LOSS_NOTICE_MS))]);
    }
    throw error;
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
  layout?: RowLayout,
): Promise<void> {
  for (const [buffer, data] of writes) writeRows(device, buffer, data, layout);
  await gpuWait(device, device.queue.onSubmittedWorkDone(), signal, 'the upload');
}

/**
 * Rows of `columns` floats stored `strideFloats` apart on the GPU (a kernel that reads whole vec4s wants
 * rows padded to a multiple of 4). The padding is never written, so it stays the zero the buffer was made with.
 */
export interface RowLayout {
  columns: number;
  strideFloats: number;
}

/** Whether a layout actually pads: without padding, data goes up and comes back in one piece. */
function isPadded(layout: RowLayout | undefined): layout is RowLayout {
  return layout !== undefined && layout.strideFloats !== layout.columns;
}

/** Queue `data` into `buffer`: in one write, or one write per row into a padded layout. */
function writeRows(device: GPUDevice, buffer: GPUBuffer, data: Float32Array, layout: RowLayout | undefined): void {
  if (!isPadded(layout)) {
    device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return;
  }
  const rowBytes = layout.columns * Float32Array.BYTES_PER_ELEMENT;
  const strideBytes = layout.strideFloats * Float32Array.BYTES_PER_ELEMENT;
  const rows = Math.floor(data.length / layout.columns);
  for (let row = 0; row < rows; row++) {
    device.queue.writeBuffer(buffer, row * strideBytes, data.buffer, data.byteOffset + row * rowBytes, rowBytes);
  }
}

/** Bytes a buffer needs for `rows` rows in `layout` (or of `rows` × `columns` unpadded). */
export function rowLayoutBytes(rows: number, layout: RowLayout): number {
  return rows * layout.strideFloats * Float32Array.BYTES_PER_ELEMENT;
}

/** Submit recorded commands and wait until the GPU has run them. */
export async function submitAndWait(
  device: GPUDevice,
  commands: GPUCommandBuffer | readonly GPUCommandBuffer[],
  signal: AbortSignal,
  what: string,
): Promise<void> {
  device.queue.submit(Array.isArray(commands) ? commands : [commands]);
  await gpuWait(device, device.queue.onSubmittedWorkDone(), signal, what);
}

/** Record the copy of `source` into the staging buffer that the page will map (the end of a run's commands). */
export function encodeReadBack(encoder: GPUCommandEncoder, source: GPUBuffer, staging: GPUBuffer): void {
  encoder.copyBufferToBuffer(source, 0, staging, 0, staging.size);
}

/**
 * Wait until the staging buffer (and `alsoMap` buffers, in the same wait) can be mapped, that is until the GPU
 * has run everything submitted before; the caller reads and unmaps the `alsoMap` buffers.
 */
export async function mapForReading(
  device: GPUDevice,
  staging: GPUBuffer,
  signal: AbortSignal,
  what: string,
  alsoMap: readonly GPUBuffer[] = [],
): Promise<void> {
  await gpuWait(device, Promise.all([staging, ...alsoMap].map((buffer) => buffer.mapAsync(GPUMapMode.READ))), signal, what);
}

/**
 * A fresh Float32Array of a mapped staging buffer's contents (only the `columns` of each row where `layout`
 * pads them), then unmapped: the mapped range is detached by unmap, and the buffer is reused by the next run.
 */
export function readMappedFloat32(staging: GPUBuffer, layout?: RowLayout): Float32Array {
  try {
    if (!isPadded(layout)) return new Float32Array(staging.getMappedRange().slice(0));
    const mapped = new Float32Array(staging.getMappedRange());
    const rows = Math.floor(mapped.length / layout.strideFloats);
    const output = new Float32Array(rows * layout.columns);
    for (let row = 0; row < rows; row++) {
      const start = row * layout.strideFloats;
      output.set(mapped.subarray(start, start + layout.columns), row * layout.columns);
    }
    return output;
  } finally {
    staging.unmap();
  }
}

/**
 * Timestamps the GPU writes at the start and end of a compute pass, and the buffers that bring them back:
 * the kernel's own duration on the GPU's clock, free of the page's submit and wait overheads.
 */
export interface PassTimer {
  querySet: GPUQuerySet;
  resolve: GPUBuffer;
  readback: GPUBuffer;
}

/** Only where the device was created with 'timestamp-query', an optional feature: undefined elsewhere. */
export function createPassTimer(device: GPUDevice, label: string): PassTimer | undefined {
  if (!device.features.has('timestamp-query')) return undefined;
  const sizeBytes = 2 * BigInt64Array.BYTES_PER_ELEMENT;
  return {
    querySet: device.createQuerySet({ label, type: 'timestamp', count: 2 }),
    resolve: device.createBuffer({ label: `${label} resolve`, size: sizeBytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }),
    readback: device.createBuffer({ label: `${label} read-back`, size: sizeBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
  };
}

/** The pass descriptor's timestampWrites for `timer`, or nothing. */
export function passTimestampWrites(timer: PassTimer | undefined): Pick<GPUComputePassDescriptor, 'timestampWrites'> {
  return timer ? { timestampWrites: { querySet: timer.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {};
}

/** After the pass: resolve its two timestamps and copy them where the page can map them. */
export function resolvePassTimer(encoder: GPUCommandEncoder, timer: PassTimer | undefined): void {
  if (!timer) return;
  encoder.resolveQuerySet(timer.querySet, 0, 2, timer.resolve, 0);
  encoder.copyBufferToBuffer(timer.resolve, 0, timer.readback, 0, timer.readback.size);
}

/**
 * The pass's duration in ms from a mapped timer, then unmapped. Undefined when the timestamps make no
 * sense (an implementation may write zeros, or a clock may jump): no GPU time is better than a wrong one.
 */
export function readMappedPassTimer(timer: PassTimer): number | undefined {
  try {
    const [begin, end] = new BigInt64Array(timer.readback.getMappedRange());
    if (begin === undefined || end === undefined || begin <= 0n || end < begin) return undefined;
    return Number(end - begin) / 1e6;
  } finally {
    timer.readback.unmap();
  }
}

/** Map a timer whose copy has been submitted, and read it: for passes timed outside runTwoInputKernel. */
export async function readPassTimer(device: GPUDevice, timer: PassTimer, signal: AbortSignal): Promise<number | undefined> {
  await gpuWait(device, timer.readback.mapAsync(GPUMapMode.READ), signal, 'reading the GPU timestamps');
  return readMappedPassTimer(timer);
}

/** Free a timer's query set and buffers. */
export function destroyPassTimer(timer: PassTimer | undefined): void {
  timer?.querySet.destroy();
  destroyBuffers(timer?.resolve, timer?.readback);
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
  /** Where the device has timestamp queries: the GPU's own time for each dispatch, as a 'gpu-kernel' span. */
  timer?: PassTimer;
  /** Where a, b and c are stored with padded rows (a, b and the output stay unpadded on the page). */
  layout?: RowLayout;
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

/**
 * One timed run, sent as an application would send it: a and b queued, then one submission that clears c,
 * dispatches and copies c to the staging buffer, and one wait until it can be mapped. A wait per phase would
 * time the browser's completion polling three times over (about 100 ms a wait in Firefox), not the GPU.
 * Spans: 'upload' and 'dispatch' are the page queueing the writes and recording and submitting the commands,
 * 'wait' is the GPU running all of it (the copies up, the kernel, the copy back) until the page hears, and
 * 'read-back' is copying the mapped result out. With a timer, the GPU's own time for the pass is a
 * 'gpu-kernel' span too: the GPU's clock is not the page's, so only its length is known, and it is drawn
 * ending where the wait ends (only the copy back runs after it).
 */
export async function runTwoInputKernel(
  kernel: TwoInputKernel,
  a: Float32Array,
  b: Float32Array,
  run: TwoInputRun,
  signal: AbortSignal,
): Promise<{ output: Float32Array; spans: TaskSpan[]; gpuKernelMs?: number }> {
  const { device, timer, layout } = kernel;
  const spans: TaskSpan[] = [];
  let gpuKernelMs: number | undefined;
  const output = await withErrorScopes(
    device,
    run.doing,
    async () => {
      await timedPhase(spans, 'upload', async () => {
        writeRows(device, kernel.a, a, layout);
        writeRows(device, kernel.b, b, layout);
      });
      await timedPhase(spans, 'dispatch', async () => {
        const encoder = device.createCommandEncoder({ label: run.label });
        // A kernel that wrote nothing must not pass on the previous run's answer.
        encoder.clearBuffer(kernel.c);
        const pass = encoder.beginComputePass({ label: run.label, ...passTimestampWrites(timer) });
        pass.setPipeline(kernel.pipeline);
        pass.setBindGroup(0, kernel.bindGroup);
        run.dispatch(pass);
        pass.end();
        resolvePassTimer(encoder, timer);
        encodeReadBack(encoder, kernel.c, kernel.staging);
        device.queue.submit([encoder.finish()]);
      });
      await timedPhase(spans, 'wait', () => mapForReading(device, kernel.staging, signal, run.waitingFor, timer ? [timer.readback] : []));
      const result = await timedPhase(spans, 'read-back', async () => readMappedFloat32(kernel.staging, layout));
      if (timer) gpuKernelMs = readMappedPassTimer(timer);
      return result;
    },
    signal,
  );
  const wait = spans.find((span) => span.phase === 'wait');
  if (gpuKernelMs !== undefined && wait) {
    const startEpochMs = Math.max(wait.startEpochMs, wait.endEpochMs - gpuKernelMs);
    spans.push({ lane: 0, task: 0, startEpochMs, endEpochMs: wait.endEpochMs, phase: 'gpu-kernel' });
  }
  return { output, spans, ...(gpuKernelMs !== undefined ? { gpuKernelMs } : {}) };
}

/**
 * What one set-up has made on the GPU so far, to be destroyed if the set-up fails at any later step (an
 * allocation out of memory or over a limit, a shader that does not compile, a device lost): a failed
 * configuration then holds no GPU memory until the experiment ends.
 */
export class GpuResources {
  private readonly owned: Array<{ destroy(): void }> = [];

  /** Keep `resource` (a buffer, a query set) for release(); passes it through, undefined included. */
  own<T extends { destroy(): unknown } | undefined>(resource: T): T {
    if (resource) this.owned.push(resource as { destroy(): void });
    return resource;
  }

  /** Destroy everything kept, newest first; a destroy that throws (a lost device) does not stop the rest. */
  release(): void {
    for (const resource of this.owned.splice(0).reverse()) {
      try {
        resource.destroy();
      } catch {
        // Already gone with its device.
      }
    }
  }
}

/** Destroy buffers made in setup; safe to call with some missing. */
export function destroyBuffers(...buffers: Array<GPUBuffer | undefined>): void {
  for (const buffer of buffers) buffer?.destroy();
}
