/**
 * Runtime validation of results documents against the v1 schema, with messages a person can act on.
 * A valid document is checked in one pass (compiled, or interpreted in the page, whose policy allows no eval).
 * A refused one is then narrowed down level by level (document, experiment, result), each level checked with
 * its lists left opaque, so that listing the errors costs one small part of a large document rather than all
 * of it, and a result is reported against the one shape it claims to be (measured, failed or unavailable)
 * rather than against every branch of the union.
 */
import Type from 'typebox';
import Schema from 'typebox/schema';
import Value from 'typebox/value';
import { evalAllowed } from '../env/page-policy.ts';
import { RESULTS_SCHEMA_ID } from './documents.ts';
import {
  ExperimentSchema,
  FailedResultSchema,
  MeasuredResultSchema,
  ResultsSchema,
  UnavailableResultSchema,
  type Results,
} from './schema.ts';

/** A check's outcome: the value, typed, or the reasons it was refused. */
export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Longest error line quoted: a path through a 5 MB key must not become a 5 MB message. */
const MAX_ERROR_CHARS = 300;

type Checker = { schema: Type.TSchema; compiled: { Check(value: unknown): boolean } };
const checkers = new Map<string, Checker>();

/**
 * A compiled check is JavaScript made with `new Function`, which the lab's Content-Security-Policy refuses in
 * the page: there the schema is interpreted instead. Deciding from the policy, not by trying: TypeBox's own
 * test would call `new Function` once, and the browser report that as a violation.
 */
export const compileSchema: (schema: Type.TSchema) => { Check(value: unknown): boolean } = evalAllowed()
  ? (schema) => Schema.Compile(schema)
  : (schema) => ({ Check: (value) => Schema.Check(schema, value) });

function checker(name: string, make: () => Type.TSchema): Checker {
  let found = checkers.get(name);
  if (!found) {
    const schema = make();
    found = { schema, compiled: compileSchema(schema) };
    checkers.set(name, found);
  }
  return found;
}

/** The same object schema with one array property's items left unchecked (checked one by one afterwards). */
function shallow(schema: Type.TObject, key: string): Type.TSchema {
  const { maxItems } = schema.properties[key] as { maxItems?: number };
  return Type.Object(
    { ...schema.properties, [key]: Type.Array(Type.Unknown(), maxItems === undefined ? {} : { maxItems }) },
    { additionalProperties: false },
  );
}

const whole = () => checker('results', () => ResultsSchema);
const documentLevel = () => checker('document', () => shallow(ResultsSchema, 'experiments'));
const experimentLevel = () => checker('experiment', () => shallow(ExperimentSchema, 'results'));
const resultShapes = {
  measured: () => checker('measured', () => MeasuredResultSchema),
  failed: () => checker('failed', () => FailedResultSchema),
  unavailable: () => checker('unavailable', () => UnavailableResultSchema),
};

/** Check a parsed document; at most `maxErrors` messages, each naming the JSON path at fault. */
export function validateResults(value: unknown, maxErrors = 8): Validation<Results> {
  if (whole().compiled.Check(value)) return { ok: true, value: value as Results };
  const schemaId = (value as { schema?: unknown } | null)?.schema;
  if (typeof schemaId === 'string' && schemaId !== RESULTS_SCHEMA_ID) {
    return { ok: false, errors: [`Unsupported schema "${schemaId.slice(0, 80)}": this lab reads ${RESULTS_SCHEMA_ID}.`] };
  }
  const errors = locateErrors(value, Math.max(1, maxErrors));
  return { ok: false, errors: errors.length > 0 ? errors : ['The document does not match the results schema.'] };
}

function locateErrors(value: unknown, maxErrors: number): string[] {
  const top = documentLevel();
  if (!top.compiled.Check(value)) return listErrors(top.schema, value, '', maxErrors);
  const errors: string[] = [];
  for (const [index, experiment] of (value as { experiments: unknown[] }).experiments.entries()) {
    const path = `/experiments/${index}`;
    const level = experimentLevel();
    if (!level.compiled.Check(experiment)) {
      errors.push(...listErrors(level.schema, experiment, path, maxErrors - errors.length));
    } else {
      for (const [resultIndex, result] of (experiment as { results: unknown[] }).results.entries()) {
        const shape = shapeOf(result)();
        if (shape.compiled.Check(result)) continue;
        errors.push(...listErrors(shape.schema, result, `${path}/results/${resultIndex}`, maxErrors - errors.length));
        if (errors.length >= maxErrors) break;
      }
    }
    if (errors.length >= maxErrors) break;
  }
  return errors;
}

/** The shape a result claims by its discriminating fields, so that its errors are about that shape alone. */
function shapeOf(result: unknown): () => Checker {
  const fields = (result ?? {}) as { available?: unknown; verified?: unknown };
  if (fields.available === false) return resultShapes.unavailable;
  if (fields.verified === false) return resultShapes.failed;
  return resultShapes.measured;
}

function listErrors(schema: Type.TSchema, value: unknown, prefix: string, maxErrors: number): string[] {
  if (maxErrors <= 0) return [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
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
