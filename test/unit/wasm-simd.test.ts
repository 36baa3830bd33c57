import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { relaxedSimd, simd } from 'virtual:wasm-kernels';
import {
  chooseWasmSimdMode,
  compileWasmKernels,
  detectWasmSimd,
  RELAXED_SIMD_PROBE,
  SIMD_PROBE,
  WASM_ALIGN_BYTES,
  WASM_MAXIMUM_BYTES,
  WASM_PAGE_BYTES,
  WasmArena,
  type WasmSimdMode,
} from '../../src/executors/wasm-simd.ts';
import { WASM_INITIAL_MEMORY_PAGES, WASM_MAXIMUM_MEMORY_PAGES } from '../../src/executors/wasm-memory.ts';
import {
  cachedWasmInstanceCount,
  WASM_INSTANCE_CACHE_SIZE,
  wasmAddRange,
  wasmMatmulPackedBBytes,
  wasmMatmulPackedBRows,
  wasmMatmulRows,
  wasmMatmulScratchBytes,
  wasmPackMatmulB,
  wasmSumRange,
  type WasmInstanceRef,
} from '../../src/workloads/shared/wasm-kernels.ts';
import { fillRandomNonZero, firstMismatch } from '../../src/workloads/shared/float32.ts';
import { sumRangeClosedForm } from '../../src/workloads/cpu-heavy/sum-range.ts';
import { MAX_RELATIVE_ERROR } from '../../src/workloads/dot-product/index.ts';
import { matmulReference64, maxRelativeError } from '../../src/workloads/dot-product/matmul.ts';

/** A seeded generator so a failure can be replayed; the seed itself is fresh each run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = (Math.random() * 2 ** 32) >>> 0;
const random = mulberry32(seed);
const randomInt = (below: number) => Math.floor(random() * below);

// Node 20 validates relaxed SIMD only under --experimental-wasm-relaxed-simd; later Node and Chromium do by default.
const relaxedRuns = WebAssembly.validate(relaxedSimd);
if (!relaxedRuns) {
  console.info('relaxed-simd kernels skipped: this Node does not validate relaxed SIMD (node --experimental-wasm-relaxed-simd does).');
}
const FLAVOURS = [
  { mode: 'simd' as WasmSimdMode, bytes: simd, runs: true },
  { mode: 'relaxed-simd' as WasmSimdMode, bytes: relaxedSimd, runs: relaxedRuns },
];

/** Section ids of a module, in order, with each section's payload; throws on a malformed header. */
function sections(bytes: Uint8Array): Array<{ id: number; payload: Uint8Array }> {
  expect([...bytes.subarray(0, 8)]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const found: Array<{ id: number; payload: Uint8Array }> = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const [size, next] = readLeb(bytes, at);
    found.push({ id, payload: bytes.subarray(next, next + size) });
    at = next + size;
  }
  expect(at).toBe(bytes.length);
  return found;
}

/** An unsigned LEB128 number at `at`: its value and the offset after it. */
function readLeb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

const SECTION = { import: 2, global: 6, export: 7, start: 8, data: 11, dataCount: 12 } as const;

/** `kind name` of each export, sorted. */
function exportNames(exports: Uint8Array): string[] {
  const kinds = ['function', 'table', 'memory', 'global'];
  let [count, at] = readLeb(exports, 0);
  const names: string[] = [];
  while (count-- > 0) {
    const [length, next] = readLeb(exports, at);
    const name = new TextDecoder().decode(exports.subarray(next, next + length));
    const kind = kinds[exports[next + length]!] ?? 'unknown';
    at = readLeb(exports, next + length + 1)[1];
    names.push(`${kind} ${name}`);
  }
  return names.sort();
}

