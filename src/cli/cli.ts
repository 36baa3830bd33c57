/**
 * What every script in src/cli shares: one exit-code policy (0 done, 1 a run or check that failed, 2 bad input
 * of any kind: options, parameters, experiment ids, files) and `--help`, parsed with node:util parseArgs.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ParamError } from '../engine/params.ts';
import { UnknownExperimentError } from '../workloads/registry.ts';

/** Exit code of a script that did what was asked. */
export const EXIT_OK = 0;
/** Exit code of a run or check that failed: a backend failed, a figure missed its target, a budget was passed. */
export const EXIT_FAILED_RUN = 1;
/** Exit code of bad input of any kind: an unknown option, a bad parameter or id, an unreadable input file. */
export const EXIT_BAD_INPUT = 2;

/** Input the script cannot use, worded for the person who typed it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Whether an error means the input was bad (exit 2) rather than the run failing (exit 1). */
export function isBadInput(error: unknown): boolean {
  if (error instanceof UsageError || error instanceof ParamError || error instanceof UnknownExperimentError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** The exit code for an error that ended a script. */
export function exitCodeFor(error: unknown): number {
  return isBadInput(error) ? EXIT_BAD_INPUT : EXIT_FAILED_RUN;
}

/**
 * parseArgs with strict options and a `--help` (added here): help prints `usage` and gives null, a malformed
 * command line throws a UsageError that names the problem.
 */
export function parseCommandLine<T extends ParseArgsConfig>(argv: readonly string[], config: T, usage: string) {
  // npm passes the `--` that separates its own options on to some scripts: it is not an argument.
  const args = argv.filter((a, i) => !(a === '--' && i === 0));
  const withHelp = { ...config, args, strict: true, options: { ...config.options, help: { type: 'boolean' as const, short: 'h' } } };
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(withHelp as unknown as T);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage.trimEnd()}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
    return null;
  }
  return parsed;
}

/** Run a script's main and exit by the policy: its own code when it returns, 1 or 2 when it throws. */
export function runScript(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? EXIT_OK),
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(exitCodeFor(error));
    },
  );
}
