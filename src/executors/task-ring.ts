/**
 * The batch ring between the page and persistent workers, and the loop each worker runs. The page writes a
 * whole batch of tasks into shared memory and publishes it with one store; lanes claim tasks with a
 * compare-and-swap on a counter tagged with the batch's generation, and the lane that finishes the last task
 * tells the page. The page is out of the per-task loop: one publish and one completion per batch.
 * Between batches a lane spins briefly (Atomics.pause where the browser has it) before it sleeps in
 * Atomics.wait, so a batch that follows closely finds it awake and an idle pool costs nothing.
 */
import { epochNowMs } from '../measure/clock.ts';

/** Int32 slots of the control block, 16 apart (64 bytes) so that no two share a cache line. */
export const RingSlot = {
  /** Bumped by the page to publish a batch (or a stop); lanes sleep on it. */
  generation: 0,
  /** Tasks in the current batch. */
  count: 16,
  /** Next task to claim: the batch's generation in the high bits, the task index in the low ones. */
  claim: 32,
  /** Tasks of the current batch finished. */
  done: 48,
  /** The generation of the last batch whose tasks are all done (or that failed); the page waits on it. */
  finished: 64,
  /** Nonzero: lanes leave their loops at the next generation. */
  stop: 80,
  /** Nonzero: a kernel threw; lanes stop claiming at once. */
  failed: 96,
  /** Lanes that have entered their loop. */
  ready: 112,
  /** Lanes asleep in Atomics.wait right now: an idle pool should have them all there. */
  sleeping: 128,
} as const;

/** Int32 slots in the control block. */
export const RING_CONTROL_SLOTS = 144;

/** Bits of the claim word that hold the task index: up to 2^20 tasks per batch. */
const INDEX_BITS = 20;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** Bits of the generation kept in the claim word (11: the tag stays a positive int32). */
const TAG_MASK = (1 << 11) - 1;

/** Most tasks one batch can hold. */
export const RING_MAX_TASKS = INDEX_MASK;

/**
 * The claim word that opens a batch. A lane still holding the previous batch's word fails its
 * compare-and-swap, since the tag differs, so it can never take a task of a batch it has not seen published.
 */
export function openClaim(generation: number): number {
  return (generation & TAG_MASK) << INDEX_BITS;
}

/** Float64 slots of one task: its argument words, then result, start and end (epoch ms) and lane, padded to 64 bytes. */
export function ringTaskStride(argWords: number): number {
  return Math.ceil((argWords + 4) / 8) * 8;
}

/** Where a lane's wake-up time and a task's fields live in the data block. */
export function ringLayout(laneCount: number, argWords: number) {
  const stride = ringTaskStride(argWords);
  const tasksAt = laneCount * 8;
  return {
    /** Float64 slots the data block needs for `capacity` tasks. */
    dataSlots: (capacity: number) => tasksAt + capacity * stride,
    /** When the lane saw the current batch (epoch ms): one slot per lane, 64 bytes apart. */
    wake: (lane: number) => lane * 8,
    args: (task: number) => tasksAt + task * stride,
    result: (task: number) => tasksAt + task * stride + argWords,
    start: (task: number) => tasksAt + task * stride + argWords + 1,
    end: (task: number) => tasksAt + task * stride + argWords + 2,
    lane: (task: number) => tasksAt + task * stride + argWords + 3,
  };
}

/** A kernel the ring can run: reads its argument words, returns one number, synchronously. */
export type RingKernel = (args: Float64Array) => unknown;

/** Atomics.pause (a spin-wait hint to the CPU) where the browser has it. */
const pause: (() => void) | undefined = (() => {
  const candidate = (Atomics as unknown as { pause?: () => void }).pause;
  return typeof candidate === 'function' ? () => candidate.call(Atomics) : undefined;
})();

/** Whether this realm offers Atomics.pause. */
export const hasAtomicsPause = pause !== undefined;

/**
 * The worker's side: serve batches until the page sets `stop`. After a batch the lane spins for up to
 * `spinMs` waiting for the next, then blocks in Atomics.wait (allowed in workers only). Returns how many
 * tasks it ran; on a kernel's error it marks the ring failed (so the other lanes stop claiming and the
 * page stops waiting) and rethrows.
 */
export function serveRing(kernel: RingKernel, control: Int32Array, data: Float64Array, lane: number, laneCount: number, argWords: number, spinMs: number): number {
  const at = ringLayout(laneCount, argWords);
  let seen = Atomics.load(control, RingSlot.generation);
  let served = 0;
  // The kernel reads its words from a lane-local copy: a view per task would allocate in the hot loop.
  const args = new Float64Array(argWords);
  Atomics.add(control, RingSlot.ready, 1);
  Atomics.notify(control, RingSlot.ready);
  for (;;) {
    let generation = Atomics.load(control, RingSlot.generation);
    if (generation === seen && spinMs > 0) {
      const until = performance.now() + spinMs;
      while (generation === seen && performance.now() < until) {
        pause?.();
        generation = Atomics.load(control, RingSlot.generation);
      }
    }
    if (generation === seen) {
      Atomics.add(control, RingSlot.sleeping, 1);
      Atomics.wait(control, RingSlot.generation, seen);
      Atomics.sub(control, RingSlot.sleeping, 1);
      continue;
    }
    seen = generation;
    if (Atomics.load(control, RingSlot.stop) !== 0) return served;
    data[at.wake(lane)] = epochNowMs();
    served += runClaims(kernel, control, data, at, lane, generation, args, Infinity);
  }
}

/**
 * Claim and run tasks of batch `generation` until none are left, the ring has failed or `untilMs`
 * (performance.now()) has passed: the loop every lane runs, the page too where it is one of them. Returns how
 * many it ran. On a kernel's error it marks the ring failed (so the other lanes stop claiming and the page
 * stops waiting) and rethrows.
 */
export function runClaims(
  kernel: RingKernel,
  control: Int32Array,
  data: Float64Array,
  at: ReturnType<typeof ringLayout>,
  lane: number,
  generation: number,
  args: Float64Array,
  untilMs: number,
): number {
  const argWords = args.length;
  // Published before the generation, so this is the batch's count (Atomics are sequentially consistent).
  const count = Atomics.load(control, RingSlot.count);
  const tag = openClaim(generation);
  let ran = 0;
  for (;;) {
    if (Atomics.load(control, RingSlot.failed) !== 0) return ran;
    const claim = Atomics.load(control, RingSlot.claim);
    const task = claim & INDEX_MASK;
    if (claim - task !== tag || task >= count) return ran;
    if (untilMs !== Infinity && performance.now() > untilMs) return ran;
    if (Atomics.compareExchange(control, RingSlot.claim, claim, claim + 1) !== claim) continue;
    const argsAt = at.args(task);
    for (let w = 0; w < argWords; w++) args[w] = data[argsAt + w]!;
    data[at.start(task)] = epochNowMs();
    let value: unknown;
    try {
      value = kernel(args);
      if (typeof value !== 'number') throw new TypeError('A kernel served through the task ring must return a number synchronously.');
    } catch (error) {
      Atomics.store(control, RingSlot.failed, 1);
      Atomics.store(control, RingSlot.finished, generation);
      Atomics.notify(control, RingSlot.finished);
      throw error;
    }
    data[at.result(task)] = value;
    data[at.end(task)] = epochNowMs();
    data[at.lane(task)] = lane;
    ran += 1;
    if (Atomics.add(control, RingSlot.done, 1) + 1 === count) {
      Atomics.store(control, RingSlot.finished, generation);
      Atomics.notify(control, RingSlot.finished);
    }
  }
}
