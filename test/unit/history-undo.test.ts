/** Deleting a saved run can be undone: it leaves the list at once and the disk only when the undo period ends. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { HistoryController } from '../../src/app/history.svelte.ts';
import { openHistory } from '../../src/results/history.ts';
import { makeResults } from '../fixtures/make-results.ts';

let dbCount = 0;

/** A controller on a fresh database holding `count` runs, each with one experiment. */
async function withRuns(count: number, undoMs: number) {
  const name = `undo-test-${++dbCount}-${Math.random()}`;
  const controller = new HistoryController(name, undoMs);
  await controller.open();
  for (let i = 0; i < count; i++) {
    controller.runStarted(makeResults().environment);
    controller.experimentDone({ ...makeResults().experiments[0]!, id: `experiment-${i}` });
    controller.runEnded({ cancelled: false });
  }
  await controller.settled();
  const onDisk = async () => {
    const history = await openHistory({ name });
    try {
      return (await history.listRuns()).map((r) => r.id).sort();
    } finally {
      history.close();
    }
  };
  return { controller, onDisk, ids: controller.runs.map((r) => r.id) };
}

describe('delete with undo', () => {
  it('Undo brings the run back; it never left the disk', async () => {
    const { controller, onDisk, ids } = await withRuns(2 + Math.floor(Math.random() * 3), 60_000);
    const victim = ids[Math.floor(Math.random() * ids.length)]!;
    const deleting = controller.delete(victim);
    await expect.poll(() => controller.pendingDelete?.id).toBe(victim);
    expect(controller.runs.map((r) => r.id)).not.toContain(victim);
    expect(await onDisk()).toEqual([...ids].sort());
    controller.undoDelete();
    expect(await deleting).toBe(false);
    expect(controller.pendingDelete).toBeNull();
    expect(controller.runs.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(await onDisk()).toEqual([...ids].sort());
  });

  it('without Undo the run leaves the disk when the period ends', async () => {
    const { controller, onDisk, ids } = await withRuns(2, 50 + Math.floor(Math.random() * 50));
    const victim = ids[1]!;
    expect(await controller.delete(victim)).toBe(true);
    expect(controller.pendingDelete).toBeNull();
    expect(controller.runs.map((r) => r.id)).toEqual([ids[0]]);
    expect(await onDisk()).toEqual([ids[0]]);
  });

  it('a second delete commits the first at once, and only the second can be undone', async () => {
    const { controller, onDisk, ids } = await withRuns(3, 60_000);
    const first = controller.delete(ids[0]!);
    await expect.poll(() => controller.pendingDelete?.id).toBe(ids[0]);
    const second = controller.delete(ids[1]!);
    expect(await first).toBe(true);
    await expect.poll(() => controller.pendingDelete?.id).toBe(ids[1]);
    controller.undoDelete();
    expect(await second).toBe(false);
    expect(await onDisk()).toEqual([ids[1], ids[2]].sort());
    expect(controller.runs.map((r) => r.id).sort()).toEqual([ids[1], ids[2]].sort());
  });
});
