/** Dynamic scheduling shared by the lane-based executors: each lane takes the next task when it is free. */

/**
 * Run `taskCount` tasks over `laneCount` lanes. The first failure stops every lane from taking more work
 * and is the one reported, so a throwing kernel fails the run fast instead of finishing the queue.
 */
export async function runLanes(
  laneCount: number,
  taskCount: number,
  runTask: (lane: number, task: number) => Promise<void>,
  beforeTask?: () => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (laneIndex: number) => {
    for (;;) {
      if (beforeTask) await beforeTask();
      if (failed || next >= taskCount) return;
      const task = next++;
      try {
        await runTask(laneIndex, task);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, laneCount) }, (_, i) => lane(i)));
}
