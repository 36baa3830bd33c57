/**
 * The WebGPU helpers' own arithmetic, against a stand-in device that records what it is asked to do (Node has
 * no GPU): padded rows go up row by row and come back without their padding, and GPU timestamps become a
 * duration only when they make sense.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPassTimer,
  passTimestampWrites,
  readBackFloat32,
  readMappedPassTimer,
  rowLayoutBytes,
  upload,
  type PassTimer,
} from '../../src/executors/webgpu.ts';

/** A buffer backed by an ArrayBuffer, mappable as the page maps a staging buffer. */
function fakeBuffer(sizeBytes: number) {
  const bytes = new ArrayBuffer(sizeBytes);
  return {
    size: sizeBytes,
    bytes,
    mapped: false,
    mapAsync() {
      this.mapped = true;
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

/** A device whose queue writes into fake buffers at once, and whose copies copy. */
function fakeDevice(features: string[] = []) {
  return {
    features: new Set(features),
    lost: new Promise(() => undefined),
    createQuerySet: () => ({ destroy() {} }),
    createBuffer: ({ size }: { size: number }) => fakeBuffer(size),
    queue: {
      writeBuffer(buffer: FakeBuffer, offsetBytes: number, data: ArrayBuffer, dataOffsetBytes: number, sizeBytes: number) {
        new Uint8Array(buffer.bytes, offsetBytes, sizeBytes).set(new Uint8Array(data, dataOffsetBytes, sizeBytes));
      },
      submit() {},
      onSubmittedWorkDone: () => Promise.resolve(),
    },
    createCommandEncoder: () => {
      const copies: Array<() => void> = [];
      return {
        copyBufferToBuffer(source: FakeBuffer, sourceOffset: number, target: FakeBuffer, targetOffset: number, size: number) {
          copies.push(() => new Uint8Array(target.bytes, targetOffset, size).set(new Uint8Array(source.bytes, sourceOffset, size)));
        },
        finish: () => copies.forEach((copy) => copy()),
      };
    },
  };
}

const asDevice = (device: ReturnType<typeof fakeDevice>) => device as unknown as GPUDevice;
const asBuffer = (buffer: FakeBuffer) => buffer as unknown as GPUBuffer;
const signal = new AbortController().signal;

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
    const back = await readBackFloat32(asDevice(device), asBuffer(gpuBuffer), asBuffer(staging), signal, layout);
    expect(back).toEqual(data);
    expect(staging.mapped).toBe(false);
  });

  it('without padding, one write and the whole staging buffer back', async () => {
    const device = fakeDevice();
    const gpuBuffer = fakeBuffer(64);
    const data = Float32Array.from({ length: 16 }, (_, i) => i - 8);
    await upload(asDevice(device), [[asBuffer(gpuBuffer), data]], signal, { columns: 4, strideFloats: 4 });
    const back = await readBackFloat32(asDevice(device), asBuffer(gpuBuffer), asBuffer(fakeBuffer(64)), signal);
    expect(back).toEqual(data);
  });

  it('maps the extra buffers in the same wait, and leaves them mapped for the caller', async () => {
    const device = fakeDevice();
    const extra = fakeBuffer(16);
    await readBackFloat32(asDevice(device), asBuffer(fakeBuffer(16)), asBuffer(fakeBuffer(16)), signal, undefined, [asBuffer(extra)]);
    expect(extra.mapped).toBe(true);
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
