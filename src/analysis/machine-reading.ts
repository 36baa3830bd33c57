/** What the busy-machine check says about a run, in words: the device panel, every experiment and the CLI show these. */
import { checkedWorkerCount } from '../measure/usable-cores.ts';
import type { EnvironmentReport } from '../results/schema.ts';

/** The environment fields the check fills in, so readings can take a whole environment or just these. */
export type MachineCores = Pick<EnvironmentReport, 'hardwareConcurrency' | 'usableCores' | 'usableCoresAfter' | 'busy' | 'scalingCores'>;

/** The lower of the checks' figures: how much the machine gave at its worst during the run. */
function leastUsableCores(machine: MachineCores): number | undefined {
  const measured = [machine.usableCores, machine.usableCoresAfter].filter((x): x is number => x !== undefined);
  return measured.length > 0 ? Math.min(...measured) : undefined;
}

/** The warning set beside speedups measured on a busy machine; undefined when no check found it busy. */
export function busyWarning(machine: MachineCores): string | undefined {
  if (!machine.busy) return undefined;
  const usable = leastUsableCores(machine);
  const about = usable === undefined ? 'fewer' : `about ${usable.toFixed(1)}`;
  return `The machine was busy: ${about} of ${checkedWorkerCount(machine.hardwareConcurrency)} cores were usable; speedups are understated.`;
}

/** The checks' figures, e.g. "1.97 before the run, 1.95 after"; undefined when no check ran. */
export function usableCoresFigures(machine: MachineCores): string | undefined {
  const parts = [
    machine.usableCores !== undefined ? `${machine.usableCores.toFixed(2)} before the run` : undefined,
    machine.usableCoresAfter !== undefined ? `${machine.usableCoresAfter.toFixed(2)} after` : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** Measured usable cores beside the reported count, e.g. "1.97 before the run, 1.95 after (reported: 2)". */
export function describeUsableCores(machine: MachineCores): string | undefined {
  const figures = usableCoresFigures(machine);
  return figures ? `${figures} (reported: ${machine.hardwareConcurrency})` : undefined;
}

/**
 * Said when the sweeps and fits planned for fewer cores than the browser reports, because the check found
 * that many; undefined when they used the reported count.
 */
export function plannedCoresNote(machine: MachineCores): string | undefined {
  const planned = machine.scalingCores;
  if (planned === undefined || planned >= machine.hardwareConcurrency) return undefined;
  return (
    `Lane counts and Amdahl fits use ${planned} cores, as measured: the browser reports ${machine.hardwareConcurrency}, ` +
    `but no more than ${planned} workers ran at full speed at once.`
  );
}
