/** The task ring: its claim protocol in one thread, and batches served by Node worker threads standing in for Web Workers. */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { spinningLaneCount, startRingDispatch, type RingOptions } from '../../src/executors/ring-dispatch.ts';
import { RING_CONTROL_SLOTS, RingSlot, openClaim, ringLayout, serveRing } from '../../src/executors/task-ring.ts';
import type { WorkerPool } from '../../src/executors/worker-pool.ts';
import type { KernelRef } from '../../src/workloads/kernels.ts';
import { MAX_START, sumRangeModClosedForm } from '../../src/workloads/tiny-tasks/loop.ts';
import { tinyTasksKernels } from '../../src/workloads/tiny-tasks/kernels.ts';

const randomTask = (): [number, number] => {
  const start = 1 + Math.floor(Math.random() * MAX_START);
  return [start, start + 1 + Math.floor(Math.random() * 3_000)];
};

describe('task ring protocol, in one thread', () => {
  it('a lane runs every task of a published batch exactly once, records its lane, then stops at the next generation', () => {
    const laneCount = 3;
    const lane = Math.floor(Math.random() * laneCount);
    const tasks = Array.from({ length: 1 + Math.floor(Math.random() * 40) }, randomTask);
    const layout = ringLayout(laneCount, 2);
    const control = new Int32Array(new SharedArrayBuffer(RING_CONTROL_SLOTS * 4));
    const data = new Float64Array(new SharedArrayBuffer(layout.dataSlots(tasks.length) * 8));
    tasks.forEach((t, i) => data.set(t, layout.args(i)));
    Atomics.store(control, RingSlot.count, tasks.length);
    Atomics.store(control, RingSlot.claim, openClaim(1));
    // One thread plays both sides: the lane starts from generation 0, so the page's publication of batch 1
    // happens as the lane counts itself ready, and its stop as the last task is counted done.
    const originalAdd = Atomics.add;
    (Atomics as { add: typeof Atomics.add }).add = ((array: Int32Array, index: number, value: number) => {
      const previous = originalAdd(array, index, value);
      if (array === control && index === RingSlot.ready) Atomics.store(control, RingSlot.generation, 1);
      if (array === control && index === RingSlot.done && previous + value === tasks.length) {
        Atomics.store(control, RingSlot.stop, 1);
        Atomics.store(control, RingSlot.generation, 2);
      }
      return previous;
    }) as typeof Atomics.add;
    let served: number;
    try {
      served = serveRing(tinyTasksKernels.sumRangeWords, control, data, lane, laneCount, 2, 0);
    } finally {
      (Atomics as { add: typeof Atomics.add }).add = originalAdd;
    }
    expect(served).toBe(tasks.length);
    expect(Atomics.load(control, RingSlot.finished)).toBe(1);
    tasks.forEach(([s, e], i) => {
      expect(data[layout.result(i)]).toBe(sumRangeModClosedForm(s, e));
      expect(data[layout.lane(i)]).toBe(lane);
      expect(data[layout.end(i)]!).toBeGreaterThanOrEqual(data[layout.start(i)]!);
    });
  });

  it("a claim word of another generation is never taken: a late lane cannot run the next batch's tasks", () => {
    const generation = 1 + Math.floor(Math.random() * 5_000);
    const open = openClaim(generation);
    expect(open).toBeGreaterThanOrEqual(0);
    expect(openClaim(generation + 1)).not.toBe(open);
    // The index bits start at 0, and claiming the last task a batch may hold never spills into the tag.
    expect(open & ((1 << 20) - 1)).toBe(0);
    expect((open + (1 << 20) - 1) >>> 20).toBe(open >>> 20);
  });

  it.each([
    [1, 2, 1],
    [3, 1, 1],
    [2, 2, 2],
    [4, 2, 2],
    [2, 8, 2],
    [8, 4, 4],
    [2, 0, 0],
  ])('%i lanes on %i cores: %i may spin, never more than the cores', (lanes, cores, spinning) => {
    expect(spinningLaneCount(lanes, cores)).toBe(spinning);
  });
});

