/**
 * Runtime validation of results documents against the v1 schema, with messages a person can act on.
 * A valid document is checked in one pass. A refused one is then narrowed down level by level (document,
 * experiment, result), each level checked with its lists left opaque, so that listing the errors costs one
 * small part of a large document rather than all of it, and a result is reported against the one shape it
 * claims to be (measured, failed or unavailable) rather than against every branch of the union.
 *
 * Written against a SchemaChecker and the schema as JSON, so that the lab (TypeBox's schemas, compiled) and the
 * standalone results element (the shipped JSON Schema, interpreted) refuse the same documents in the same words.
 */
import { COMPARISON_SCHEMA_ID, RESULTS_SCHEMA_ID } from './documents.ts';
import type { JsonSchema, SchemaChecker } from './schema-checker.ts';
import type { Results } from './schema.ts';

/** A check's outcome: the value, typed, or the reasons it was refused. */
export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Validation of results documents, and of a comparison's own fields. */
export interface ResultsValidator {
  /** Check a parsed document; at most `maxErrors` messages, each naming the JSON path at fault. */
  validateResults(value: unknown, maxErrors?: number): Validation<Results>;
  /** A comparison's envelope (its schema id, date and run count; not the runs): its errors, none when it is fine. */
  comparisonEnvelopeErrors(value: unknown, maxRuns: number, maxErrors: number): string[];
  /** The schema's bounds on the two long lists, which a reader checks before anything else. */
  maxExperiments: number;
  maxResultsPerExperiment: number;
}

/** Longest error line quoted: a path through a 5 MB key must not become a 5 MB message. */
const MAX_ERROR_CHARS = 300;

type SchemaObject = { properties: Record<string, SchemaObject>; items?: SchemaObject; anyOf?: SchemaObject[]; maxItems?: number; const?: unknown };

/** The same object schema with one array property's items left unchecked (checked one by one afterwards). */
function shallow(schema: SchemaObject, key: string): JsonSchema {
  const { maxItems } = schema.properties[key]!;
  const opaque = { type: 'array', items: {}, ...(maxItems === undefined ? {} : { maxItems }) };
  return { ...schema, properties: { ...schema.properties, [key]: opaque } } as JsonSchema;
}

/**
 * A comparison's own fields as a JSON Schema; its runs are checked one by one so that errors name the run.
 * The same schema as ComparisonSchema's envelope (a unit test compares them), without TypeBox's builders.
 */
export function comparisonEnvelopeSchema(maxRuns: number): JsonSchema {
  return {
    type: 'object',
    required: ['schema', 'createdAt', 'runs'],
    properties: {
      schema: { type: 'string', const: COMPARISON_SCHEMA_ID },
      createdAt: { type: 'string', format: 'date-time' },
      runs: { type: 'array', items: {}, minItems: 1, maxItems: maxRuns },
    },
    additionalProperties: false,
  };
}

/** A validator of documents against `resultsSchema` (the results v1 schema, as TypeBox builds it or as shipped). */
export function createResultsValidator(checker: SchemaChecker, resultsSchema: JsonSchema): ResultsValidator {
  const results = resultsSchema as unknown as SchemaObject;
  const experiment = results.properties.experiments!.items!;
  const shapes = experiment.properties.results!.items!.anyOf ?? [];
  const shapeWhere = (field: string, value: unknown) => {
    const found = shapes.find((s) => s.properties[field]?.const === value);
    if (!found) throw new Error(`The results schema has no result shape with ${field} = ${String(value)}.`);
    return found as unknown as JsonSchema;
  };
  const schemas = {
    document: shallow(results, 'experiments'),
    experiment: shallow(experiment, 'results'),
    measured: shapeWhere('verified', true),
    failed: shapeWhere('verified', false),
    unavailable: shapeWhere('available', false),
  };
  const envelopes = new Map<number, JsonSchema>();

  /** The shape a result claims by its discriminating fields, so that its errors are about that shape alone. */
  const shapeOf = (result: unknown): JsonSchema => {
    const fields = (result ?? {}) as { available?: unknown; verified?: unknown };
    if (fields.available === false) return schemas.unavailable;
    if (fields.verified === false) return schemas.failed;
    return schemas.measured;
  };

  function listErrors(schema: JsonSchema, value: unknown, prefix: string, maxErrors: number): string[] {
    if (maxErrors <= 0) return [];
    const errors: string[] = [];
    const seen = new Set<string>();
    for (const error of checker.errors(schema, value)) {
      // The object-level summary repeats what the property-level error already says.
      if (error.keyword === 'additionalProperties' || error.keyword === 'propertyNames') continue;
      const path = `${prefix}${error.instancePath}`;
      const line = clip(`${path || '/'}: ${describe(error, valueAt(value, error.instancePath))}`, MAX_ERROR_CHARS);
      // One message per place: the first is the precise one.
      if (seen.has(path)) continue;
      seen.add(path);
      errors.push(line);
      if (errors.length >= maxErrors) break;
    }
    return errors;
  }

  function locateErrors(value: unknown, maxErrors: number): string[] {
    if (!checker.check(schemas.document, value)) return listErrors(schemas.document, value, '', maxErrors);
    const errors: string[] = [];
    for (const [index, item] of (value as { experiments: unknown[] }).experiments.entries()) {
      const path = `/experiments/${index}`;
      if (!checker.check(schemas.experiment, item)) {
        errors.push(...listErrors(schemas.experiment, item, path, maxErrors - errors.length));
      } else {
        for (const [resultIndex, result] of (item as { results: unknown[] }).results.entries()) {
          const shape = shapeOf(result);
          if (checker.check(shape, result)) continue;
          errors.push(...listErrors(shape, result, `${path}/results/${resultIndex}`, maxErrors - errors.length));
          if (errors.length >= maxErrors) break;
        }
      }
      if (errors.length >= maxErrors) break;
    }
    return errors;
  }

  return {
    validateResults(value, maxErrors = 8) {
      if (checker.check(resultsSchema, value)) return { ok: true, value: value as Results };
      const schemaId = (value as { schema?: unknown } | null)?.schema;
      if (typeof schemaId === 'string' && schemaId !== RESULTS_SCHEMA_ID) {
        return { ok: false, errors: [`Unsupported schema "${schemaId.slice(0, 80)}": this lab reads ${RESULTS_SCHEMA_ID}.`] };
      }
      const errors = locateErrors(value, Math.max(1, maxErrors));
      return { ok: false, errors: errors.length > 0 ? errors : ['The document does not match the results schema.'] };
    },
    comparisonEnvelopeErrors(value, maxRuns, maxErrors) {
      let envelope = envelopes.get(maxRuns);
      if (!envelope) {
        envelope = comparisonEnvelopeSchema(maxRuns);
        envelopes.set(maxRuns, envelope);
      }
      if (checker.check(envelope, value)) return [];
      return checker.errors(envelope, value).slice(0, Math.max(1, maxErrors)).map((error) => `${error.instancePath || '/'}: ${error.message}`);
    },
    maxExperiments: results.properties.experiments!.maxItems ?? Infinity,
    maxResultsPerExperiment: experiment.properties.results!.maxItems ?? Infinity,
  };
}

function describe(error: { keyword: string; message: string }, value: unknown): string {
  // JSON.parse reads 1e400 as Infinity: "must be number" would puzzle whoever looks at the file.
  if (typeof value === 'number' && !Number.isFinite(value)) return 'is not a finite number (too large to represent)';
  if (error.keyword === 'boolean' && error.message === 'schema is false') return 'is not part of the format';
  return error.message;
}

function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    if (node === null || typeof node !== 'object') return undefined;
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

function clip(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}
