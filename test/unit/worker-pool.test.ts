/**
 * The worker pool keeps only workers that started: a worker whose script fails to load (WebKit refusing a
 * revalidated script was one way) must not stay in the pool, where a later lane would wait on it forever.
 */
import { describe, expect, it } from 'vitest';
import { WorkerPool, liveWorkerCount } from '../../src/executors/worker-pool.ts';

/** A stand-in for a module worker: it answers comlink's calls to `ready`, or fails to load. */
class FakeWorker extends EventTarget {
  terminated = false;
  constructor(readonly loads: boolean) {
    super();
    if (!loads) queueMicrotask(() => this.dispatchEvent(new Event('error', { cancelable: true })));
  }
  postMessage(message: { id: string; type: string; path: string[] }): void {
    // A worker that failed to load never answers, as in the browser.
    if (!this.loads || this.terminated) return;
    if (message.type === 'APPLY' && message.path[0] === 'ready') {
      queueMicrotask(() => this.dispatchEvent(new MessageEvent('message', { data: { id: message.id, type: 'RAW', value: true } })));
    }
  }
  terminate(): void {
    this.terminated = true;
  }
}

function poolOf(loads: boolean[]) {
  const made: FakeWorker[] = [];
  const pool = new WorkerPool(() => {
    const worker = new FakeWorker(loads[made.length] ?? true);
    made.push(worker);
    return worker as unknown as Worker;
  });
  return { pool, made };
}

const NEVER = new AbortController().signal;

describe.each([
  { loads: [false], first: 1 },
  { loads: [true, false], first: 2 },
  { loads: [false, true, true], first: 3 },
])('a pool whose workers load as $loads', ({ loads, first }) => {
  it('rejects, terminates every new worker and keeps none of them', async () => {
    const live = liveWorkerCount();
    const { pool, made } = poolOf(loads);
    await expect(pool.ensure(first, NEVER)).rejects.toThrow(/A worker failed to start/);
    expect(pool.size).toBe(0);
    expect(made.every((w) => w.terminated)).toBe(true);
    expect(liveWorkerCount()).toBe(live);
  });

  it('then grows with workers that answer, whose lanes all answer too', async () => {
    const { pool, made } = poolOf(loads);
    await pool.ensure(first, NEVER).catch(() => undefined);
    await pool.ensure(2, NEVER);
    expect(pool.size).toBe(2);
    await expect(Promise.all(pool.lanes(2).map((lane) => lane.ready()))).resolves.toEqual([true, true]);
    expect(made.filter((w) => !w.terminated)).toHaveLength(2);
    pool.terminate();
  });
});

describe('a pool whose workers all load', () => {
  it('keeps the workers it started and reuses them', async () => {
    const { pool, made } = poolOf([true, true, true]);
    await pool.ensure(1, NEVER);
    await pool.ensure(3, NEVER);
    await pool.ensure(2, NEVER);
    expect(pool.size).toBe(3);
    expect(made).toHaveLength(3);
    pool.terminate();
    expect(made.every((w) => w.terminated)).toBe(true);
  });
});
