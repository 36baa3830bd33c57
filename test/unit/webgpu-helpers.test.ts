/**
 * The WebGPU helpers' own arithmetic, against a stand-in device that records what it is asked to do (Node has
 * no GPU): padded rows go up row by row and come back without their padding, a timed run is one submission
 * and one wait, and GPU timestamps become a duration only when they make sense.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createPassTimer,
  encodeReadBack,
  GPU_NUDGE_INTERVAL_MS,
  gpuWait,
  LOSS_NOTICE_MS,
  mapForReading,
  passTimestampWrites,
  readMappedFloat32,
  readMappedPassTimer,
  rowLayoutBytes,
  runTwoInputKernel,
  upload,
  type PassTimer,
  type RowLayout,
} from '../../src/executors/webgpu.ts';

/** A buffer backed by an ArrayBuffer, mappable as the page maps a staging buffer. */
function fakeBuffer(sizeBytes: number) {
  const bytes = new ArrayBuffer(sizeBytes);
  return {
    size: sizeBytes,
    bytes,
    mapped: false,
    maps: 0,
    mapAsync() {
      this.mapped = true;
      this.maps += 1;
      return Promise.resolve();
    },
    getMappedRange() {
      return bytes;
    },
    unmap() {
      this.mapped = false;
    },
  };
}
type FakeBuffer = ReturnType<typeof fakeBuffer>;

/**
 * A device whose queue writes into fake buffers at once, whose copies copy (at submission, in order), and
 * which counts submissions and waits. Its compute passes record the dispatches and compute nothing.
 */
function fakeDevice(features: string[] = []) {
  const device = {
    features: new Set(features),
    lost: new Promise(() => undefined),
    submissions: 0,
    waitsForWork: 0,
    dispatches: [] as number[],
    createQuerySet: () => ({ destroy() {} }),
    createBuffer: ({ size }: { size: number }) => fakeBuffer(size),
    pushErrorScope() {},
    popErrorScope: () => Promise.resolve(null),
    queue: {
      writeBuffer(buffer: FakeBuffer, offsetBytes: number, data: ArrayBuffer, dataOffsetBytes: number, sizeBytes: number) {
        new Uint8Array(buffer.bytes, offsetBytes, sizeBytes).set(new Uint8Array(data, dataOffsetBytes, sizeBytes));
      },
      submit(commands: Array<() => void>) {
        device.submissions += 1;
        for (const run of commands) run();
      },
      onSubmittedWorkDone: () => {
        device.waitsForWork += 1;
        return Promise.resolve();
      },
    },
    createCommandEncoder: () => {
      const steps: Array<() => void> = [];
      return {
        clearBuffer(target: FakeBuffer) {
          steps.push(() => new Uint8Array(target.bytes).fill(0));
        },
        copyBufferToBuffer(source: FakeBuffer, sourceOffset: number, target: FakeBuffer, targetOffset: number, size: number) {
          steps.push(() => new Uint8Array(target.bytes, targetOffset, size).set(new Uint8Array(source.bytes, sourceOffset, size)));
        },
        beginComputePass: () => ({
          setPipeline() {},
          setBindGroup() {},
          dispatchWorkgroups: (x: number) => steps.push(() => device.dispatches.push(x)),
          end() {},
        }),
        finish: () => () => steps.forEach((step) => step()),
      };
    },
  };
  return device;
}

const asDevice = (device: ReturnType<typeof fakeDevice>) => device as unknown as GPUDevice;
const asBuffer = (buffer: FakeBuffer) => buffer as unknown as GPUBuffer;
const signal = new AbortController().signal;

/** Copy `source` back through `staging` as a run does: the copy recorded and submitted, one wait, the rows read. */
async function readBack(device: ReturnType<typeof fakeDevice>, source: FakeBuffer, staging: FakeBuffer, layout?: RowLayout, alsoMap: FakeBuffer[] = []) {
  const encoder = asDevice(device).createCommandEncoder();
  encodeReadBack(encoder, asBuffer(source), asBuffer(staging));
  asDevice(device).queue.submit([encoder.finish()]);
  await mapForReading(asDevice(device), asBuffer(staging), signal, 'the read-back', alsoMap.map(asBuffer));
  return readMappedFloat32(asBuffer(staging), layout);
}

beforeAll(() => {
  Object.assign(globalThis, {
    GPUMapMode: { READ: 1, WRITE: 2 },
    GPUBufferUsage: { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, STORAGE: 128, QUERY_RESOLVE: 512 },
  });
});
afterAll(() => {
  Reflect.deleteProperty(globalThis, 'GPUMapMode');
  Reflect.deleteProperty(globalThis, 'GPUBufferUsage');
});

