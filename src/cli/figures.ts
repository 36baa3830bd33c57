/**
 * npm run figures -- FILE [FILE ...]
 * Prints the headline figures of results or comparison files (as `npm run bench -- --out` writes them) as a
 * Markdown table, one column per run, for the README. Exits non-zero when a figure misses its target.
 */
import { readFile } from 'node:fs/promises';
import { headlineFigures } from '../analysis/headline-figures.ts';
import { parseResultsText } from '../results/import.ts';
import type { Results } from '../results/schema.ts';

async function readRuns(path: string): Promise<Results[]> {
  const outcome = parseResultsText(await readFile(path, 'utf8'));
  if (!outcome.ok) throw new Error(`${path}: ${outcome.message}`);
  return outcome.runs;
}

function runName(run: Results): string {
  const env = run.environment;
  const major = env.browser.version.split('.')[0];
  const gpu = run.experiments.some((e) => e.results.some((r) => r.backend === 'webgpu' && r.available)) ? 'WebGPU on' : 'WebGPU off';
  return `${env.browser.name} ${major} (${env.hardwareConcurrency} cores, ${gpu})`;
}

async function main(): Promise<number> {
  const paths = process.argv.slice(2).filter((a) => a !== '--');
  if (paths.length === 0) throw new Error('Usage: npm run figures -- results.json [more.json ...]');
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
  return missed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
