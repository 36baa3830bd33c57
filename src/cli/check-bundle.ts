/**
 * npm run check:bundle [-- --dist DIR] [--budget-kb 150]
 * Reads a production build (made with build.manifest) and prints each first-load chunk with its gzipped
 * size and their total against the budget. Exits 1 past the budget or when two large chunks hold the same
 * content, 2 for bad arguments or a missing build.
 */
import { resolve } from 'node:path';
import { parseNumberText } from '../engine/params.ts';
import { FIRST_LOAD_BUDGET_BYTES, formatBundleReport, inspectBuild } from './bundle-budget.ts';
import { EXIT_FAILED_RUN, EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';

const USAGE =
  'Usage: tsx src/cli/check-bundle.ts [--dist DIR] [--budget-kb KB]\n' +
  `  --dist DIR       the production build to read (default: dist), built with build.manifest\n` +
  `  --budget-kb KB   first-load JavaScript allowed, gzipped, in kB of 1000 bytes (default: ${FIRST_LOAD_BUDGET_BYTES / 1000})\n`;

function parseOptions(argv: string[]): { dist: string; budgetBytes: number } | null {
  const parsed = parseCommandLine(
    argv,
    {
      options: {
        dist: { type: 'string', default: 'dist' },
        'budget-kb': { type: 'string', default: String(FIRST_LOAD_BUDGET_BYTES / 1000) },
      },
    },
    USAGE,
  );
  if (!parsed) return null;
  const { values } = parsed;
  const budgetKb = parseNumberText(values['budget-kb']) ?? NaN;
  if (!Number.isFinite(budgetKb) || budgetKb <= 0) throw new UsageError(`--budget-kb wants a positive number, got "${values['budget-kb']}".`);
  return { dist: resolve(values.dist), budgetBytes: Math.round(budgetKb * 1000) };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return EXIT_OK;
  let report;
  try {
    report = await inspectBuild(options.dist, options.budgetBytes);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  process.stdout.write(`${formatBundleReport(report)}\n`);
  return report.ok ? EXIT_OK : EXIT_FAILED_RUN;
}

runScript(main);
