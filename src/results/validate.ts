/**
 * The lab's validator of results documents: the v1 schema as TypeBox builds it, each level compiled on first
 * use. What it checks and how it words a refusal is in results-validator.ts, shared with the results element.
 */
import { createResultsValidator, type ResultsValidator, type Validation } from './results-validator.ts';
import { compiledChecker } from './schema-checker.ts';
import { ResultsSchema, type Results } from './schema.ts';

export type { Validation } from './results-validator.ts';

let validator: ResultsValidator | undefined;

/** The validator, made on first use: compiling the schemas is work a page that never validates should not do. */
export function labValidator(): ResultsValidator {
  validator ??= createResultsValidator(compiledChecker(), ResultsSchema);
  return validator;
}

/** Check a parsed document; at most `maxErrors` messages, each naming the JSON path at fault. */
export function validateResults(value: unknown, maxErrors = 8): Validation<Results> {
  return labValidator().validateResults(value, maxErrors);
}
