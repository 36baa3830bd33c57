/** Writes public/schema/results.v1.json and comparison.v1.json from the TypeBox definitions (npm run schema). */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { comparisonJsonSchema } from '../results/comparison.ts';
import { resultsJsonSchema } from '../results/schema.ts';
import { EXIT_OK, parseCommandLine, runScript } from './cli.ts';

const USAGE = 'Usage: npm run schema\nWrites public/schema/results.v1.json and comparison.v1.json from src/results/schema.ts.\n';

export const SCHEMA_PATH = resolve(import.meta.dirname, '../../public/schema/results.v1.json');
/** Where the comparison schema is shipped, next to the results schema. */
export const COMPARISON_SCHEMA_PATH = resolve(import.meta.dirname, '../../public/schema/comparison.v1.json');

runScript(async () => {
  if (!parseCommandLine(process.argv.slice(2), { options: {} }, USAGE)) return EXIT_OK;
  await writeFile(SCHEMA_PATH, `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`);
  process.stdout.write('Wrote public/schema/results.v1.json\n');
  await writeFile(COMPARISON_SCHEMA_PATH, `${JSON.stringify(comparisonJsonSchema(), null, 2)}\n`);
  process.stdout.write('Wrote public/schema/comparison.v1.json\n');
  return EXIT_OK;
});