// Starting Node worker threads that load TypeScript takes seconds on a loaded 2-core machine: a generous timeout.
describe('task ring across threads (Node worker threads standing in for Web Workers)', { timeout: 90_000 }, () => {
  const started: Worker[] = [];
  /** Each worker's exit, listened for from its start: one that exits before a test looks is not missed. */
  const exits: Array<Promise<unknown>> = [];
  afterEach(async () => {
    exits.splice(0);
    await Promise.all(started.splice(0).map((w) => w.terminate()));
  });

  const LOAD_FIXTURE = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(
    new URL('../fixtures/ring-lane.worker.ts', import.meta.url).href,
  )}, __filename))`;

  function threadPool(): WorkerPool {
    return {
      lanes: (count: number) =>
        Array.from({ length: count }, () => ({
          serveRing: (ref: { kernel: string }, control: Int32Array, data: Float64Array, lane: number, laneCount: number, argWords: number, spinMs: number) =>
            new Promise<number>((resolve, reject) => {
              const worker = new Worker(LOAD_FIXTURE, { eval: true, workerData: { kernel: ref.kernel, control, data, lane, laneCount, argWords, spinMs } });
              started.push(worker);
              // An 'error' event rejects this too; serving reports it, so it is not reported twice.
              exits.push(once(worker, 'exit').catch(() => undefined));
              worker.once('message', (m: { served?: number; error?: string }) => (m.error !== undefined ? reject(new Error(m.error)) : resolve(m.served!)));
              worker.once('error', reject);
            }),
        })),
    } as unknown as WorkerPool;
  }

  const options = (capacity: number, spinningLanes: number): RingOptions => ({ capacity, spinMs: 0.5, spinningLanes, pageSpinMs: 0.02 });
  const SUM: KernelRef = { workload: 'tiny-tasks', kernel: 'sumRangeWords' };

  it.each([
    [2, 1],
    [3, 0],
    [1, 1],
  ])('%i lanes (%i spinning) run batches of random sizes back to back, every task exactly once', async (lanes, spinning) => {
    const signal = new AbortController().signal;
    const capacity = 300;
    const ring = await startRingDispatch(threadPool(), lanes, SUM, 2, options(capacity, spinning), signal);
    for (let batch = 0; batch < 12; batch++) {
      const count = batch % 4 === 0 ? 1 : 1 + Math.floor(Math.random() * capacity);
      const args = Array.from({ length: count }, randomTask);
      const { results, spans } = await ring.map(args, signal);
      expect(results).toEqual(args.map(([s, e]) => sumRangeModClosedForm(s, e)));
      const compute = spans.filter((s) => s.phase === 'compute');
      expect(compute.map((s) => s.task).sort((a, b) => a - b)).toEqual(args.map((_, i) => i));
      for (const s of compute) expect(s.lane).toBeLessThan(lanes);
      const wakeUps = spans.filter((s) => s.phase === 'wake-up');
      expect(wakeUps.length).toBeGreaterThanOrEqual(1);
      expect(wakeUps.length).toBe(new Set(compute.map((s) => s.lane)).size);
    }
    await ring.stop();
    await Promise.all(exits);
  });

  it.each([
    [2, 16],
    [3, 16],
    [2, 0],
  ])('%i lanes with the page as lane 0 (%i ms of page work a batch): every task exactly once, the rest left to the workers', async (lanes, pageLaneMs) => {
    const signal = new AbortController().signal;
    const capacity = 300;
    const ring = await startRingDispatch(threadPool(), lanes, SUM, 2, { ...options(capacity, lanes - 1), pageLaneMs }, signal);
    const tasksBy = new Map<number, number>();
    for (let batch = 0; batch < 12; batch++) {
      const count = batch % 4 === 0 ? 1 : 1 + Math.floor(Math.random() * capacity);
      // With no time of its own the page hands out only: longer tasks, so the workers have something to take.
      const args = Array.from({ length: count }, pageLaneMs === 0 ? () => randomTask().map((v, i) => v + i * 20_000) as [number, number] : randomTask);
      const { results, spans } = await ring.map(args, signal);
      expect(results).toEqual(args.map(([s, e]) => sumRangeModClosedForm(s, e)));
      const compute = spans.filter((s) => s.phase === 'compute');
      expect(compute.map((s) => s.task).sort((a, b) => a - b)).toEqual(args.map((_, i) => i));
      for (const s of compute) {
        expect(s.lane).toBeLessThan(lanes);
        tasksBy.set(s.lane, (tasksBy.get(s.lane) ?? 0) + 1);
      }
    }
    if (pageLaneMs > 0) expect(tasksBy.get(0) ?? 0).toBeGreaterThan(0);
    else expect((tasksBy.get(0) ?? 0) / [...tasksBy.values()].reduce((a, b) => a + b, 0)).toBeLessThan(0.5);
    await ring.stop();
    await Promise.all(exits);
  });

  it('with the page as a lane, an unknown kernel is refused by name before any worker starts', async () => {
    const signal = new AbortController().signal;
    const ref = { workload: 'tiny-tasks', kernel: 'noSuchKernel' } as unknown as KernelRef;
    await expect(startRingDispatch(threadPool(), 2, ref, 2, { ...options(4, 1), pageLaneMs: 16 }, signal)).rejects.toThrow(/noSuchKernel/);
    expect(started).toHaveLength(0);
  });

  it('a kernel that throws stops every lane claiming: the batch rejects with its message, and the ring refuses later batches', async () => {
    const signal = new AbortController().signal;
    const ring = await startRingDispatch(threadPool(), 2, { workload: 'tiny-tasks', kernel: 'throwsOnMark' } as unknown as KernelRef, 2, options(2_000, 1), signal);
    // Long tasks after the failing one: were the lanes to go on claiming, the batch would take seconds.
    const args: Array<[number, number]> = [[-7, 0], ...Array.from({ length: 1_999 }, (): [number, number] => {
      const start = 1 + Math.floor(Math.random() * 1000);
      return [start, start + 5_000_000];
    })];
    const t0 = performance.now();
    await expect(ring.map(args, signal)).rejects.toThrow(/kernel failed on purpose/);
    expect(performance.now() - t0).toBeLessThan(3_000);
    await expect(ring.map([randomTask()], signal)).rejects.toThrow(/kernel failed on purpose/);
    await ring.stop();
  });

  it('refuses a batch past its capacity, and stops waiting when the run is cancelled', async () => {
    const controller = new AbortController();
    const ring = await startRingDispatch(threadPool(), 1, SUM, 2, options(4, 0), controller.signal);
    await expect(ring.map(Array.from({ length: 5 }, randomTask), controller.signal)).rejects.toThrow(/holds 4 tasks/);
    const pending = ring.map([[1, 1 + 2 ** 29]], controller.signal);
    controller.abort('test');
    await expect(pending).rejects.toThrow(/test|cancel/i);
    await ring.stop();
  });
});
