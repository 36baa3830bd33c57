/** Tiny tasks: the post's "for small operations I saw no benefit from multitasking", measured as per-task overhead. */
import { startAtomicsDispatch, type AtomicsDispatcher } from '../../executors/atomics-dispatch.ts';
import { spinningLaneCount, startRingDispatch, type RingDispatcher } from '../../executors/ring-dispatch.ts';
import { hasAtomicsPause } from '../../executors/task-ring.ts';
import { spawnPerTaskExecutor } from '../../executors/spawn-per-task.ts';
import { kernelRef } from '../kernels.ts';
import type { BackendImplementation, Configuration, Params, TaskExecutor, Workload } from '../types.ts';
import type { TaskRange } from './kernels.ts';
import { summarizeTinyTasks } from './break-even.ts';
import {
  MAX_START,
  iterationsForUs,
  measureIterationsPerUs,
  sumRangeMod,
  sumRangeModClosedForm,
  taskSizesUs,
} from './loop.ts';
import { SIZE_LABELS } from '../size-labels.ts';

const ID = 'tiny-tasks';
/** Longest task size: 50 ms stays within the loop's small-integer range on cores up to ~8 iterations per ns. */
const MAX_TASK_US = 50_000;
const RANGE_KERNEL = kernelRef(ID, 'sumRange');
const WORDS_KERNEL = kernelRef(ID, 'sumRangeWords');

interface Prepared {
  sizeUs: number;
  iterationsPerUs: number;
  iterations: number;
  ranges: TaskRange[];
  /** The same ranges as [start, end] words, for the shared-memory mailbox. */
  words: Array<[number, number]>;
  references: number[];
}


/** One calibration per experiment run: every size of a run must use the same iterations per µs. */
const calibrated = new WeakMap<Params, number>();

function iterationsPerUsFor(params: Params): number {
  if (params.iterationsPerUs! > 0) return params.iterationsPerUs!;
  let rate = calibrated.get(params);
  if (rate === undefined) calibrated.set(params, (rate = measureIterationsPerUs()));
  return rate;
}

/** Serial and pooled workers: the engine's executor hands the tasks out, one message per task for workers. */
const throughExecutor: BackendImplementation<Prepared, number[]> = {
  async run(ctx, prepared) {
    const { results, spans } = await ctx.executor.map<TaskRange, number>(RANGE_KERNEL, prepared.ranges, ctx.signal);
    return { output: results, spans };
  },
};

/** Workers, pooled (one message per task) or spawned anew for every task (spawn and module load inside the time). */
const workers: BackendImplementation<Prepared, number[], { spawn?: TaskExecutor }> = {
  variants: ['pooled', 'spawn'],
  async setup(ctx) {
    if (ctx.config.variant !== 'spawn') return { state: {} };
    return {
      state: { spawn: spawnPerTaskExecutor(ctx.config.workers) },
      note: 'a new Worker per task, terminated after it answers: spawn and module load are inside the time',
    };
  },
  async run(ctx, prepared, state) {
    const { results, spans } = await (state.spawn ?? ctx.executor).map<TaskRange, number>(RANGE_KERNEL, prepared.ranges, ctx.signal);
    return { output: results, spans };
  },
};

/**
 * How long a ring lane spins for the next batch before it sleeps: long enough to bridge the page's work between
 * two samples, short enough that an idle pool costs nothing. Waking a sleeping thread costs 0.1 to 2.5 ms on a
 * 2-core virtual machine (an idle virtual CPU halts), more than a whole batch of small tasks.
 */
const RING_SPIN_MS = 1;
/** How long the page looks for a batch's end before it waits on the event loop (a wake-up of its own). */
const RING_PAGE_SPIN_MS = 0.3;
/**
 * Where the page is a lane: how long it runs tasks of one batch before leaving the rest to the workers (a
 * frame's worth, so input and rendering still get their turn), and how long it then looks for the batch's
 * end. It has finished its own share by then, so the look costs no other lane a core.
 */
const PAGE_LANE_MS = 16;
const PAGE_LANE_SPIN_MS = 2;

/**
 * Workers on shared memory, three designs. `ring`: the whole batch written once, lanes claim tasks by
 * compare-and-swap and spin briefly before sleeping, the page hears once per batch. `ring-page`: the same
 * ring with the page as one of the lanes, claiming tasks beside the workers rather than waiting for them, as
 * the calling thread does in native fork-join pools. `atomics`: a mailbox per lane, the page hands out every
 * task and waits for its answer (a store and a notify each way).
 */
