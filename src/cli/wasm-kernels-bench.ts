/**
 * npx tsx src/cli/wasm-kernels-bench.ts [--sizes 256,512,1024] [--threads 1,2] [--runs 11] [--flavours simd,relaxed-simd]
 *                                       [--add-elements 4194304] [--add-repeats 10] [--sum-terms 100000000]
 * Tuning benchmark of the WebAssembly SIMD kernels in Node's V8: compiles wasm/kernels.ts as the build does,
 * checks every answer, and prints the median and the min–max spread over the timed runs of matmul (GFLOP/s,
 * 2n³ per product; `matmul` packs B in every call, `matmul/pB` packs it once in a first round of tasks and
 * multiplies in a second, both rounds timed), add (GB/s, 12 bytes per element per repeat: two loads and a
 * store) and sumRange (integers summed per second). The machine may be shared: compare medians, and rerun.
 *
 * Node 20 validates relaxed SIMD only behind a V8 flag, so the relaxed-simd rows need
 *   node --experimental-wasm-relaxed-simd --import tsx src/cli/wasm-kernels-bench.ts
 * (later Node and Chromium ship relaxed SIMD; the flag is then unknown and unnecessary).
 * Exits 2 on bad options, 1 when a kernel answers wrongly or fails.
 */
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { buildWasmKernels } from '../../build/wasm-kernels-compile.ts';
import { WasmArena, type WasmSimdMode } from '../executors/wasm-memory.ts';
import { median } from '../measure/stats.ts';
import { fillRandomNonZero, firstMismatch } from '../workloads/shared/float32.ts';
import { splitRange } from '../workloads/shared/ranges.ts';
import { sumRangeClosedForm } from '../workloads/cpu-heavy/sum-range.ts';
import { maxRelativeError } from '../workloads/dot-product/matmul.ts';
import {
  wasmAddRange,
  wasmMatmulPackedBBytes,
  wasmMatmulPackedBRows,
  wasmMatmulRows,
  wasmMatmulScratchBytes,
  wasmPackMatmulB,
  wasmSumRange,
  type WasmAddRange,
  type WasmInstanceRef,
  type WasmMatmulPackedBRows,
  type WasmMatmulRows,
  type WasmPackMatmulB,
  type WasmSumRange,
} from '../workloads/shared/wasm-kernels.ts';
import type { LaneReply, LaneTask } from './wasm-bench-lane.ts';

import { parseNumberText } from '../engine/params.ts';
import { EXIT_FAILED_RUN, EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';

/** As the dot-product experiment's own check: float32 sums of n ≤ 2048 terms land far below it. */
const MAX_RELATIVE_ERROR = 1e-3;
/** Untimed runs first: V8 starts a wasm function in its baseline compiler and swaps in optimised code later. */
const WARM_UP_RUNS = 2;
/** Rows of C checked against a float64 reference after the timed runs (the whole product would take seconds). */
const CHECKED_ROWS = 8;
const FLAVOURS: readonly WasmSimdMode[] = ['simd', 'relaxed-simd'];

interface BenchOptions {
  sizes: number[];
  threadCounts: number[];
  runs: number;
  flavours: WasmSimdMode[];
  addElements: number;
  addRepeats: number;
  sumTerms: number;
}

const USAGE =
  'Usage: npx tsx src/cli/wasm-kernels-bench.ts [--sizes 256,512,1024] [--threads 1,2] [--runs 11] [--flavours simd,relaxed-simd]\n' +
  '         [--add-elements 4194304] [--add-repeats 10] [--sum-terms 100000000]\n' +
  'Relaxed SIMD on Node 20: node --experimental-wasm-relaxed-simd --import tsx src/cli/wasm-kernels-bench.ts\n';

function positiveIntegers(option: string, text: string, max: number): number[] {
  const values = text.split(',').map((part) => parseNumberText(part) ?? NaN);
  for (const value of values) {
    if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`--${option} takes integers from 1 to ${max}, got "${text}".`);
  }
  return values;
}