/** The limits of the (single) memory import: flags bit 0 says a maximum follows, bit 1 that it is shared. */
function memoryImportLimits(imports: Uint8Array): { shared: boolean; initial: number; maximum: number | undefined } {
  let [count, at] = readLeb(imports, 0);
  while (count-- > 0) {
    for (const _name of ['module', 'field']) {
      const [length, next] = readLeb(imports, at);
      at = next + length;
    }
    const kind = imports[at++];
    if (kind !== 0x02) throw new Error(`import of kind ${kind}: only the memory was expected`);
    const flags = imports[at++]!;
    const [initial, next] = readLeb(imports, at);
    const maximum = flags & 1 ? readLeb(imports, next)[0] : undefined;
    return { shared: (flags & 2) !== 0, initial, maximum };
  }
  throw new Error('no memory import');
}

/** Inputs, a poisoned output and one scratch area in a fresh arena, as a page lays them out. */
function matmulLayout(instance: WasmInstanceRef & { arena: WasmArena }, n: number, lanes = 1) {
  const a = instance.arena.allocFloat32(n * n);
  const b = instance.arena.allocFloat32(n * n);
  const c = instance.arena.allocFloat32(n * n);
  fillRandomNonZero(a.view, random);
  fillRandomNonZero(b.view, random);
  c.view.fill(Number.NaN);
  const scratch = instance.arena.allocScratchAreas(wasmMatmulScratchBytes({ ...instance, n }), lanes);
  return { a, b, c, scratch, call: (rowStart: number, rowEnd: number, lane = 0) => ({ ...instance, aPtr: a.ptr, bPtr: b.ptr, cPtr: c.ptr, n, rowStart, rowEnd, scratchPtr: scratch[lane]! }) };
}

async function instanceFor(mode: WasmSimdMode): Promise<WasmInstanceRef & { arena: WasmArena }> {
  const { module } = await compileWasmKernels(mode);
  const arena = new WasmArena();
  return { module, memory: arena.memory, instanceKey: arena.instanceKey(mode), arena };
}

/** Rows [rowStart, rowEnd) of A·B in float64, for sizes where the whole reference would be slow. */
function referenceRows(a: Float32Array, b: Float32Array, n: number, rowStart: number, rowEnd: number): Float64Array {
  const c = new Float64Array((rowEnd - rowStart) * n);
  for (let i = rowStart; i < rowEnd; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      const row = (i - rowStart) * n;
      for (let j = 0; j < n; j++) c[row + j] = c[row + j]! + aik * b[k * n + j]!;
    }
  }
  return c;
}

