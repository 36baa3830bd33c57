/**
 * The shared-memory mailbox between the page and a persistent worker: its layout, its states, and the loop
 * the worker runs. One lane per worker: the page writes a task's argument words and flips the lane's state
 * to `posted`; the worker, asleep in Atomics.wait, wakes, runs the kernel, writes the result and flips it
 * to `done`. No message crosses per task, only a store and a notify each way.
 */
import { epochNowMs } from '../measure/clock.ts';

/** Int32 slots per lane in the control block: 64 bytes, so two lanes never share a cache line. */
export const CONTROL_STRIDE = 16;

/** A lane's state, slot 0 of its control block. */
export const LaneState = {
  /** The worker has not entered its loop yet. */
  starting: 0,
  /** Waiting for a task. */
  idle: 1,
  /** The page has written a task. */
  posted: 2,
  /** The worker has written the task's result. */
  done: 3,
  /** The kernel threw; the worker has left its loop (its serve call rejects with the error). */
  failed: 4,
  /** The page asks the worker to leave its loop. */
  stop: 5,
} as const;

/** Float64 slots per lane in the data block: the argument words, then result, start and end (epoch ms), padded to 64 bytes. */
export function dataStride(argWords: number): number {
  return Math.ceil((argWords + 3) / 8) * 8;
}

/** Where a lane's fields live in the two shared blocks. */
export function laneLayout(lane: number, argWords: number) {
  const data = lane * dataStride(argWords);
  return {
    state: lane * CONTROL_STRIDE,
    args: data,
    result: data + argWords,
    startEpochMs: data + argWords + 1,
    endEpochMs: data + argWords + 2,
  };
}

/** A kernel the mailbox can run: reads its argument words, returns one number, synchronously. */
export type WordKernel = (args: Float64Array) => unknown;

/**
 * The worker's side: serve one lane until the page sets `stop`. Blocks this thread in Atomics.wait between
 * tasks, which is allowed in workers only. Returns how many tasks it ran; rethrows a kernel's error after
 * marking the lane `failed`, so the page stops waiting.
 */
export function serveLane(kernel: WordKernel, control: Int32Array, data: Float64Array, lane: number, argWords: number): number {
  const at = laneLayout(lane, argWords);
  const args = data.subarray(at.args, at.args + argWords);
  let served = 0;
  // compareExchange: a `stop` (or a task) the page wrote before this loop started must not be lost.
  Atomics.compareExchange(control, at.state, LaneState.starting, LaneState.idle);
  Atomics.notify(control, at.state);
  for (;;) {
    const state = Atomics.load(control, at.state);
    if (state === LaneState.stop) return served;
    if (state !== LaneState.posted) {
      Atomics.wait(control, at.state, state);
      continue;
    }
    data[at.startEpochMs] = epochNowMs();
    let value: unknown;
    try {
      value = kernel(args);
      if (typeof value !== 'number') throw new TypeError('A kernel served through shared memory must return a number synchronously.');
    } catch (error) {
      Atomics.compareExchange(control, at.state, LaneState.posted, LaneState.failed);
      Atomics.notify(control, at.state);
      throw error;
    }
    data[at.result] = value;
    data[at.endEpochMs] = epochNowMs();
    served += 1;
    // compareExchange, not store: a `stop` written while the kernel ran must not be overwritten.
    Atomics.compareExchange(control, at.state, LaneState.posted, LaneState.done);
    Atomics.notify(control, at.state);
  }
}
