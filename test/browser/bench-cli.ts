/**
 * The bench CLI as the browser tests start it: `tsx src/cli/bench.ts` over the build the global setup made,
 * so each call skips `npm run bench`'s own rebuild (tens of seconds a call on a 2-core machine).
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

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
