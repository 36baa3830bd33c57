/** Which configurations an experiment measures: backends times lane counts. */
import type { BackendId } from '../workloads/types.ts';

export interface Configuration {
  backend: BackendId;
  workers: number;
}

/** Backends whose lane count is swept; the others run once. */
const LANE_BACKENDS: ReadonlySet<BackendId> = new Set(['event-loop', 'workers', 'shared-memory']);

/**
 * 1, 2, 4, ... up to twice the reported core count, so oversubscription shows, plus the core count itself
 * when it is not a power of two (a 6-core machine's best point is 6, not 4 or 8).
 */
export function workerCounts(hardwareConcurrency: number): number[] {
  const cores = Math.max(1, Math.floor(hardwareConcurrency));
  const counts = new Set<number>([cores]);
  for (let p = 1; p <= 2 * cores; p *= 2) counts.add(p);
  return [...counts].sort((a, b) => a - b);
}

export function isLaneBackend(backend: BackendId): boolean {
  return LANE_BACKENDS.has(backend);
}

export function plannedConfigurations(backends: readonly BackendId[], hardwareConcurrency: number): Configuration[] {
  const counts = workerCounts(hardwareConcurrency);
  return backends.flatMap((backend) =>
    isLaneBackend(backend) ? counts.map((workers) => ({ backend, workers })) : [{ backend, workers: 1 }],
  );
}
