/**
 * Whether the minute-long answer agrees with the one worth publishing: the default preset's headline figures
 * against the thorough preset's 95% ranges, each figure read at the same problem size in both runs.
 */
import { headlineFigures } from './headline-figures.ts';
import type { BackendResult, Results } from '../results/schema.ts';

/** One row: a default figure (with its own range), and whether it lies inside the thorough run's range. */
export interface PresetAgreement {
  id: string;
  label: string;
  defaultText: string;
  thoroughText: string;
  inside: boolean | undefined;
}

/** A configuration apart from its size: what a size sweep grows. */
function sweepKey(r: BackendResult): string {
  return `${r.backend}|${r.variant ?? ''}|${r.workers}`;
}

/**
 * `thorough` cut to the sizes `reference` measured, configuration by configuration. The thorough preset's
 * sweeps start smaller and grow further, so its "largest size" is not the default's: a ratio's speedup grows
 * with the size, and comparing the default at n = 512 against the thorough run at n = 2048 would judge the
 * size, not the measurement. A size the default's sweep skipped does not count as reached. Results without a
 * size (a fixed workload) are kept as they are.
 */
export function atReferenceSizes(thorough: Results, reference: Results): Results {
  return {
    ...thorough,
    experiments: thorough.experiments.map((experiment) => {
      const measured = reference.experiments.find((e) => e.id === experiment.id)?.results ?? [];
      const sizes = new Map<string, Set<number>>();
      for (const r of measured) {
        // Only a size measured there: a size the default's sweep skipped (a row with its reason) was not reached.
        if (r.size === undefined || !('medianMs' in r)) continue;
        const key = sweepKey(r);
        sizes.set(key, (sizes.get(key) ?? new Set<number>()).add(r.size));
      }
      return { ...experiment, results: experiment.results.filter((r) => r.size === undefined || sizes.get(sweepKey(r))?.has(r.size) === true) };
    }),
  };
}

/** Match the two runs' headline figures at the default's sizes; only ratios with a thorough range are judged. */
export function comparePresets(defaultRun: Results, thoroughRun: Results): PresetAgreement[] {
  const thorough = new Map(headlineFigures(atReferenceSizes(thoroughRun, defaultRun)).map((f) => [f.id, f]));
  return headlineFigures(defaultRun).map((f) => {
    const t = thorough.get(f.id);
    const range = t?.interval;
    const inside = typeof f.value === 'number' && range ? f.value >= range[0] && f.value <= range[1] : undefined;
    return {
      id: f.id,
      label: f.label,
      defaultText: `${f.text}${f.interval ? ` (${f.interval[0].toFixed(2)}-${f.interval[1].toFixed(2)})` : ''}`,
      thoroughText: t ? `${t.text}${range ? ` (${range[0].toFixed(2)}-${range[1].toFixed(2)})` : ''}` : 'not measured',
      inside,
    };
  });
}
