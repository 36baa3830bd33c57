/**
 * Configurations for experiments that sweep a problem size: every backend at every size (the size
 * crossover), plus a lane-count sweep at the largest size (the scaling). Shared by array-add and
 * dot-product; a candidate for src/engine/sweep.ts once more experiments use it.
 */
import { isLaneBackend, workerCounts } from '../../engine/sweep.ts';
import type { BackendId, Configuration } from '../types.ts';

/** Problem sizes from `min` to `max`, multiplying by `factor`; `max` is always the last. */
export function geometricSizes(min: number, max: number, factor: number): number[] {
  const sizes: number[] = [];
  for (let size = Math.min(min, max); size < max; size *= factor) sizes.push(size);
  sizes.push(max);
  return sizes;
}

/**
 * Serial once per size (the reference for speedups at that size), lane backends at the core count,
 * other backends once per variant; then the lane backends at every other count of workerCounts(hc)
 * at the largest size, so Amdahl has a sweep to fit.
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
      if (workers !== cores) configs.push({ backend, workers, size: largest });
    }
  }
  return configs;
}
