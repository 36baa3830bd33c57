/** Which configurations an experiment measures: backends times lane counts, and problem sizes. */
import type { BackendId } from './backends.ts';
import { isLaneBackend } from './backends.ts';

export interface Configuration {
  backend: BackendId;
  workers: number;
  size?: number;
  variant?: string;
  /** Part of a lane sweep at the largest size: measured at the largest size its backend reached. */
  laneSweep?: boolean;
  /** More lanes than cores: measured only in presets that show oversubscription (see SamplingPolicy). */
  oversubscribed?: boolean;
}

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

/** Lane backends at every count of workerCounts, the others once. */
export function plannedConfigurations(backends: readonly BackendId[], hardwareConcurrency: number): Configuration[] {
  const cores = Math.max(1, Math.floor(hardwareConcurrency));
  return backends.flatMap((backend) =>
    isLaneBackend(backend)
      ? workerCounts(cores).map((workers) => ({ backend, workers, ...(workers > cores ? { oversubscribed: true } : {}) }))
      : [{ backend, workers: 1 }],
  );
}

/** Drops the lane counts past the core count when a preset does not measure oversubscription. */
export function withinLanePlan(configs: readonly Configuration[], oversubscribe: boolean): Configuration[] {
  return oversubscribe ? [...configs] : configs.filter((config) => !config.oversubscribed);
}

/** Problem sizes from `min` to `max`, multiplying by `factor`; `max` is always the last. */
export function geometricSizes(min: number, max: number, factor: number): number[] {
  const sizes: number[] = [];
  for (let size = Math.min(min, max); size < max; size *= factor) sizes.push(size);
  sizes.push(max);
  return sizes;
}

/**
 * Configurations for experiments that sweep a problem size: serial once per size (the reference for
 * speedups at that size), lane backends at the core count, other backends once per variant; then the lane
 * backends at every other count of workerCounts at the largest size, so Amdahl has a sweep to fit.
 */
export function sizedConfigurations(
  sizes: readonly number[],
  hardwareConcurrency: number,
  backends: readonly BackendId[],
  variantsOf: (backend: BackendId) => ReadonlyArray<string | undefined> = () => [undefined],
): Configuration[] {
  const cores = Math.max(1, Math.floor(hardwareConcurrency));
  const configs: Configuration[] = [];
  for (const size of sizes) {
    for (const backend of backends) {
      for (const variant of variantsOf(backend)) {
        configs.push({
          backend,
          workers: isLaneBackend(backend) ? cores : 1,
          size,
          ...(variant !== undefined ? { variant } : {}),
        });
      }
    }
  }
  const largest = sizes[sizes.length - 1]!;
  for (const backend of backends.filter(isLaneBackend)) {
    for (const workers of workerCounts(cores)) {
      if (workers !== cores) {
        configs.push({ backend, workers, size: largest, laneSweep: true, ...(workers > cores ? { oversubscribed: true } : {}) });
      }
    }
  }
  return configs;
}