function parseOptions(argv: string[]): BenchOptions | null {
  const parsed = parseCommandLine(
    argv,
    {
      options: {
        sizes: { type: 'string', default: '256,512,1024' },
        threads: { type: 'string', default: '1' },
        runs: { type: 'string', default: '11' },
        flavours: { type: 'string', default: FLAVOURS.join(',') },
        'add-elements': { type: 'string', default: String(4 * 2 ** 20) },
        'add-repeats': { type: 'string', default: '10' },
        'sum-terms': { type: 'string', default: String(1e8) },
      },
    },
    USAGE,
  );
  if (!parsed) return null;
  const { values } = parsed;
  const flavours = values.flavours.split(',').map((f) => f.trim()) as WasmSimdMode[];
  for (const f of flavours) if (!FLAVOURS.includes(f)) throw new UsageError(`Unknown flavour "${f}": use ${FLAVOURS.join(', ')}.`);
  return {
    sizes: positiveIntegers('sizes', values.sizes, 2048),
    threadCounts: positiveIntegers('threads', values.threads, 64),
    runs: positiveIntegers('runs', values.runs, 1000)[0]!,
    flavours,
    addElements: positiveIntegers('add-elements', values['add-elements'], 2 ** 25)[0]!,
    addRepeats: positiveIntegers('add-repeats', values['add-repeats'], 1000)[0]!,
    sumTerms: positiveIntegers('sum-terms', values['sum-terms'], 2 ** 31 - 1)[0]!,
  };
}

/** Worker threads running src/cli/wasm-bench-lane.ts, loaded through tsx as this script is. */
class Lanes {
  readonly #workers: Worker[];
  readonly #ready: Promise<unknown>;

