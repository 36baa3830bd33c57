/**
 * The bench CLI as the browser tests start it: `tsx src/cli/bench.ts` over the build the global setup made,
 * so each call skips `npm run bench`'s own rebuild (tens of seconds a call on a 2-core machine).
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { BackendResult, ExperimentResult, MeasuredResult } from '../../src/results/schema.ts';

/** The repository root, where the CLI runs. */
export const root = resolve(import.meta.dirname, '../..');

/** How a CLI run ended: its exit code and everything it printed. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the bench CLI with `args`; a non-zero exit comes back as an outcome, not a rejection. */
export async function runBench(args: string[], timeoutMs = 600_000): Promise<CliOutcome> {
  try {
    const { stdout, stderr } = await promisify(execFile)(join(root, 'node_modules/.bin/tsx'), ['src/cli/bench.ts', ...args], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      timeout: timeoutMs,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Where a result sits in its run, for a failure message: experiment, backend, variant, lanes and size. */
export const whereOf = (experiment: ExperimentResult, r: BackendResult) =>
  `${experiment.id} / ${r.backend} ${r.variant ?? ''} × ${r.workers ?? ''} @ ${r.size ?? ''}`;

/**
 * What every configuration of a bench run must end as: unavailable with a reason a reader can act on, or
 * measured without an error and verified. Returns the measured ones, for the caller's further checks.
 */
export function expectFinished(experiment: ExperimentResult): Array<{ where: string; result: MeasuredResult }> {
  const measured: Array<{ where: string; result: MeasuredResult }> = [];
  for (const r of experiment.results) {
    const where = whereOf(experiment, r);
    if (!r.available) {
      expect(r.reason.length, where).toBeGreaterThan(10);
      continue;
    }
    expect('error' in r ? r.error : '', where).toBe('');
    expect((r as MeasuredResult).verified, where).toBe(true);
    measured.push({ where, result: r as MeasuredResult });
  }
  return measured;
}