describe(`wasm-simd kernels (seed ${seed})`, () => {
  describe.each(FLAVOURS)('the $mode binary', ({ mode, bytes }) => {
    it('imports one shared memory, exports only the kernels, and has no data segment, start function or global', () => {
      const ids = sections(bytes).map((s) => s.id);
      // Every worker instantiates the module over the same memory: an active data segment would be written
      // again at each instantiation, over inputs already there.
      const data = sections(bytes).find((s) => s.id === SECTION.data);
      expect(data === undefined || readLeb(data.payload, 0)[0] === 0).toBe(true);
      expect(ids).not.toContain(SECTION.dataCount);
      expect(ids).not.toContain(SECTION.start);
      expect(ids).not.toContain(SECTION.global);

      // Read from the bytes, not from WebAssembly.Module: this Node may not compile the relaxed flavour.
      expect(exportNames(sections(bytes).find((s) => s.id === SECTION.export)!.payload)).toEqual(
        [
          'function add',
          'function matmul',
          'function matmulPackedB',
          'function matmulPackedBBytes',
          'function matmulScratchBytes',
          'function packMatmulB',
          'function sumRange',
        ],
      );
      expect(memoryImportLimits(sections(bytes).find((s) => s.id === SECTION.import)!.payload)).toEqual({
        shared: true,
        initial: WASM_INITIAL_MEMORY_PAGES,
        maximum: WASM_MAXIMUM_MEMORY_PAGES,
      });
    });

    it(`validates ${mode === 'simd' ? 'wherever SIMD does' : 'exactly where relaxed SIMD does'}`, () => {
      const support = detectWasmSimd();
      expect(WebAssembly.validate(bytes)).toBe(mode === 'simd' ? support.simd : support.relaxedSimd);
    });
  });

  it('detection answers as WebAssembly.validate does on each probe, and the probes tell features apart', () => {
    const support = detectWasmSimd();
    expect(typeof support.simd).toBe('boolean');
    expect(typeof support.relaxedSimd).toBe('boolean');
    expect(support.simd).toBe(WebAssembly.validate(SIMD_PROBE));
    expect(support.relaxedSimd).toBe(WebAssembly.validate(RELAXED_SIMD_PROBE));
    expect(support.simd).toBe(true); // Node 20 ships 128-bit SIMD
    expect(support.sharedMemory).toBe(true);
    expect(support.reason).toBeUndefined();
    // The same module with an opcode no engine knows (0xfd 0x7fff) does not validate: validation discriminates.
    const unknownOpcode = RELAXED_SIMD_PROBE.slice();
    unknownOpcode.set([0xff, 0xff, 0x01], unknownOpcode.length - 4);
    expect(WebAssembly.validate(unknownOpcode)).toBe(false);
  });

  it('compileWasmKernels takes relaxed SIMD only where it validates and says which flavour it compiled', async () => {
    const support = detectWasmSimd();
    const relaxedOrSimd = support.relaxedSimd ? 'relaxed-simd' : 'simd';
    expect((await compileWasmKernels('simd')).mode).toBe('simd');
    expect((await compileWasmKernels('auto')).mode).toBe(relaxedOrSimd);
    const preferred = await compileWasmKernels('relaxed-simd');
    expect(preferred.mode).toBe(relaxedOrSimd);
    expect(preferred.module).toBeInstanceOf(WebAssembly.Module);
    expect(preferred.compileMs).toBeGreaterThanOrEqual(0);
    expect(chooseWasmSimdMode('auto', { ...support, relaxedSimd: false })).toBe('simd');
  });

  describe.each(FLAVOURS)('$mode kernels', ({ mode, runs }) => {
    it.skipIf(!runs).each([1, 3, 5, 17, 64, 100, 129])('matmul at n = %i matches the float64 reference', async (n) => {
      const instance = await instanceFor(mode);
      const { a, b, c, call } = matmulLayout(instance, n);
      wasmMatmulRows(call(0, n));
      const reference = matmulReference64(a.view, b.view, n);
      const error = maxRelativeError(c.view, reference);
      expect(error).toBeLessThan(MAX_RELATIVE_ERROR);
      expect(error).toBeLessThan(1e-5); // float32 sums of ≤ 129 terms of magnitude < 4
      // One element off by twice the tolerance, one in n², fails the same check.
      const largest = reference.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      c.view[randomInt(n * n)]! += 2 * MAX_RELATIVE_ERROR * largest;
      expect(maxRelativeError(c.view, reference)).toBeGreaterThan(MAX_RELATIVE_ERROR);
    });

    it.skipIf(!runs)('matmul at n = 517 (three k blocks and three column blocks, ragged edges) on a middle band of rows', async () => {
      const n = 517;
      const [rowStart, rowEnd] = [113, 246];
      const instance = await instanceFor(mode);
      const { a, b, c, call } = matmulLayout(instance, n);
      wasmMatmulRows(call(rowStart, rowEnd));
      const band = c.view.subarray(rowStart * n, rowEnd * n);
      expect(maxRelativeError(band, referenceRows(a.view, b.view, n, rowStart, rowEnd))).toBeLessThan(1e-5);
      // Rows outside the band are not written: still the NaN they were poisoned with.
      expect(c.view.subarray(0, rowStart * n).every(Number.isNaN)).toBe(true);
      expect(c.view.subarray(rowEnd * n).every(Number.isNaN)).toBe(true);
    });

    it.skipIf(!runs)('matmul gives the same bits however the rows are split between calls', async () => {
      const n = 300;
      const instance = await instanceFor(mode);
      const { c, call } = matmulLayout(instance, n);
      wasmMatmulRows(call(0, n));
      const whole = c.view.slice();
      c.view.fill(Number.NaN);
      const cuts = [0, ...Array.from({ length: 5 }, () => randomInt(n + 1)).sort((x, y) => x - y), n];
      for (let k = 0; k + 1 < cuts.length; k++) wasmMatmulRows(call(cuts[k]!, cuts[k + 1]!));
      expect(firstMismatch(c.view, whole), `cuts ${cuts.join(', ')}`).toBe(-1);
    });

    it.skipIf(!runs)('matmul writes nothing but its rows of C and its scratch area', async () => {
      const n = 37;
      const instance = await instanceFor(mode);
      const { a, b, c, scratch, call } = matmulLayout(instance, n, 2);
      const memory = new Uint8Array(instance.memory.buffer);
      const before = memory.slice();
      const scratchBytes = wasmMatmulScratchBytes({ ...instance, n });
      wasmMatmulRows(call(10, 23, 0));
      const changed = memory.findIndex((byte, i) => byte !== before[i] && !(i >= c.ptr + 10 * n * 4 && i < c.ptr + 23 * n * 4) && !(i >= scratch[0]! && i < scratch[0]! + scratchBytes));
      expect(changed).toBe(-1);
      expect([a.ptr, b.ptr, c.ptr, ...scratch].every((ptr) => ptr % WASM_ALIGN_BYTES === 0)).toBe(true);
    });

    it.skipIf(!runs).each([1, 5, 17, 129, 300])(
      'n = %i: B packed once, in several row ranges, then matmulPackedB on row bands equals matmul bit for bit',
      async (n) => {
        const instance = await instanceFor(mode);
        const { a, b, c, call } = matmulLayout(instance, n);
        wasmMatmulRows(call(0, n));
        const unpacked = c.view.slice();
        const packedB = instance.arena.allocBytes(wasmMatmulPackedBBytes({ ...instance, n }));
        const before = new Uint8Array(instance.memory.buffer).slice();
        const cuts = [0, ...Array.from({ length: 3 }, () => randomInt(n + 1)).sort((x, y) => x - y), n];
        for (let k = 0; k + 1 < cuts.length; k++) wasmPackMatmulB({ ...instance, bPtr: b.ptr, n, packedBPtr: packedB, kStart: cuts[k]!, kEnd: cuts[k + 1]! });
        // Packing writes its own area and nothing else.
        const packedEnd = packedB + wasmMatmulPackedBBytes({ ...instance, n });
        const memory = new Uint8Array(instance.memory.buffer);
        expect(memory.findIndex((byte, i) => byte !== before[i] && !(i >= packedB && i < packedEnd))).toBe(-1);
        c.view.fill(Number.NaN);
        const bands = [0, randomInt(n + 1), n].sort((x, y) => x - y);
        for (let k = 0; k + 1 < bands.length; k++) {
          wasmMatmulPackedBRows({ ...call(bands[k]!, bands[k + 1]!), packedBPtr: packedB });
        }
        expect(firstMismatch(c.view, unpacked)).toBe(-1);
        expect(maxRelativeError(c.view, matmulReference64(a.view, b.view, n))).toBeLessThan(1e-5);
      },
    );

    it.skipIf(!runs)('two threads, two instances, one shared memory: disjoint row ranges at once make the whole product', async () => {
      const n = 129;
      const instance = await instanceFor(mode);
      const { a, b, c, call } = matmulLayout(instance, n, 2);
      const workers = [0, 1].map(() => startLane());
      try {
        await Promise.all(workers.map((w) => w.ready));
        const split = 1 + randomInt(n - 1);
        // Both lanes instantiate the module over the memory after the inputs are written, and run concurrently.
        const replies = await Promise.all([workers[0]!.run(call(0, split, 0)), workers[1]!.run(call(split, n, 1))]);
        expect(replies).toEqual([{ instances: 1 }, { instances: 1 }]);
        expect(maxRelativeError(c.view, matmulReference64(a.view, b.view, n))).toBeLessThan(1e-5);
        // A second task on the same memory: a new Memory wrapper arrives, the cached instance serves it.
        c.view.fill(Number.NaN);
        expect(await workers[0]!.run(call(0, n, 0))).toEqual({ instances: 1 });
        expect(maxRelativeError(c.view, matmulReference64(a.view, b.view, n))).toBeLessThan(1e-5);
      } finally {
        await Promise.all(workers.map((w) => w.worker.terminate()));
      }
    });

    it.skipIf(!runs).each([
      [1, 0, 1, 1],
      [3, 1, 3, 2],
      [17, 0, 17, 3],
      [64, 5, 61, 1],
      [1001, 3, 998, 2],
      [4099, 0, 4099, 1],
    ])('add over %i elements, range [%i, %i), %i repeats: bit-exact, nothing else written', async (length, start, end, repeats) => {
      const instance = await instanceFor(mode);
      const a = instance.arena.allocFloat32(length);
      const b = instance.arena.allocFloat32(length);
      const c = instance.arena.allocFloat32(length);
      fillRandomNonZero(a.view, random);
      fillRandomNonZero(b.view, random);
      c.view.fill(Number.NaN);
      wasmAddRange({ ...instance, aPtr: a.ptr, bPtr: b.ptr, cPtr: c.ptr, start, end, repeats });
      const expected = new Float32Array(length).fill(Number.NaN);
      for (let i = start; i < end; i++) expected[i] = a.view[i]! + b.view[i]!;
      expect(firstMismatch(c.view, expected)).toBe(-1);
      // One ulp off in one element is a mismatch.
      const at = start + randomInt(end - start);
      new Uint32Array(c.view.buffer, c.view.byteOffset, length)[at]! ^= 1;
      expect(firstMismatch(c.view, expected)).toBe(at);
    });

    it.skipIf(!runs)('add on random odd ranges of a shared array, several lanes: bit-exact', async () => {
      const instance = await instanceFor(mode);
      const length = 2 * (500 + randomInt(3000)) + 1;
      const [a, b, c] = [0, 1, 2].map(() => instance.arena.allocFloat32(length));
      fillRandomNonZero(a!.view, random);
      fillRandomNonZero(b!.view, random);
      c!.view.fill(Number.NaN);
      const cuts = [0, ...Array.from({ length: 4 }, () => randomInt(length)).sort((x, y) => x - y), length];
      for (let k = 0; k + 1 < cuts.length; k++) {
        wasmAddRange({ ...instance, aPtr: a!.ptr, bPtr: b!.ptr, cPtr: c!.ptr, start: cuts[k]!, end: cuts[k + 1]!, repeats: 1 });
      }
      expect(firstMismatch(c!.view, a!.view.map((x, i) => x + b!.view[i]!))).toBe(-1);
    });

    it.skipIf(!runs)('sumRange is exact on random ranges, empty ones, ones ending at 2^31 and a 10^8-term one', async () => {
      const instance = await instanceFor(mode);
      const ranges = [
        [0, 0],
        [5, 5],
        [9, 3],
        [7, 8],
        [0, 9],
        [2 ** 31 - 1_000_003, 2 ** 31],
        [1, 100_000_001],
        ...Array.from({ length: 20 }, () => {
          const start = randomInt(2 ** 31 - 2_000_000);
          return [start, start + randomInt(2_000_000)];
        }),
      ];
      for (const [start, end] of ranges) {
        const got = wasmSumRange({ ...instance, start: start!, end: end! });
        expect(typeof got).toBe('bigint');
        expect(got, `[${start}, ${end})`).toBe(sumRangeClosedForm({ start: start!, end: end! }));
        expect(got + 1n).not.toBe(sumRangeClosedForm({ start: start!, end: end! }));
      }
      expect(() => wasmSumRange({ ...instance, start: 0, end: 2 ** 31 + 1 })).toThrow(RangeError);
      expect(() => wasmSumRange({ ...instance, start: 0.5, end: 3 })).toThrow(RangeError);
    });
  });

  it('each thread caches a few instances by key, evicting the least recently used', async () => {
    const { module } = await compileWasmKernels('simd');
    const arenas = Array.from({ length: WASM_INSTANCE_CACHE_SIZE + 2 }, () => new WasmArena({ maximumBytes: WASM_PAGE_BYTES }));
    for (const arena of arenas) wasmSumRange({ module, memory: arena.memory, instanceKey: arena.instanceKey('simd'), start: 0, end: 10 });
    expect(cachedWasmInstanceCount()).toBe(WASM_INSTANCE_CACHE_SIZE);
    const last = arenas.at(-1)!;
    wasmSumRange({ module, memory: last.memory, instanceKey: last.instanceKey('simd'), start: 0, end: 10 });
    expect(cachedWasmInstanceCount()).toBe(WASM_INSTANCE_CACHE_SIZE);
  });

  it('the arena aligns to 64 bytes, grows on demand, and its maximum must not exceed the one the module imports', async () => {
    const arena = new WasmArena({ initialBytes: 1 });
    expect(arena.sizeBytes).toBe(WASM_PAGE_BYTES);
    const small = arena.allocFloat32(3);
    const big = arena.allocFloat32(100_000);
    expect([small.ptr % 64, big.ptr % 64, big.ptr >= small.ptr + 12]).toEqual([0, 0, true]);
    expect(arena.sizeBytes).toBeGreaterThanOrEqual(big.ptr + 400_000);
    big.view[99_999] = 7;
    expect(new Float32Array(arena.memory.buffer, big.ptr, 100_000)[99_999]).toBe(7);
    expect(arena.memory.buffer).toBeInstanceOf(SharedArrayBuffer);

    expect(() => new WasmArena({ maximumBytes: WASM_MAXIMUM_BYTES + WASM_PAGE_BYTES })).toThrow(RangeError);
    const capped = new WasmArena({ maximumBytes: 2 * WASM_PAGE_BYTES });
    expect(() => capped.allocBytes(3 * WASM_PAGE_BYTES)).toThrow(/maximum/);

    // The rule the arena enforces is instantiation's: an imported memory may declare no larger a maximum.
    const { module } = await compileWasmKernels('simd');
    const tooLarge = new WebAssembly.Memory({ initial: 1, maximum: WASM_MAXIMUM_MEMORY_PAGES + 1, shared: true });
    expect(() => new WebAssembly.Instance(module, { env: { memory: tooLarge } })).toThrow(WebAssembly.LinkError);
    expect(() => new WebAssembly.Instance(module, { env: { memory: capped.memory } })).not.toThrow();
  });
});

/** Node cannot load TypeScript in a worker by itself: tsx's loader does it, as it does for the bench runner. */
const LOAD_LANE = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(
  new URL('../fixtures/wasm-lane.worker.ts', import.meta.url).href,
)}, __filename))`;

const lanes: Worker[] = [];
afterAll(async () => {
  await Promise.all(lanes.map((w) => w.terminate()));
});

/** A Node worker thread running the worker-side kernels, one task per message. */
function startLane() {
  const worker = new Worker(LOAD_LANE, { eval: true });
  lanes.push(worker);
  const replies: Array<(reply: unknown) => void> = [];
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  worker.on('message', (reply: { ready?: boolean }) => (reply.ready ? markReady() : replies.shift()?.(reply)));
  return {
    worker,
    ready,
    run: (arg: unknown) =>
      new Promise((resolve, reject) => {
        replies.push(resolve);
        worker.once('error', reject);
        worker.postMessage(arg);
      }),
  };
}
