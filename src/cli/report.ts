/** Plain-text views of results for the terminal, and the checks that decide the runner's exit status. */
import { usableCoresFigures } from '../analysis/machine-reading.ts';
import type { Results } from '../results/schema.ts';

/** Every problem that should make a headless run fail, one line each; empty when all is well. */
export function problemsIn(results: Results): string[] {
  const problems: string[] = [];
  if (results.cancelled) problems.push('The run was cancelled before it finished.');
  for (const experiment of results.experiments) {
    if (experiment.error) problems.push(`${experiment.id}: ${experiment.error}`);
    for (const r of experiment.results) {
      if (r.available && 'error' in r) problems.push(`${experiment.id} / ${r.backend} × ${r.workers}: ${r.error}`);
    }
  }
  return problems;
}

const fixed = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** A fixed-width table of every configuration, with the Amdahl fits under each experiment. */
export function formatResultsTable(results: Results): string {
  const env = results.environment;
  const usable = usableCoresFigures(env);
  const lines = [
    `${env.browser.name} ${env.browser.version}, ${env.hardwareConcurrency} reported cores, ` +
      (usable ? `usable cores ${usable}${env.busy ? ' (busy)' : ''}, ` : '') +
      `isolated: ${env.crossOriginIsolated ? 'yes' : 'no'}, timer ${(env.timerResolutionMs * 1000).toFixed(1)} µs, ` +
      `WebGPU: ${env.webgpu.available ? 'yes' : 'no'}`,
  ];
  const header = ['experiment', 'backend', 'size', 'lanes', 'median ms', '95% CI ms', 'speedup', 'n', 'check'];
  const rows: string[][] = [];
  for (const experiment of results.experiments) {
    for (const r of experiment.results) {
      const backend = r.variant !== undefined ? `${r.backend} ${r.variant}` : r.backend;
      const size = r.size !== undefined ? String(r.size) : '';
      if (!r.available) {
        rows.push([experiment.id, backend, size, String(r.workers ?? ''), '', '', '', '', r.skipped ? 'not measured (size sweep stopped)' : `unavailable: ${r.reason}`]);
      } else if ('error' in r) {
        rows.push([experiment.id, backend, size, String(r.workers), '', '', '', String(r.samplesMs.length), `FAILED: ${r.error}`]);
      } else {
        rows.push([
          experiment.id,
          backend,
          size,
          String(r.workers),
          fixed(r.medianMs),
          `${fixed(r.ci95Ms[0])}-${fixed(r.ci95Ms[1])}${r.precision !== undefined ? ` ±${(r.precision * 100).toFixed(1)}%` : ''}`,
          r.speedup !== undefined ? `${r.speedup.toFixed(2)}x` : '',
          String(r.samplesMs.length),
          'verified',
        ]);
      }
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const format = (row: string[]) =>
    row.map((cell, i) => (i >= 2 && i <= 7 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  lines.push(format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format));
  for (const experiment of results.experiments) {
    for (const [backend, fit] of Object.entries(experiment.amdahl)) {
      lines.push(
        `${experiment.id} / ${backend}: Amdahl serial fraction ${(fit.serialFraction * 100).toFixed(1)}% ` +
          `(95% CI ${(fit.serialFractionCi95[0] * 100).toFixed(1)}-${(fit.serialFractionCi95[1] * 100).toFixed(1)}%, ` +
          `R² ${fit.r2 === null ? 'n/a (flat)' : fit.r2.toFixed(3)}, lanes ${fit.fittedWorkers.join(',')})`,
      );
    }
    for (const [key, value] of Object.entries(experiment.derived ?? {})) {
      lines.push(`${experiment.id} / ${key}: ${value ?? 'none'}`);
    }
  }
  return lines.join('\n');
}