const sharedMemory: BackendImplementation<Prepared, number[], { atomics?: AtomicsDispatcher; ring?: RingDispatcher }> = {
  variants: ['ring', 'ring-page', 'atomics'],
  async setup(ctx) {
    if (ctx.config.variant === 'ring' || ctx.config.variant === 'ring-page') {
      const pageLane = ctx.config.variant === 'ring-page';
      const workerLanes = ctx.config.workers - (pageLane ? 1 : 0);
      const options = {
        capacity: Math.max(ctx.params.tasks!, ctx.params.emptyBatch!),
        spinMs: RING_SPIN_MS,
        // Where the page is a lane it holds a core of its own while it runs: the workers may spin on the rest.
        spinningLanes: spinningLaneCount(workerLanes, ctx.cores - (pageLane ? 1 : 0)),
        pageSpinMs: pageLane ? PAGE_LANE_SPIN_MS : RING_PAGE_SPIN_MS,
        ...(pageLane ? { pageLaneMs: PAGE_LANE_MS } : {}),
      };
      const ring = await startRingDispatch(ctx.pool, ctx.config.workers, WORDS_KERNEL, 2, options, ctx.signal);
      const lanes = pageLane ? `the page and ${workerLanes} worker${workerLanes === 1 ? '' : 's'}` : `${ctx.config.workers} lanes`;
      return {
        state: { ring },
        mode: ring.waitMode,
        note:
          `one batch of tasks in shared memory, claimed by compare-and-swap by ${lanes}; ${options.spinningLanes} of ${workerLanes} workers ` +
          `spin up to ${RING_SPIN_MS * 1000} µs${hasAtomicsPause ? ' (with Atomics.pause)' : ''} before sleeping; ` +
          `the page hears once per batch (${ring.waitMode === 'waitAsync' ? 'Atomics.waitAsync' : 'a check per macrotask'})`,
      };
    }
    const atomics = await startAtomicsDispatch(ctx.pool, ctx.config.workers, WORDS_KERNEL, 2, ctx.signal);
    return {
      state: { atomics },
      mode: atomics.waitMode,
      note:
        atomics.waitMode === 'waitAsync'
          ? 'workers parked in Atomics.wait; the page waits with Atomics.waitAsync'
          : 'workers parked in Atomics.wait; no Atomics.waitAsync here, so the page polls once per macrotask',
    };
  },
  async run(ctx, prepared, { atomics, ring }) {
    const { results, spans } = await (ring ?? atomics)!.map(prepared.words, ctx.signal);
    return { output: results, spans };
  },
  teardown: ({ atomics, ring }) => (ring ?? atomics)!.stop(),
};

export const tinyTasks: Workload<Prepared, number[]> = {
  meta: {
    id: ID,
    title: 'Tiny tasks: per-task overhead',
    postRow: 'Context switching and overhead: "For small operations (only a few loops), I didn\'t see any benefit from multitasking"',
    summary:
      'The same number of tasks at task sizes from about a microsecond to ten milliseconds of work. Handing a task ' +
      'to another thread costs something: a new worker per task pays the thread start and module load every time ' +
      '(like starting a process per call); a pooled worker pays a message each way; workers parked on shared memory ' +
      'pay only a wake-up, and one fewer wakes where the page runs tasks beside them. Below the break-even size, ' +
      'serial wins: the overhead is larger than the work saved.',
    backends: ['serial', 'workers', 'shared-memory'],
    sizeLabel: SIZE_LABELS['tiny-tasks'],
  },
  params: [
    {
      key: 'tasks',
      label: 'Tasks per run',
      description: 'How many tasks each run hands out, the same at every size and for every backend.',
      min: 1,
      max: 4_096,
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
      presets: { quick: 1_000, default: 1_000, thorough: 10_000 },
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
    {
      key: 'emptyBatch',
      label: 'Batch of empty tasks',
      description:
        'Tasks in one more batch per path, each of one loop iteration, so the time is the hand-out alone: its median ' +
        'over this count is the per-task cost of each path (size 0 in the table). 0 leaves it out.',
      min: 0,
      max: 4_096,
      integer: true,
      presets: { quick: 256, default: 1_024, thorough: 4_096 },
    },
    {
      key: 'spawnAtEverySize',
      label: 'New worker per task at every size',
      description:
        '1: the new-worker-per-task path runs at every task size; 0: at the largest only. Starting a worker costs ' +
        'the same at every size (tens of ms), so one size shows it, and saves seconds.',
      min: 0,
      max: 1,
      integer: true,
      presets: { quick: 0, default: 0, thorough: 1 },
    },
  ],
  implementations: { serial: throughExecutor, workers, 'shared-memory': sharedMemory },
  configurations(params, hardwareConcurrency, backends): Configuration[] {
    const lanes = Math.max(1, Math.floor(hardwareConcurrency));
    const has = (b: Configuration['backend']) => backends.includes(b);
    const sizes = taskSizesUs(params.minUs!, params.maxUs!, params.perDecade!);
    const spawnAt = (size: number) => size > 0 && (params.spawnAtEverySize === 1 || size === sizes.at(-1));
    // Size 0: the batch of empty tasks, the hand-out cost alone (a new worker per task would take minutes).
    return [...(params.emptyBatch! > 0 ? [0] : []), ...sizes].flatMap((size) => [
      ...(has('serial') ? [{ backend: 'serial' as const, workers: 1, size }] : []),
      ...(has('workers') ? [{ backend: 'workers' as const, workers: lanes, size, variant: 'pooled' }] : []),
      ...(has('shared-memory') ? [{ backend: 'shared-memory' as const, workers: lanes, size, variant: 'ring' }] : []),
      ...(has('shared-memory') && lanes > 1 ? [{ backend: 'shared-memory' as const, workers: lanes, size, variant: 'ring-page' }] : []),
      ...(has('shared-memory') ? [{ backend: 'shared-memory' as const, workers: lanes, size, variant: 'atomics' }] : []),
      ...(has('workers') && spawnAt(size) ? [{ backend: 'workers' as const, workers: lanes, size, variant: 'spawn' }] : []),
    ]);
  },
  prepare(params, random, size): Prepared {
    const sizeUs = size ?? params.minUs!;
    const iterationsPerUs = iterationsPerUsFor(params);
    // Size 0 is one iteration per task: a sum that still differs per task, so a skipped task is caught.
    const iterations = iterationsForUs(sizeUs, iterationsPerUs);
    const tasks = sizeUs === 0 ? params.emptyBatch! : params.tasks!;
    const ranges: TaskRange[] = [];
    for (let t = 0; t < tasks; t++) {
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
    return summarizeTinyTasks(results, params.tasks!, params.emptyBatch!);
  },
};
