/** Runtime validation of results documents against the v1 schema, with messages a person can act on. */
import Schema from 'typebox/schema';
import Value from 'typebox/value';
import { RESULTS_SCHEMA_ID } from './documents.ts';
import { ResultsSchema, type Results } from './schema.ts';

let compiled: ReturnType<typeof Schema.Compile<typeof ResultsSchema>> | undefined;

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Check a parsed document; at most `maxErrors` messages, each naming the JSON path at fault. */
export function validateResults(value: unknown, maxErrors = 8): Validation<Results> {
  compiled ??= Schema.Compile(ResultsSchema);
  if (compiled.Check(value)) return { ok: true, value: value as Results };
  const schemaId = (value as { schema?: unknown } | null)?.schema;
  if (typeof schemaId === 'string' && schemaId !== RESULTS_SCHEMA_ID) {
    return { ok: false, errors: [`Unsupported schema "${schemaId.slice(0, 80)}": this lab reads ${RESULTS_SCHEMA_ID}.`] };
  }
  const errors: string[] = [];
  for (const error of Value.Errors(ResultsSchema, value)) {
    errors.push(`${error.instancePath || '/'}: ${error.message}`);
    if (errors.length >= maxErrors) break;
  }
  return { ok: false, errors: errors.length > 0 ? errors : ['The document does not match the results schema.'] };
}
