/** Where handing tasks to other threads starts to pay, and what each task costs to hand over. */
import type { BackendResult, MeasuredResult } from '../../results/schema.ts';

/** One measured point of a size sweep. */
export interface SizePoint {
  sizeUs: number;
  medianMs: number;
}

/** Where a parallel variant starts beating serial. */
export interface BreakEven {
  /**
   * The task size (µs) at which the variant's median time equals serial's, interpolated on log scales
   * between the last losing and the first winning size; the smallest size when it already wins there
   * (an upper bound); null when it never wins.
   */
  sizeUs: number | null;
  kind: 'crossed' | 'below-range' | 'never' | 'no-data';
}

/**
 * The smallest task size at which `parallel` beats `serial` (a strictly lower median). Sizes measured by
 * only one side are ignored. Between the last size where parallel is not faster and the first where it is,
 * log(parallel / serial) is taken as linear in log(size), and its zero is the break-even.
 */
export function breakEven(serial: readonly SizePoint[], parallel: readonly SizePoint[]): BreakEven {
  const serialMs = new Map(serial.filter((p) => p.medianMs > 0).map((p) => [p.sizeUs, p.medianMs]));
  const points = parallel
    .filter((p) => p.sizeUs > 0 && p.medianMs > 0 && serialMs.has(p.sizeUs))
    .map((p) => ({ sizeUs: p.sizeUs, logRatio: Math.log(p.medianMs / serialMs.get(p.sizeUs)!) }))
    .sort((a, b) => a.sizeUs - b.sizeUs);
  if (points.length === 0) return { sizeUs: null, kind: 'no-data' };
  const first = points.findIndex((p) => p.logRatio < 0);
  if (first === -1) return { sizeUs: null, kind: 'never' };
  if (first === 0) return { sizeUs: points[0]!.sizeUs, kind: 'below-range' };
  const a = points[first - 1]!;
  const b = points[first]!;
  // a.logRatio >= 0 > b.logRatio, so t is in [0, 1); a tie at a measured size is that size exactly.
  const t = a.logRatio / (a.logRatio - b.logRatio);
  if (t === 0) return { sizeUs: a.sizeUs, kind: 'crossed' };
  return { sizeUs: Math.exp(Math.log(a.sizeUs) + t * (Math.log(b.sizeUs) - Math.log(a.sizeUs))), kind: 'crossed' };
}

/**
 * What one task costs on its lane beyond its own compute, in µs. With `rounds` = ⌈tasks / lanes⌉ tasks per
 * lane, a perfect parallel run would take serial × rounds / tasks; the excess, spread over the rounds, is
 * the per-task overhead (spawn, messages, wake-ups). Negative when parallel beats that ideal (noise,
 * turbo or cache effects).
 */
export function perTaskOverheadUs(serialMs: number, parallelMs: number, lanes: number, tasks: number): number {
  const rounds = Math.ceil(tasks / Math.max(1, Math.min(lanes, tasks)));
  const idealMs = (serialMs / tasks) * rounds;
  return ((parallelMs - idealMs) / rounds) * 1_000;
}

function isMeasured(r: BackendResult): r is MeasuredResult {
  return r.available && 'medianMs' in r;
}

/** Three significant digits: enough for a size read off a log axis. */
function sig3(x: number): number {
  return Number(x.toPrecision(3));
}

/** The name a parallel variant's figures are filed under, e.g. "breakEvenUs.workers.spawn". */
export function breakEvenKey(r: Pick<MeasuredResult, 'backend' | 'variant'>): string {
  return ['breakEvenUs', r.backend, r.variant].filter(Boolean).join('.');
}

/** The name a variant's per-task cost is filed under, e.g. "perTaskUs.shared-memory.ring". */
export function perTaskKey(r: Pick<MeasuredResult, 'backend' | 'variant'>): string {
  return ['perTaskUs', r.backend, r.variant].filter(Boolean).join('.');
}

/**
 * The experiment's figures once every configuration is measured: a break-even size per parallel variant
 * (a number in µs, "≤N" when it already wins at the smallest size N, "never"), a per-task overhead note on
 * every parallel result that has a serial result at its size, and from the batch of `emptyBatch` empty
 * tasks (size 0) each path's cost per task, in µs.
 */
export function summarizeTinyTasks(results: readonly BackendResult[], tasks: number, emptyBatch = 0): Record<string, number | string> {
  const summary: Record<string, number | string> = {};
  const all = results.filter(isMeasured);
  for (const r of all.filter((m) => m.size === 0 && emptyBatch > 0)) {
    const perTaskUs = (r.medianMs / emptyBatch) * 1_000;
    summary[perTaskKey(r)] = sig3(perTaskUs);
    r.note = [r.note, `${sig3(perTaskUs)} µs per task over a batch of ${emptyBatch.toLocaleString('en')} empty tasks`].filter(Boolean).join('; ');
  }
  const measured = all.filter((r) => r.size !== 0);
  const serial = measured.filter((r) => r.backend === 'serial' && r.size !== undefined);
  const serialBySize = new Map(serial.map((r) => [r.size!, r]));
  const asPoint = (r: MeasuredResult): SizePoint => ({ sizeUs: r.size!, medianMs: r.medianMs });
  const addNote = (r: MeasuredResult, text: string) => (r.note = r.note ? `${r.note}; ${text}` : text);

  for (const r of serial) addNote(r, `${sig3((r.medianMs / tasks) * 1_000)} µs of compute per task`);
  const variants = new Map<string, MeasuredResult[]>();
  for (const r of measured) {
    if (r.backend === 'serial' || r.size === undefined) continue;
    const key = breakEvenKey(r);
    variants.set(key, [...(variants.get(key) ?? []), r]);
    const base = serialBySize.get(r.size);
    if (base) {
      const overheadUs = perTaskOverheadUs(base.medianMs, r.medianMs, r.workers, tasks);
      addNote(r, `per-task overhead ≈ ${sig3(overheadUs)} µs (time a task adds on its lane beyond its compute)`);
    }
  }
  for (const [key, runs] of variants) {
    const found = breakEven(serial.map(asPoint), runs.map(asPoint));
    if (found.kind === 'crossed') summary[key] = sig3(found.sizeUs!);
    else if (found.kind === 'below-range') summary[key] = `≤${found.sizeUs}`;
    else if (found.kind === 'never') summary[key] = 'never';
  }
  return summary;
}