describe('padded row layout', () => {
  it.each([
    [1, 4],
    [3, 4],
    [5, 8],
    [17, 20],
  ])('n = %i stored %i floats apart: uploaded row by row, padding left zero, read back without it', async (n, strideFloats) => {
    const layout = { columns: n, strideFloats };
    const device = fakeDevice();
    const gpuBuffer = fakeBuffer(rowLayoutBytes(n, layout));
    const data = Float32Array.from({ length: n * n }, (_, i) => i + 1);
    await upload(asDevice(device), [[asBuffer(gpuBuffer), data]], signal, layout);
    const stored = new Float32Array(gpuBuffer.bytes);
    for (let row = 0; row < n; row++) {
      expect([...stored.subarray(row * strideFloats, row * strideFloats + n)]).toEqual([...data.subarray(row * n, (row + 1) * n)]);
      expect([...stored.subarray(row * strideFloats + n, (row + 1) * strideFloats)].every((v) => v === 0)).toBe(true);
    }
    const staging = fakeBuffer(gpuBuffer.size);
    const back = await readBack(device, gpuBuffer, staging, layout);
    expect(back).toEqual(data);
    expect(staging.mapped).toBe(false);
  });

  it('without padding, one write and the whole staging buffer back', async () => {
    const device = fakeDevice();
    const gpuBuffer = fakeBuffer(64);
    const data = Float32Array.from({ length: 16 }, (_, i) => i - 8);
    await upload(asDevice(device), [[asBuffer(gpuBuffer), data]], signal, { columns: 4, strideFloats: 4 });
    const back = await readBack(device, gpuBuffer, fakeBuffer(64));
    expect(back).toEqual(data);
  });

  it('maps the extra buffers in the same wait, and leaves them mapped for the caller', async () => {
    const device = fakeDevice();
    const extra = fakeBuffer(16);
    await readBack(device, fakeBuffer(16), fakeBuffer(16), undefined, [extra]);
    expect(extra.mapped).toBe(true);
  });
});

describe('a timed run', () => {
  it('is one submission and one wait: queued writes, the dispatches and the copy back, then the mapped result', async () => {
    const device = fakeDevice();
    const length = 8 + Math.floor(Math.random() * 56);
    const bytes = length * Float32Array.BYTES_PER_ELEMENT;
    const a = Float32Array.from({ length }, () => Math.random() + 0.5);
    const b = Float32Array.from({ length }, () => Math.random() + 0.5);
    const [bufferA, bufferB, bufferC, staging] = [fakeBuffer(bytes), fakeBuffer(bytes), fakeBuffer(bytes), fakeBuffer(bytes)];
    // What the kernel would have written: the stand-in fills c before the run, and the run must clear it first.
    new Float32Array(bufferC.bytes).fill(7);
    const repeats = 1 + Math.floor(Math.random() * 4);
    const kernel = { device: asDevice(device), pipeline: {}, bindGroup: {}, a: asBuffer(bufferA), b: asBuffer(bufferB), c: asBuffer(bufferC), staging: asBuffer(staging) };
    const { output, spans } = await runTwoInputKernel(
      kernel as unknown as Parameters<typeof runTwoInputKernel>[0],
      a,
      b,
      { label: 'test', doing: 'Testing', waitingFor: 'the test', dispatch: (pass) => { for (let r = 0; r < repeats; r++) pass.dispatchWorkgroups(r + 1); } },
      signal,
    );
    expect(device.submissions).toBe(1);
    expect(device.waitsForWork).toBe(0);
    expect(staging.maps).toBe(1);
    expect(device.dispatches).toEqual(Array.from({ length: repeats }, (_, r) => r + 1));
    expect(new Float32Array(bufferA.bytes)).toEqual(a);
    expect(new Float32Array(bufferB.bytes)).toEqual(b);
    // The stand-in computes nothing: c was cleared and copied back, so the run reads zeros, not the stale 7s.
    expect([...output]).toEqual(new Array(length).fill(0));
    expect(staging.mapped).toBe(false);
    expect(spans.map((span) => span.phase)).toEqual(['upload', 'dispatch', 'wait', 'read-back']);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.startEpochMs).toBeGreaterThanOrEqual(spans[i - 1]!.endEpochMs);
  });
});

