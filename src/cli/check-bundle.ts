/**
 * npm run check:bundle [-- --dist DIR] [--budget-kb 150] [--element-budget-kb 60]
 * Reads a production build (made with build.manifest) and prints each first-load chunk with its gzipped
 * size and their total against the budget, and each standalone element against its own. Exits 1 past a
 * budget or when two large chunks hold the same content, 2 for bad arguments or a missing build.
 */
import { resolve } from 'node:path';
import { parseNumberText } from '../engine/params.ts';
import { ELEMENT_BUDGET_BYTES, FIRST_LOAD_BUDGET_BYTES, formatBundleReport, inspectBuild } from './bundle-budget.ts';
import { EXIT_FAILED_RUN, EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';

const USAGE =
  'Usage: tsx src/cli/check-bundle.ts [--dist DIR] [--budget-kb KB] [--element-budget-kb KB]\n' +
  `  --dist DIR               the production build to read (default: dist), built with build.manifest\n` +
  `  --budget-kb KB           first-load JavaScript allowed, gzipped, in kB of 1000 bytes (default: ${FIRST_LOAD_BUDGET_BYTES / 1000})\n` +
  `  --element-budget-kb KB   JavaScript allowed for each standalone element (elements/), gzipped (default: ${ELEMENT_BUDGET_BYTES / 1000})\n`;

/** A budget option in kB as bytes; a usage error for anything but a positive number. */
function budgetBytesOf(option: string, text: string): number {
  const kb = parseNumberText(text) ?? NaN;
  if (!Number.isFinite(kb) || kb <= 0) throw new UsageError(`--${option} wants a positive number, got "${text}".`);
  return Math.round(kb * 1000);
}

function parseOptions(argv: string[]): { dist: string; budgetBytes: number; elementBudgetBytes: number } | null {
  const parsed = parseCommandLine(
    argv,
    {
      options: {
        dist: { type: 'string', default: 'dist' },
        'budget-kb': { type: 'string', default: String(FIRST_LOAD_BUDGET_BYTES / 1000) },
        'element-budget-kb': { type: 'string', default: String(ELEMENT_BUDGET_BYTES / 1000) },
      },
    },
    USAGE,
  );
  if (!parsed) return null;
  const { values } = parsed;
  return {
    dist: resolve(values.dist),
    budgetBytes: budgetBytesOf('budget-kb', values['budget-kb']),
    elementBudgetBytes: budgetBytesOf('element-budget-kb', values['element-budget-kb']),
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return EXIT_OK;
  let report;
  try {
    report = await inspectBuild(options.dist, options.budgetBytes, options.elementBudgetBytes);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  process.stdout.write(`${formatBundleReport(report)}\n`);
  return report.ok ? EXIT_OK : EXIT_FAILED_RUN;
}

runScript(main);
