import 'fake-indexeddb/auto';
import { IDBOpenDBRequest as FDBOpenDBRequest } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HistoryError, HistoryUnavailableError, openHistory, type History } from '../../src/results/history.ts';
import type { ExperimentResult, Results } from '../../src/results/schema.ts';
import { makeResults } from '../fixtures/make-results.ts';

const APP = { name: 'parallel-lab', version: '0.1.0' };
let dbCount = 0;
const opened: History[] = [];

/** A fresh database per test, so tests share nothing. */
async function freshHistory(name = `history-test-${++dbCount}`): Promise<{ history: History; name: string }> {
  const history = await openHistory({ name });
  opened.push(history);
  return { history, name };
}

/** An experiment with fresh random numbers and the given id. */
function experiment(id: string): ExperimentResult {
  return { ...makeResults().experiments[0]!, id };
}

afterEach(() => {
  for (const history of opened.splice(0)) history.close();
  vi.unstubAllGlobals();
});

describe('history of runs', () => {
  it('saves a run experiment by experiment and gives it back with identical numbers', async () => {
    const { history } = await freshHistory();
    const doc = makeResults();
    const experiments = [experiment('cpu-heavy'), experiment('io-heavy'), experiment('array-add')];
    const runId = await history.startRun(doc.environment, { app: APP, createdAt: doc.createdAt });
    for (const e of experiments) await history.appendExperiment(runId, e);
    await history.finishRun(runId, { cancelled: false });
    const expected: Results = { schema: 'parallel-lab/results/v1', createdAt: doc.createdAt, app: APP, environment: doc.environment, experiments };
    expect(await history.getRun(runId)).toEqual(expected);
    expect(await history.listRuns()).toEqual([
      {
        id: runId,
        createdAt: doc.createdAt,
        browser: { name: 'chromium', version: '156.0.1.2' },
        hardwareConcurrency: 2,
        experimentIds: ['cpu-heavy', 'io-heavy', 'array-add'],
        complete: true,
        status: 'complete',
        source: 'local',
      },
    ]);
  });

  it('keeps appends in order when they are not awaited one by one', async () => {
    const { history } = await freshHistory();
    const runId = await history.startRun(makeResults().environment, { app: APP });
    const ids = Array.from({ length: 12 }, (_, i) => `experiment-${i}`);
    await Promise.all(ids.map((id) => history.appendExperiment(runId, experiment(id))));
    expect((await history.getRun(runId))!.experiments.map((e) => e.id)).toEqual(ids);
  });

  it('lists runs newest first, with os when known', async () => {
    const { history } = await freshHistory();
    const env = makeResults().environment;
    const times = ['2026-03-01T10:00:00.000Z', '2026-03-03T10:00:00.000Z', '2026-03-02T10:00:00.000Z'];
    const ids: string[] = [];
    for (const createdAt of times) ids.push(await history.startRun({ ...env, os: 'Linux' }, { app: APP, createdAt }));
    const list = await history.listRuns();
    expect(list.map((r) => r.createdAt)).toEqual([times[1], times[2], times[0]]);
    expect(list.map((r) => r.id)).toEqual([ids[1], ids[2], ids[0]]);
    expect(list[0]).toMatchObject({ os: 'Linux', complete: false, status: 'unfinished', experimentIds: [] });
  });

  it('a reload mid-suite keeps every experiment that finished, marked unfinished', async () => {
    const first = await freshHistory();
    const doc = makeResults();
    const runId = await first.history.startRun(doc.environment, { app: APP, createdAt: doc.createdAt });
    const done = [experiment('cpu-heavy'), experiment('io-heavy')];
    for (const e of done) await first.history.appendExperiment(runId, e);
    first.history.close(); // the page goes away before finishRun

    const { history } = await freshHistory(first.name);
    expect(await history.listRuns()).toEqual([
      expect.objectContaining({ id: runId, complete: false, status: 'unfinished', experimentIds: ['cpu-heavy', 'io-heavy'] }),
    ]);
    expect(await history.getRun(runId)).toEqual({
      schema: 'parallel-lab/results/v1',
      createdAt: doc.createdAt,
      app: APP,
      environment: doc.environment,
      experiments: done,
      cancelled: true,
    });
  });

  it('records a cancelled run as cancelled', async () => {
    const { history } = await freshHistory();
    const runId = await history.startRun(makeResults().environment, { app: APP });
    await history.appendExperiment(runId, experiment('cpu-heavy'));
    await history.finishRun(runId, { cancelled: true });
    expect((await history.listRuns())[0]).toMatchObject({ complete: false, status: 'cancelled' });
    expect((await history.getRun(runId))!.cancelled).toBe(true);
  });

  it('deletes a run and its experiments, leaving the others', async () => {
    const { history } = await freshHistory();
    const env = makeResults().environment;
    const keep = await history.startRun(env, { app: APP, createdAt: '2026-01-01T00:00:00.000Z' });
    const drop = await history.startRun(env, { app: APP, createdAt: '2026-01-02T00:00:00.000Z' });
    const kept = experiment('kept');
    await history.appendExperiment(keep, kept);
    await history.appendExperiment(drop, experiment('dropped'));
    await history.deleteRun(drop);
    expect((await history.listRuns()).map((r) => r.id)).toEqual([keep]);
    expect(await history.getRun(drop)).toBeUndefined();
    expect((await history.getRun(keep))!.experiments).toEqual([kept]);
    await expect(history.appendExperiment(drop, experiment('late'))).rejects.toThrow(/no saved run with id/);
  });

  it('imports a file or link once, however often it is opened', async () => {
    const { history } = await freshHistory();
    const doc = makeResults();
    doc.experiments.push(experiment('io-heavy'));
    const first = await history.importRun(doc, 'link');
    expect(first.alreadySaved).toBe(false);
    expect(await history.importRun(structuredClone(doc), 'link')).toEqual({ runId: first.runId, alreadySaved: true });
    expect(await history.getRun(first.runId)).toEqual(doc);
    expect(await history.listRuns()).toEqual([
      expect.objectContaining({ id: first.runId, source: 'link', status: 'complete', complete: true, experimentIds: ['cpu-heavy', 'io-heavy'] }),
    ]);
    const other = { ...structuredClone(doc), environment: { ...doc.environment, userAgent: 'another browser' } };
    expect((await history.importRun(other, 'file')).alreadySaved).toBe(false);
    expect(await history.listRuns()).toHaveLength(2);
  });

  it('imports a cancelled document as cancelled', async () => {
    const { history } = await freshHistory();
    const doc = { ...makeResults(), cancelled: true };
    const { runId } = await history.importRun(doc, 'file');
    expect((await history.listRuns())[0]!.status).toBe('cancelled');
    expect(await history.getRun(runId)).toEqual(doc);
  });

  it('refuses to import an invalid document, saving nothing', async () => {
    const { history } = await freshHistory();
    const doc = makeResults() as any;
    doc.experiments[0].results[0].medianMs = 'fast';
    await expect(history.importRun(doc, 'file')).rejects.toThrow(HistoryError);
    expect(await history.listRuns()).toEqual([]);
  });

  it('appending to or finishing a run that does not exist fails clearly and writes nothing', async () => {
    const { history } = await freshHistory();
    await expect(history.appendExperiment('nope', experiment('x'))).rejects.toThrow(/no saved run with id "nope"/);
    await expect(history.finishRun('nope', { cancelled: false })).rejects.toThrow(HistoryError);
    expect(await history.listRuns()).toEqual([]);
    expect(await history.getRun('nope')).toBeUndefined();
  });
});