describe('pass timer', () => {
  it('exists only where the device has timestamp-query', () => {
    expect(createPassTimer(asDevice(fakeDevice()), 't')).toBeUndefined();
    expect(passTimestampWrites(undefined)).toEqual({});
    const timer = createPassTimer(asDevice(fakeDevice(['timestamp-query'])), 't');
    expect(timer).toBeDefined();
    expect(passTimestampWrites(timer).timestampWrites).toMatchObject({ beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 });
  });

  it.each([
    ['2.5 ms apart', [1_000_000n, 3_500_000n], 2.5],
    ['equal', [5n, 5n], 0],
    ['zero (not written)', [0n, 0n], undefined],
    ['backwards', [9_000n, 1_000n], undefined],
  ] as Array<[string, [bigint, bigint], number | undefined]>)('timestamps %s: %s ms, and the buffer is unmapped', (_, stamps, expected) => {
    const readback = fakeBuffer(16);
    new BigInt64Array(readback.bytes).set(stamps);
    readback.mapped = true;
    const timer = { readback } as unknown as PassTimer;
    expect(readMappedPassTimer(timer)).toBe(expected);
    expect(readback.mapped).toBe(false);
  });
});

describe('a wait for GPU work', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('nudges the device with empty submissions until the work is done, then stops', async () => {
    vi.useFakeTimers();
    // As Firefox: finished work is noticed only when something is submitted (or at a 100 ms tick, never reached here).
    const noticedAtSubmission = 2 + Math.floor(Math.random() * 5);
    let finish: (value: string) => void = () => undefined;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const submissions: number[] = [];
    const device = {
      lost: new Promise(() => undefined),
      queue: {
        submit(commands: unknown[]) {
          submissions.push(commands.length);
          if (submissions.length === noticedAtSubmission) finish('mapped');
        },
      },
    } as unknown as GPUDevice;
    let outcome: string | undefined;
    void gpuWait(device, work, new AbortController().signal, 'reading the result').then((value) => (outcome = value));
    await vi.advanceTimersByTimeAsync(GPU_NUDGE_INTERVAL_MS * noticedAtSubmission);
    expect(outcome).toBe('mapped');
    expect(submissions).toEqual(new Array(noticedAtSubmission).fill(0));
    // Settled: no more submissions, however long the page stays.
    await vi.advanceTimersByTimeAsync(50);
    expect(submissions).toHaveLength(noticedAtSubmission);
  });

  it('stops nudging when the run is cancelled', async () => {
    vi.useFakeTimers();
    let submissions = 0;
    const device = { lost: new Promise(() => undefined), queue: { submit: () => (submissions += 1) } } as unknown as GPUDevice;
    const controller = new AbortController();
    const outcome = gpuWait(device, new Promise(() => undefined), controller.signal, 'the kernel').catch((error: Error) => error.name);
    await vi.advanceTimersByTimeAsync(GPU_NUDGE_INTERVAL_MS * 3);
    expect(submissions).toBeGreaterThan(0);
    controller.abort();
    expect(await outcome).toBe('AbortError');
    const atAbort = submissions;
    await vi.advanceTimersByTimeAsync(50);
    expect(submissions).toBe(atAbort);
  });
});

describe('a wait that fails', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A device whose loss the test announces when it likes, and a wait that fails as mapAsync does on a destroyed buffer. */
  function failingWait() {
    let announceLoss: (info: { reason: string; message: string }) => void = () => undefined;
    const device = { lost: new Promise((resolve) => (announceLoss = resolve)) } as unknown as GPUDevice;
    const work = Promise.reject(new DOMException('Buffer unmapped', 'AbortError'));
    work.catch(() => undefined);
    const waiting = gpuWait(device, work, new AbortController().signal, 'reading the result');
    const outcome = waiting.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    return { announceLoss, outcome };
  }

  it('reports the device loss announced after it, as Firefox announces one at its next poll of the device', async () => {
    vi.useFakeTimers();
    const { announceLoss, outcome } = failingWait();
    const lateByMs = Math.floor(LOSS_NOTICE_MS * (0.3 + 0.6 * Math.random()));
    await vi.advanceTimersByTimeAsync(lateByMs);
    announceLoss({ reason: 'destroyed', message: 'Device destroyed' });
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe('The GPU device was lost (destroyed): Device destroyed');
  });

  it('reports its own error when no loss follows within the notice time', async () => {
    vi.useFakeTimers();
    const { announceLoss, outcome } = failingWait();
    await vi.advanceTimersByTimeAsync(LOSS_NOTICE_MS + 1);
    announceLoss({ reason: 'destroyed', message: 'too late to matter' });
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe('Buffer unmapped');
  });
});
