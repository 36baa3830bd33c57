/** Tiny tasks: the post's "for small operations I saw no benefit from multitasking", measured as per-task overhead. */
import { startAtomicsDispatch, type AtomicsDispatcher } from '../../executors/atomics-dispatch.ts';
import { spawnPerTaskExecutor } from '../../executors/spawn-per-task.ts';
import type { Configuration, KernelRef, Params, TaskExecutor, Workload } from '../types.ts';
import { summarizeTinyTasks } from './break-even.ts';
import {
  MAX_START,
  iterationsForUs,
  measureIterationsPerUs,
  sumRangeModClosedForm,
  taskSizesUs,
} from './loop.ts';
import { kernels, type TaskRange } from './kernels.ts';

const ID = 'tiny-tasks';
/** Longest task size: 50 ms stays within the loop's small-integer range on cores up to ~8 iterations per ns. */
const MAX_TASK_US = 50_000;
const RANGE_KERNEL: KernelRef = { workload: ID, kernel: 'sumRange' };
const WORDS_KERNEL: KernelRef = { workload: ID, kernel: 'sumRangeWords' };

interface Prepared {
  sizeUs: number;
  iterationsPerUs: number;
  iterations: number;
  ranges: TaskRange[];
  /** The same ranges as [start, end] words, for the shared-memory mailbox. */
  words: Array<[number, number]>;
  references: number[];
}

interface State {
  spawn?: TaskExecutor;
  atomics?: AtomicsDispatcher;
}

/** One calibration per experiment run: every size of a run must use the same iterations per µs. */
const calibrated = new WeakMap<Params, number>();

function iterationsPerUsFor(params: Params): number {
  if (params.iterationsPerUs! > 0) return params.iterationsPerUs!;
  let rate = calibrated.get(params);
  if (rate === undefined) calibrated.set(params, (rate = measureIterationsPerUs()));
  return rate;
}

export const tinyTasks: Workload<Prepared, number[], State> = {
  meta: {
    id: ID,
    title: 'Tiny tasks: per-task overhead',
    postRow: 'Context switching and overhead: "For small operations (only a few loops), I didn\'t see any benefit from multitasking"',
    summary:
      'The same number of tasks at task sizes from about a microsecond to ten milliseconds of work. Handing a task ' +
      'to another thread costs something: a new worker per task pays the thread start and module load every time ' +
      '(like starting a process per call); a pooled worker pays a message each way; workers parked on shared memory ' +
      'pay only a wake-up. Below the break-even size, serial wins: the overhead is larger than the work saved.',
    backends: ['serial', 'workers', 'shared-memory'],
    sizeLabel: 'task size (µs of serial compute)',
  },
  params: [
    {
      key: 'tasks',
      label: 'Tasks per run',
      description: 'How many tasks each run hands out, the same at every size and for every backend.',
      min: 1,
      max: 1_024,
      integer: true,
      presets: { default: 16, quick: 8 },
    },
    {
      key: 'minUs',
      label: 'Smallest task',
      description: 'Work per task at the small end of the sweep, in µs of serial compute.',
      min: 1,
      max: MAX_TASK_US,
      integer: false,
      unit: 'µs',
      presets: { default: 1, quick: 1 },
    },
    {
      key: 'maxUs',
      label: 'Largest task',
      description: 'Work per task at the large end of the sweep, in µs of serial compute.',
      min: 1,
      max: MAX_TASK_US,
      integer: false,
      unit: 'µs',
      presets: { default: 10_000, quick: 10_000 },
    },
    {
      key: 'perDecade',
      label: 'Sizes per decade',
      description: '1: 1, 10, 100 µs...; 2: 1, 3, 10, 30 µs...; 3: 1, 2, 5, 10 µs...',
      min: 1,
      max: 3,
      integer: true,
      presets: { default: 1, quick: 1 },
    },
    {
      key: 'iterationsPerUs',
      label: 'Loop iterations per µs',
      description: 'How many `count += i` iterations make a microsecond; 0 measures it on this machine before the run.',
      min: 0,
      max: 100_000,
      integer: false,
      presets: { default: 0, quick: 0 },
    },
  ],
  kernels,
  configurations(params, hardwareConcurrency, backends): Configuration[] {
    const lanes = Math.max(1, Math.floor(hardwareConcurrency));
    const has = (b: Configuration['backend']) => backends.includes(b);
    return taskSizesUs(params.minUs!, params.maxUs!, params.perDecade!).flatMap((size) => [
      ...(has('serial') ? [{ backend: 'serial' as const, workers: 1, size }] : []),
      ...(has('workers') ? [{ backend: 'workers' as const, workers: lanes, size, variant: 'pooled' }] : []),
      ...(has('shared-memory') ? [{ backend: 'shared-memory' as const, workers: lanes, size, variant: 'atomics' }] : []),
      ...(has('workers') ? [{ backend: 'workers' as const, workers: lanes, size, variant: 'spawn' }] : []),
    ]);
  },
  prepare(params, random, size): Prepared {
    const sizeUs = size ?? params.minUs!;
    const iterationsPerUs = iterationsPerUsFor(params);
    const iterations = iterationsForUs(sizeUs, iterationsPerUs);
    const ranges: TaskRange[] = [];
    for (let t = 0; t < params.tasks!; t++) {
      // A fresh random start per task: no answer can be remembered from a previous task or run.
      const start = 1 + Math.floor(random() * MAX_START);
      ranges.push({ start, end: start + iterations });
    }
    return {
      sizeUs,
      iterationsPerUs,
      iterations,
      ranges,
      words: ranges.map((r) => [r.start, r.end]),
      references: ranges.map((r) => sumRangeModClosedForm(r.start, r.end)),
    };
  },
  async setup(ctx) {
    const { config } = ctx;
    if (config.variant === 'spawn') {
      return {
        state: { spawn: spawnPerTaskExecutor(config.workers) },
        note: 'a new Worker per task, terminated after it answers: spawn and module load are inside the time',
      };
    }
    if (config.variant === 'atomics') {
      const atomics = await startAtomicsDispatch(ctx.pool, config.workers, WORDS_KERNEL, 2, ctx.signal);
      return {
        state: { atomics },
        mode: atomics.waitMode,
        note:
          atomics.waitMode === 'waitAsync'
            ? 'workers parked in Atomics.wait; the page waits with Atomics.waitAsync'
            : 'workers parked in Atomics.wait; no Atomics.waitAsync here, so the page polls once per macrotask',
      };
    }
    return { state: {} };
  },
  async run(ctx, prepared, state) {
    const { results, spans } = state.atomics
      ? await state.atomics.map(prepared.words, ctx.signal)
      : await (state.spawn ?? ctx.executor).map<TaskRange, number>(RANGE_KERNEL, prepared.ranges, ctx.signal);
    return { output: results, spans };
  },
  async teardown(state) {
    await state.atomics?.stop();
  },
  verify(output, prepared) {
    if (output.length !== prepared.references.length) {
      return { ok: false, detail: `${output.length} answers for ${prepared.references.length} tasks` };
    }
    const wrong = output.findIndex((v, i) => v !== prepared.references[i]);
    return wrong === -1
      ? { ok: true, detail: `${output.length} task sums of ${prepared.iterations.toLocaleString('en')} iterations (exact)` }
      : { ok: false, detail: `task ${wrong}: sum ${output[wrong]}, expected ${prepared.references[wrong]}` };
  },
  describe(prepared) {
    return { iterationsPerUs: Number(prepared.iterationsPerUs.toPrecision(4)) };
  },
  summarize(results, params) {
    return summarizeTinyTasks(results, params.tasks!);
  },
};
