/** Writes public/schema/results.v1.json from the TypeBox definition (npm run schema). */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { resultsJsonSchema } from '../results/schema.ts';

export const SCHEMA_PATH = resolve(import.meta.dirname, '../../public/schema/results.v1.json');

await writeFile(SCHEMA_PATH, `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`);
process.stdout.write("Wrote public/schema/results.v1.json\n");