  constructor(count: number) {
    const load = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(new URL('./wasm-bench-lane.ts', import.meta.url).href)}, __filename))`;
    this.#workers = Array.from({ length: count }, () => new Worker(load, { eval: true }));
    this.#ready = Promise.all(this.#workers.map((worker) => this.#reply(worker)));
  }

  #reply(worker: Worker): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      worker.once('error', onError);
      worker.once('message', (reply: unknown) => {
        worker.off('error', onError);
        resolve(reply);
      });
    });
  }

  /** Run one task per lane, all at once; resolves with the results when the last lane answers. */
  async run(tasks: LaneTask[]): Promise<Array<bigint | undefined>> {
    await this.#ready;
    const replies = tasks.map((task, lane) => {
      const reply = this.#reply(this.#workers[lane]!) as Promise<LaneReply>;
      this.#workers[lane]!.postMessage(task);
      return reply;
    });
    return (await Promise.all(replies)).map((reply) => {
      if (!reply.ok) throw new Error(reply.message);
      return reply.result;
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}

/** Durations in ms of `runs` timed calls after the warm-up calls. */
async function timeRuns(runs: number, call: () => unknown): Promise<number[]> {
  const durationsMs: number[] = [];
  for (let r = 0; r < WARM_UP_RUNS + runs; r++) {
    const startMs = performance.now();
    await call();
    if (r >= WARM_UP_RUNS) durationsMs.push(performance.now() - startMs);
  }
  return durationsMs;
}

/** "median (min–max)" of a rate: work / duration, so the fastest run gives the max. */
function formatRate(work: number, durationsMs: number[], unit: string): string {
  const rate = (ms: number) => work / (ms / 1000);
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  return `${f(rate(median(durationsMs)))} ${unit} (${f(rate(Math.max(...durationsMs)))}–${f(rate(Math.min(...durationsMs)))})`;
}

function row(kernel: string, flavour: string, size: string, threads: number | string, rate: string): string {
  return `${kernel.padEnd(11)}${flavour.padEnd(14)}${size.padEnd(16)}${String(threads).padEnd(9)}${rate}`;
}

/** Some rows of A·B in float64, and where those rows sit in C. */
function referenceRows(a: Float32Array, b: Float32Array, n: number, rows: number[]): { expected: Float64Array; actualIndex: number[] } {
  const expected = new Float64Array(rows.length * n);
  const actualIndex: number[] = [];
  rows.forEach((i, r) => {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      for (let j = 0; j < n; j++) expected[r * n + j] = expected[r * n + j]! + aik * b[k * n + j]!;
    }
    for (let j = 0; j < n; j++) actualIndex.push(i * n + j);
  });
  return { expected, actualIndex };
}

async function benchMatmul(ref: WasmInstanceRef, arena: WasmArena, n: number, packOnce: boolean, threads: number, lanes: Lanes | undefined, runs: number): Promise<string> {
  arena.reset();
  const [a, b, c] = [arena.allocFloat32(n * n), arena.allocFloat32(n * n), arena.allocFloat32(n * n)];
  fillRandomNonZero(a.view, Math.random);
  fillRandomNonZero(b.view, Math.random);
  c.view.fill(Number.NaN);
  const scratch = arena.allocScratchAreas(wasmMatmulScratchBytes({ ...ref, n }), threads);
  const packedBPtr = packOnce ? arena.allocBytes(wasmMatmulPackedBBytes({ ...ref, n })) : 0;
  const ranges = splitRange(0, n, threads);
  const args: WasmMatmulRows[] = ranges.map((rows, lane) => ({
    ...ref, aPtr: a.ptr, bPtr: b.ptr, cPtr: c.ptr, n, rowStart: rows.start, rowEnd: rows.end, scratchPtr: scratch[lane]!,
  }));
  const packArgs: WasmPackMatmulB[] = ranges.map((rows) => ({ ...ref, bPtr: b.ptr, n, packedBPtr, kStart: rows.start, kEnd: rows.end }));
  const packedArgs: WasmMatmulPackedBRows[] = args.map(({ bPtr: _unpacked, ...arg }) => ({ ...arg, packedBPtr }));
  const call = async (): Promise<void> => {
    if (!lanes) {
      if (packOnce) {
        wasmPackMatmulB(packArgs[0]!);
        wasmMatmulPackedBRows(packedArgs[0]!);
      } else {
        wasmMatmulRows(args[0]!);
      }
    } else if (packOnce) {
      // Two rounds: every lane's rows of B are packed before any lane multiplies.
      await lanes.run(packArgs.map((arg): LaneTask => ({ kernel: 'packMatmulB', arg })));
      await lanes.run(packedArgs.map((arg): LaneTask => ({ kernel: 'matmulPackedB', arg })));
    } else {
      await lanes.run(args.map((arg): LaneTask => ({ kernel: 'matmul', arg })));
    }
  };
  const durationsMs = await timeRuns(runs, call);
  const rows = [0, n - 1, ...Array.from({ length: CHECKED_ROWS }, () => Math.floor(Math.random() * n))];
  const { expected, actualIndex } = referenceRows(a.view, b.view, n, rows);
  const error = maxRelativeError(actualIndex.map((i) => c.view[i]!), expected);
  if (!(error <= MAX_RELATIVE_ERROR)) throw new Error(`matmul at n = ${n} is wrong: relative error ${error} over ${MAX_RELATIVE_ERROR}.`);
  return formatRate(2 * n ** 3 / 1e9, durationsMs, 'GFLOP/s');
}

async function benchAdd(ref: WasmInstanceRef, arena: WasmArena, elements: number, repeats: number, threads: number, lanes: Lanes | undefined, runs: number): Promise<string> {
  arena.reset();
  const [a, b, c] = [arena.allocFloat32(elements), arena.allocFloat32(elements), arena.allocFloat32(elements)];
  fillRandomNonZero(a.view, Math.random);
  fillRandomNonZero(b.view, Math.random);
  c.view.fill(Number.NaN);
  const args: WasmAddRange[] = splitRange(0, elements, threads).map((range) => ({
    ...ref, aPtr: a.ptr, bPtr: b.ptr, cPtr: c.ptr, start: range.start, end: range.end, repeats,
  }));
  const tasks = args.map((arg): LaneTask => ({ kernel: 'add', arg }));
  const durationsMs = await timeRuns(runs, () => (lanes ? lanes.run(tasks) : wasmAddRange(args[0]!)));
  const expected = a.view.map((x, i) => x + b.view[i]!);
  const mismatch = firstMismatch(c.view, expected);
  if (mismatch !== -1) throw new Error(`add is wrong at element ${mismatch}: ${c.view[mismatch]} instead of ${expected[mismatch]}.`);
  return formatRate((12 * elements * repeats) / 1e9, durationsMs, 'GB/s');
}

async function benchSumRange(ref: WasmInstanceRef, terms: number, threads: number, lanes: Lanes | undefined, runs: number): Promise<string> {
  const start = Math.floor(Math.random() * (2 ** 31 - terms));
  const args: WasmSumRange[] = splitRange(start, terms, threads).map((range) => ({ ...ref, ...range }));
  const tasks = args.map((arg): LaneTask => ({ kernel: 'sumRange', arg }));
  let total = 0n;
  const durationsMs = await timeRuns(runs, async () => {
    const parts = lanes ? await lanes.run(tasks) : [wasmSumRange(args[0]!)];
    total = parts.reduce<bigint>((sum, part) => sum + (part ?? 0n), 0n);
  });
  const expected = sumRangeClosedForm({ start, end: start + terms });
  if (total !== expected) throw new Error(`sumRange over [${start}, ${start + terms}) is wrong: ${total} instead of ${expected}.`);
  return formatRate(terms / 1e9, durationsMs, 'G integers/s');
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return EXIT_OK;
  const compileStartMs = performance.now();
  const built = await buildWasmKernels();
  const compileMs = performance.now() - compileStartMs;
  process.stdout.write(
    `wasm-simd kernels in Node ${process.version} (V8 ${process.versions.v8}), ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}; ` +
      `AssemblyScript compile of both flavours ${(compileMs / 1000).toFixed(1)} s\n` +
      `median (min–max) of ${options.runs} timed runs after ${WARM_UP_RUNS} warm-up runs\n\n` +
      `${row('kernel', 'flavour', 'size', 'threads', 'rate (min–max)')}\n`,
  );
  let measured = 0;
  for (const flavour of options.flavours) {
    const bytes = flavour === 'relaxed-simd' ? built.relaxedSimd : built.simd;
    if (!WebAssembly.validate(bytes)) {
      process.stdout.write(
        `${flavour.padEnd(23)}skipped: this Node does not validate it (Node 20: node --experimental-wasm-relaxed-simd --import tsx src/cli/wasm-kernels-bench.ts)\n`,
      );
      continue;
    }
    const module = new WebAssembly.Module(bytes);
    const largest = Math.max(...options.sizes);
    const arena = new WasmArena({
      initialBytes: Math.max(3 * 4 * largest * largest, 3 * 4 * options.addElements) + Math.max(...options.threadCounts) * (4 << 20),
    });
    const ref: WasmInstanceRef = { module, memory: arena.memory, instanceKey: arena.instanceKey(flavour) };
    for (const threads of options.threadCounts) {
      const lanes = threads > 1 ? new Lanes(threads) : undefined;
      try {
        for (const n of options.sizes) {
          for (const packOnce of [false, true]) {
            const rate = await benchMatmul(ref, arena, n, packOnce, threads, lanes, options.runs);
            process.stdout.write(`${row(packOnce ? 'matmul/pB' : 'matmul', flavour, `n=${n}`, threads, rate)}\n`);
          }
        }
        const addRate = await benchAdd(ref, arena, options.addElements, options.addRepeats, threads, lanes, options.runs);
        process.stdout.write(`${row('add', flavour, `${options.addElements}×${options.addRepeats}`, threads, addRate)}\n`);
        const sumRate = await benchSumRange(ref, options.sumTerms, threads, lanes, options.runs);
        process.stdout.write(`${row('sumRange', flavour, `${options.sumTerms} terms`, threads, sumRate)}\n`);
        measured++;
      } finally {
        await lanes?.close();
      }
    }
  }
  return measured > 0 ? EXIT_OK : EXIT_FAILED_RUN;
}

runScript(main);