describe('history unavailable', () => {
  it('no IndexedDB at all', async () => {
    vi.stubGlobal('indexedDB', undefined);
    await expect(openHistory({ name: 'none' })).rejects.toThrow(HistoryUnavailableError);
    await expect(openHistory({ name: 'none' })).rejects.toThrow(/no IndexedDB.*export them to keep them/);
  });

  it('storage turned off (open throws SecurityError)', async () => {
    vi.stubGlobal('indexedDB', {
      open: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
    await expect(openHistory({ name: 'off' })).rejects.toThrow(/turned off.*private browsing/);
  });

  it('an open that never answers times out with a message', async () => {
    vi.stubGlobal('indexedDB', { open: () => new FDBOpenDBRequest() });
    await expect(openHistory({ name: 'hangs', timeoutMs: 50 })).rejects.toThrow(/did not open its database/);
  });

  it('a database from a newer version of the lab', async () => {
    const name = `history-test-newer-${++dbCount}`;
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(name, 5);
      request.onsuccess = () => (request.result.close(), resolve());
      request.onerror = () => reject(request.error);
    });
    await expect(openHistory({ name })).rejects.toThrow(/newer version of Parallel Lab/);
  });

  it('another tab upgrading the database closes this connection, and later calls say to reload', async () => {
    const { history, name } = await freshHistory();
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(name, 2);
      request.onsuccess = () => (request.result.close(), resolve());
      request.onerror = () => reject(request.error);
    });
    await expect(history.listRuns()).rejects.toThrow(/newer version of Parallel Lab opened in another tab: reload/);
  });
});

