import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { resultsJsonSchema } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { makeResults } from '../fixtures/make-results.ts';

const shipped = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../public/schema/results.v1.json'), 'utf8'));

/** An independent validator reading the shipped file, as anyone consuming the results would. */
function ajvValidate(doc: unknown): boolean {
  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv.validate(shipped, doc) as boolean;
}

describe('results schema v1', () => {
  it('the shipped JSON Schema is the one the code validates with (run `npm run schema` after changing it)', () => {
    expect(shipped).toEqual(resultsJsonSchema());
  });

  it('a well-formed document passes both the lab validator and an independent one', () => {
    const doc = makeResults();
    expect(validateResults(doc)).toEqual({ ok: true, value: doc });
    expect(ajvValidate(doc)).toBe(true);
  });

  type Mutation = [string, (doc: any) => void, RegExp];
  const mutations: Mutation[] = [
    ['wrong schema id', (d) => (d.schema = 'parallel-lab/results/v9'), /Unsupported schema "parallel-lab\/results\/v9"/],
    ['string where a number belongs', (d) => (d.experiments[0].results[0].medianMs = '12'), /medianMs/],
    ['negative sample', (d) => d.experiments[0].results[0].samplesMs.push(-1), /samplesMs/],
    ['unknown backend', (d) => (d.experiments[0].results[0].backend = 'quantum'), /backend/],
    ['unverified measurement', (d) => (d.experiments[0].results[0].verified = false), /verified|results/],
    ['extra property', (d) => (d.environment.extra = 1), /environment/],
    ['huge array', (d) => (d.experiments[0].results[0].samplesMs = new Array(20_000).fill(1)), /samplesMs/],
    ['unavailable without reason', (d) => delete d.experiments[0].results[2].reason, /results/],
  ];
  it.each(mutations)('rejects a document with %s, naming where', (_name, mutate, where) => {
    const doc = makeResults();
    mutate(doc);
    const outcome = validateResults(doc);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.errors.join('\n')).toMatch(where);
    expect(ajvValidate(doc)).toBe(false);
  });

  it('rejects a __proto__ key smuggled into params', () => {
    const doc = JSON.parse(JSON.stringify(makeResults()).replace('"params":{', '"params":{"__proto__":{"polluted":true},'));
    expect(Object.keys(doc.experiments[0].params)).toContain('__proto__');
    expect(validateResults(doc).ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
