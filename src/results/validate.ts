/**
 * The lab's validator of results documents: the v1 schema as TypeBox builds it, each level compiled on first
 * use. What it checks and how it words a refusal is in results-validator.ts, shared with the results element.
 */
import { createResultsValidator, type ResultsValidator, type Validation } from './results-validator.ts';
import { evalAllowed } from '../env/page-policy.ts';
import { compiledChecker, interpretedChecker } from './schema-checker.ts';
import { ResultsSchema, type Results } from './schema.ts';

export type { Validation } from './results-validator.ts';

let validator: ResultsValidator | undefined;

/** The validator, made on first use: compiling the schemas is work a page that never validates should not do. */
export function labValidator(): ResultsValidator {
  // Compiled checks are made with `new Function`, which the lab's Content-Security-Policy refuses in the page:
  // there the schemas are interpreted. Decided from the policy, not by trying (a refused try is a violation).
  validator ??= createResultsValidator(evalAllowed() ? compiledChecker() : interpretedChecker, ResultsSchema);
  return validator;
}

/** Check a parsed document; at most `maxErrors` messages, each naming the JSON path at fault. */
export function validateResults(value: unknown, maxErrors = 8): Validation<Results> {
  return labValidator().validateResults(value, maxErrors);
}
