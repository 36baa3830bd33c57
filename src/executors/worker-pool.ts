/**
 * A pool of task workers, reused across samples so spawn cost stays out of the measurements.
 * Every worker the lab starts is tracked here, so cancel, page hide and tests can see that none leaks.
 */
import { wrap, type Remote } from 'comlink';
import type { TaskApi } from './task-api.ts';
import { raceAbort } from './abort.ts';

/** Creates the Worker objects; tests and later backends can pass their own entry point. */
export type WorkerFactory = () => Worker;

interface PooledWorker {
  worker: Worker;
  remote: Remote<TaskApi>;
  /** Answered its first call: later errors mean it failed mid-run, not at start. */
  started: boolean;
}

/** Told when a started worker of the pool reports an error it did not catch: its calls may never be answered. */
export type WorkerFailureListener = (message: string) => void;

const liveWorkers = new Set<Worker>();

/** Workers started by the lab and not yet terminated, across all pools. */
export function liveWorkerCount(): number {
  return liveWorkers.size;
}

/** Terminate every worker the lab has started: the page is going away, or the run was cancelled. */
export function terminateAllWorkers(): void {
  for (const worker of liveWorkers) worker.terminate();
  liveWorkers.clear();
}

export const spawnTaskWorker: WorkerFactory = () =>
  new Worker(new URL('../../workers/task.worker.ts', import.meta.url), { type: 'module', name: 'parallel-lab task' });

/** Resolve when the worker's module has loaded and answers, or reject with the reason it could not start. */
function whenReady(entry: PooledWorker, signal: AbortSignal): Promise<void> {
  const failed = new Promise<never>((_, reject) => {
    entry.worker.addEventListener(
      'error',
      (event) => {
        event.preventDefault();
        reject(new Error(`A worker failed to start: ${event.message || 'its script did not load'}`));
      },
      { once: true },
    );
  });
  return raceAbort(
    Promise.race([
      entry.remote.ready().then(() => {
        entry.started = true;
      }),
      failed,
    ]),
    signal,
  );
}

export class WorkerPool {
  private readonly workers: PooledWorker[] = [];
  private readonly failureListeners = new Set<WorkerFailureListener>();

  constructor(private readonly factory: WorkerFactory = spawnTaskWorker) {}

  get size(): number {
    return this.workers.length;
  }

  /**
   * Grow the pool to at least `count` started workers. If any new worker fails to start (or the wait is
   * aborted), every new one is terminated and taken out: once ensure settles, the pool holds only workers that
   * answered, so a later lane can never land on a worker whose script did not load and wait for it forever.
   */
  async ensure(count: number, signal: AbortSignal): Promise<void> {
    const fresh: PooledWorker[] = [];
    while (this.workers.length + fresh.length < count) {
      const worker = this.factory();
      liveWorkers.add(worker);
      const entry: PooledWorker = { worker, remote: wrap<TaskApi>(worker), started: false };
      const report = (message: string) => {
        if (!entry.started || !this.workers.includes(entry)) return;
        for (const listener of this.failureListeners) listener(message);
      };
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        report(`A worker stopped with an error: ${event.message || 'no message'}`);
      });
      worker.addEventListener('messageerror', () => report('A worker sent a message the page could not read.'));
      fresh.push(entry);
    }
    // In the pool at once, so that terminate() during the wait stops them too.
    this.workers.push(...fresh);
    try {
      await Promise.all(fresh.map((entry) => whenReady(entry, signal)));
    } catch (error) {
      for (const entry of fresh) {
        entry.worker.terminate();
        liveWorkers.delete(entry.worker);
        const at = this.workers.indexOf(entry);
        if (at >= 0) this.workers.splice(at, 1);
      }
      throw error;
    }
  }

  /** The first `count` workers, one per lane. */
  lanes(count: number): Remote<TaskApi>[] {
    if (count > this.workers.length) {
      throw new RangeError(`The pool has ${this.workers.length} workers; ${count} lanes were asked for.`);
    }
    return this.workers.slice(0, count).map((entry) => entry.remote);
  }

  /** Listen for started workers that fail mid-run (an uncaught error); returns the function that stops listening. */
  onWorkerFailure(listener: WorkerFailureListener): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /** Stop every worker of this pool; calls still in flight are abandoned (callers race them with abort). */
  terminate(): void {
    for (const { worker } of this.workers) {
      worker.terminate();
      liveWorkers.delete(worker);
    }
    this.workers.length = 0;
  }
}
