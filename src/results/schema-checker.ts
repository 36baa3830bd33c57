/**
 * The one thing validation needs from a JSON Schema implementation: whether a value matches, and if not, the
 * errors. Both implementations are TypeBox's, so they judge alike and word their errors alike; they differ in
 * cost. The lab compiles each schema (fast on a 50 MB document); the standalone results element interprets
 * them, which needs a fraction of the code and no `new Function` (a host page's CSP may forbid it).
 */
import { Check, Compile, Errors, type XSchema } from 'typebox/schema';

/** A JSON Schema as a plain object: the shipped JSON file, or a TypeBox schema (which is one). */
export type JsonSchema = XSchema;

/** One validation error, as TypeBox reports it. */
export interface SchemaError {
  keyword: string;
  /** The place in the value, as a JSON pointer ('' for the value itself). */
  instancePath: string;
  message: string;
}

/** A JSON Schema implementation. */
export interface SchemaChecker {
  check(schema: JsonSchema, value: unknown): boolean;
  errors(schema: JsonSchema, value: unknown): readonly SchemaError[];
}

const errorsOf = (schema: JsonSchema, value: unknown): readonly SchemaError[] => Errors(schema, value)[1];

/** The lab's checker: each schema compiled once, on first use. */
export function compiledChecker(): SchemaChecker {
  const compiled = new WeakMap<object, { Check(value: unknown): boolean }>();
  return {
    check(schema, value) {
      if (typeof schema === 'boolean') return Check(schema, value);
      let validator = compiled.get(schema);
      if (!validator) {
        validator = Compile(schema);
        compiled.set(schema, validator);
      }
      return validator.Check(value);
    },
    errors: errorsOf,
  };
}

/** The results element's checker: schemas interpreted as they are read, nothing compiled. */
export const interpretedChecker: SchemaChecker = {
  check: (schema, value) => Check(schema, value),
  errors: errorsOf,
};