describe('imports are told apart by content', () => {
  it('a document differing from a saved one only in its numbers is saved as another run, with its own numbers', async () => {
    const { history } = await freshHistory();
    const doc = makeResults();
    const first = await history.importRun(doc, 'file');
    const changed = structuredClone(doc);
    const result = changed.experiments[0]!.results[0] as { medianMs: number };
    result.medianMs = result.medianMs * (1.5 + Math.random());
    const second = await history.importRun(changed, 'file');
    expect(second.alreadySaved).toBe(false);
    expect(second.runId).not.toBe(first.runId);
    expect(await history.getRun(second.runId)).toEqual(changed);
    expect(await history.getRun(first.runId)).toEqual(doc);
  });

  it('the same content with its keys in another order is the same run', async () => {
    const { history } = await freshHistory();
    const doc = makeResults();
    const first = await history.importRun(doc, 'link');
    const reordered = JSON.parse(JSON.stringify(doc, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    )) as Results;
    expect(Object.keys(reordered)).toEqual(Object.keys(doc).reverse());
    expect(await history.importRun(reordered, 'file')).toEqual({ runId: first.runId, alreadySaved: true });
  });

  it('an export of a saved local run, imported again, is already saved', async () => {
    const { history } = await freshHistory();
    const doc = makeResults();
    const runId = await history.startRun(doc.environment, { app: APP, createdAt: doc.createdAt });
    await history.appendExperiment(runId, doc.experiments[0]!);
    await history.finishRun(runId, { cancelled: false });
    const exported = (await history.getRun(runId))!;
    expect(await history.importRun(JSON.parse(JSON.stringify(exported)), 'file')).toEqual({ runId, alreadySaved: true });
  });
});

describe('failed saves say why', () => {
  it('a write the browser aborts (as when the quota runs out at commit) gives a message a person can act on', async () => {
    const { history } = await freshHistory();
    const { IDBObjectStore: FDBObjectStore } = await import('fake-indexeddb');
    const add = FDBObjectStore.prototype.add;
    const spy = vi.spyOn(FDBObjectStore.prototype, 'add').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      const request = add.apply(this, args);
      if (this.name === 'experiments') this.transaction.abort();
      return request;
    });
    try {
      const error = await history.importRun(makeResults(), 'file').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HistoryError);
      expect((error as Error).message).toMatch(/Could not save the imported results: .*storage for this site is full/);
      expect((error as Error).message).not.toMatch(/AbortError/);
    } finally {
      spy.mockRestore();
    }
    expect(await history.listRuns()).toEqual([]);
  });
});
