/**
 * The comparison format, parallel-lab/comparison/v1: several results documents side by side (the bench CLI
 * writes one when it runs more than one browser). Each run is a complete parallel-lab/results/v1 document.
 */
import Type from 'typebox';
import { COMPARISON_SCHEMA_ID, MAX_COMPARISON_RUNS } from './documents.ts';
import { ResultsSchema } from './schema.ts';

/** The comparison document: an envelope around complete results documents. */
export const ComparisonSchema = Type.Object(
  {
    schema: Type.Literal(COMPARISON_SCHEMA_ID),
    createdAt: Type.String({ format: 'date-time' }),
    runs: Type.Array(ResultsSchema, {
      minItems: 1,
      maxItems: MAX_COMPARISON_RUNS,
      description: 'One complete results document per browser (or machine), in the order they ran.',
    }),
  },
  { title: 'Parallel Lab comparison', additionalProperties: false },
);

/** A comparison document as the bench CLI writes it. */
export type Comparison = Type.Static<typeof ComparisonSchema>;

/** The JSON Schema document as shipped in public/schema/comparison.v1.json (results schema inlined). */
export function comparisonJsonSchema(): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(ComparisonSchema)) };
}
