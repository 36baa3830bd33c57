/**
 * npm run figures -- FILE [FILE ...]
 * Prints the headline figures of results or comparison files (as `npm run bench -- --out` writes them) as a
 * Markdown table, one column per run, for the README. Exits non-zero when a figure misses its target.
 */
import { readFile } from 'node:fs/promises';
import { headlineFigures } from '../analysis/headline-figures.ts';
import { parseResultsText } from '../results/import.ts';
import type { Results } from '../results/schema.ts';
import { EXIT_FAILED_RUN, EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';

const USAGE =
  'Usage: npm run figures -- FILE [FILE ...]\n' +
  'Prints the headline figures of results or comparison files as a Markdown table, one column per run.\n' +
  'Exits 1 when a figure misses its target, 2 for a missing or unreadable file.\n';

async function readRuns(path: string): Promise<Results[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
  const outcome = parseResultsText(text);
  if (!outcome.ok) throw new UsageError(`${path}: ${outcome.message}`);
  return outcome.runs;
}

function runName(run: Results): string {
  const env = run.environment;
  const major = env.browser.version.split('.')[0];
  const gpu = run.experiments.some((e) => e.results.some((r) => r.backend === 'webgpu' && r.available)) ? 'WebGPU on' : 'WebGPU off';
  return `${env.browser.name} ${major} (${env.hardwareConcurrency} cores, ${gpu})`;
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(process.argv.slice(2), { options: {}, allowPositionals: true }, USAGE);
  if (!parsed) return EXIT_OK;
  const paths = parsed.positionals;
  if (paths.length === 0) throw new UsageError(`No file given.\n${USAGE.trimEnd()}`);
  const runs = (await Promise.all(paths.map(readRuns))).flat();
  const tables = runs.map(headlineFigures);
  const lines = [
    `| figure | target | ${runs.map(runName).join(' | ')} |`,
    `| --- | --- | ${runs.map(() => '---').join(' | ')} |`,
  ];
  let missed = 0;
  for (const [i, figure] of tables[0]!.entries()) {
    const cells = tables.map((table) => {
      const f = table[i]!;
      if (f.met === false) missed += 1;
      return f.met === false ? `${f.text} (missed)` : f.text;
    });
    lines.push(`| ${figure.label} | ${figure.target ?? ''} | ${cells.join(' | ')} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (missed > 0) process.stderr.write(`${missed} figure${missed === 1 ? '' : 's'} missed ${missed === 1 ? 'its' : 'their'} target.\n`);
  return missed > 0 ? EXIT_FAILED_RUN : EXIT_OK;
}

runScript(main);
