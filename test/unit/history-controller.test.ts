import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HistoryController } from '../../src/app/history.svelte.ts';
import type { ExperimentResult } from '../../src/results/schema.ts';
import { makeResults } from '../fixtures/make-results.ts';

let dbCount = 0;
const experiment = (id: string): ExperimentResult => ({ ...makeResults().experiments[0]!, id });

afterEach(() => vi.unstubAllGlobals());

describe('HistoryController', () => {
  it('records a run as it goes, in order, without the caller awaiting anything', async () => {
    const controller = new HistoryController(`controller-test-${++dbCount}`);
    await controller.open();
    const environment = makeResults().environment;
    const experiments = ['cpu-heavy', 'tiny-tasks', 'data-transfer'].map(experiment);

    // As the lab calls it: synchronously, back to back.
    controller.runStarted(environment);
    controller.experimentDone(experiments[0]!);
    controller.experimentDone(experiments[1]!);
    await controller.settled();
    expect(controller.runs).toHaveLength(1);
    expect(controller.runs[0]).toMatchObject({ status: 'unfinished', experimentIds: ['cpu-heavy', 'tiny-tasks'], source: 'local' });
    expect(controller.recordingId).toBe(controller.runs[0]!.id);

    controller.experimentDone(experiments[2]!);
    controller.runEnded({ cancelled: false });
    await controller.settled();
    expect(controller.runs[0]).toMatchObject({ status: 'complete', experimentIds: ['cpu-heavy', 'tiny-tasks', 'data-transfer'] });
    expect(controller.recordingId).toBeNull();
    expect((await controller.get(controller.runs[0]!.id)).experiments).toEqual(experiments);
    expect(controller.problem).toBeNull();
  });

  it('a second run is saved apart from the first; a cancelled one says so', async () => {
    const controller = new HistoryController(`controller-test-${++dbCount}`);
    const environment = makeResults().environment;
    controller.runStarted(environment);
    controller.experimentDone(experiment('a'));
    controller.runEnded({ cancelled: false });
    controller.runStarted(environment);
    controller.experimentDone(experiment('b'));
    controller.runEnded({ cancelled: true });
    await controller.settled();
    expect(controller.runs.map((r) => [r.experimentIds, r.status]).sort()).toEqual([
      [['a'], 'complete'],
      [['b'], 'cancelled'],
    ]);
  });

  it('without IndexedDB the calls still return, and one message says why nothing is saved', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const controller = new HistoryController(`controller-test-${++dbCount}`);
    controller.runStarted(makeResults().environment);
    controller.experimentDone(experiment('cpu-heavy'));
    controller.runEnded({ cancelled: false });
    await controller.settled();
    expect(controller.runs).toEqual([]);
    expect(controller.problem).toMatch(/Saved history is not available/);
    await expect(controller.refresh()).resolves.toEqual([]);
    await expect(controller.get('anything')).rejects.toThrow(/Saved history is not available/);
  });
});
