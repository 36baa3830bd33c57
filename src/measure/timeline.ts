/** Per-task timelines: the post's (start, stop) pairs relative to a common base. */

/** One bar of a timeline: a task (or a phase of one) on a lane, in ms from the sample's start. */
export interface TimelineBar {
  lane: number;
  startMs: number;
  endMs: number;
  task?: number;
  phase?: string;
}

/** A task's start and end on the shared epoch clock, as reported by whichever thread ran it. */
export interface TaskSpan {
  lane: number;
  task: number;
  startEpochMs: number;
  endEpochMs: number;
  /** What part of the task this was (copy-in, compute, copy-out, upload, dispatch, read-back...). */
  phase?: string;
}

/** Rebase spans on the sample's start so the chart reads from 0, as the post subtracted `base`. */
export function toTimeline(spans: readonly TaskSpan[], baseEpochMs: number): TimelineBar[] {
  return spans
    .map((s) => ({
      lane: s.lane,
      task: s.task,
      ...(s.phase ? { phase: s.phase } : {}),
      // Clocks of different threads may disagree by a few microseconds: never draw before the base.
      startMs: round3(Math.max(0, s.startEpochMs - baseEpochMs)),
      endMs: round3(Math.max(0, s.endEpochMs - baseEpochMs)),
    }))
    .sort((a, b) => a.lane - b.lane || a.startMs - b.startMs);
}

/** Microsecond precision is all any browser clock gives; more digits only bloat the JSON. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
