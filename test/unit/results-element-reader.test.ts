/**
 * The results element reads with the lab's reader, but checks against the shipped JSON Schema with TypeBox's
 * interpreter instead of the lab's compiled schemas: it must accept and refuse the same documents, word for word.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { elementReader, readResultsValue, readShareLink } from '../../src/elements/element-reader.ts';
import { COMPARISON_SCHEMA_ID, makeComparison } from '../../src/results/documents.ts';
import { parseResultsText } from '../../src/results/import.ts';
import { comparisonEnvelopeSchema } from '../../src/results/results-validator.ts';
import type { Results } from '../../src/results/schema.ts';
import { decodeShareFragment, encodeShareFragment } from '../../src/results/share-link.ts';
import { makeResults, measuredResult } from '../fixtures/make-results.ts';

const EXAMPLE_TEXT = readFileSync(resolve(import.meta.dirname, '../../public/examples/example-results.json'), 'utf8');

/** A document with a lane sweep and a second experiment, so that errors can land at every level. */
function documentWithSweep(): Results {
  const doc = makeResults();
  doc.experiments[0]!.results.push(measuredResult('workers', 1, 20), measuredResult('workers', 4, 6));
  doc.experiments.push({ ...structuredClone(doc.experiments[0]!), id: 'array-add' });
  return doc;
}

type Edit = [string, (doc: any) => void];
const edits: Edit[] = [
  ['nothing changed', () => {}],
  ['a negative median', (d) => (d.experiments[0].results[0].medianMs = -1)],
  ['a median as text', (d) => (d.experiments[1].results[3].medianMs = '12')],
  ['an unknown backend', (d) => (d.experiments[0].results[0].backend = 'quantum')],
  ['a failed result without its error', (d) => delete d.experiments[0].results[1].error],
  ['an unavailable result without its reason', (d) => delete d.experiments[0].results[2].reason],
  ['a property the format lacks', (d) => (d.environment.extra = 1)],
  ['a date that is not one', (d) => (d.createdAt = 'yesterday')],
  ['a key of 81 characters', (d) => (d.experiments[0].params['k'.repeat(81)] = 1)],
  ['too many samples', (d) => (d.experiments[0].results[0].samplesMs = new Array(10_001).fill(1))],
  ['too many experiments', (d) => (d.experiments = new Array(101).fill(d.experiments[0]))],
  ['a missing environment', (d) => delete d.environment],
  ['errors in several places', (d) => {
    d.app.version = 7;
    d.experiments[0].results[0].ci95Ms = [1];
    d.experiments[1].preset = 'slow';
  }],
];

describe("the results element's reader", () => {
  it.each(edits)('agrees with the lab on a document with %s, in the same words', (_name, edit) => {
    const doc = documentWithSweep();
    edit(doc);
    const text = JSON.stringify(doc);
    expect(elementReader.parseResultsText(text)).toEqual(parseResultsText(text));
  });

  it.each(edits)('agrees with the lab on a comparison whose second run has %s', (_name, edit) => {
    const second = documentWithSweep();
    edit(second);
    const text = JSON.stringify(makeComparison([documentWithSweep(), second]));
    expect(elementReader.parseResultsText(text)).toEqual(parseResultsText(text));
  });

  it.each([
    ['the committed example', EXAMPLE_TEXT],
    ['text that is not JSON', '{"schema": "parallel-lab/results/v1", '],
    ['a web page', '<!doctype html><title>404</title>'],
    ['a hostile key', '{"schema":"parallel-lab/results/v1","__proto__":{"polluted":1}}'],
    ['nesting too deep', '['.repeat(40)],
    ['an unknown version', '{"schema":"parallel-lab/results/v2"}'],
    ['a comparison without runs', JSON.stringify({ schema: COMPARISON_SCHEMA_ID, createdAt: new Date().toISOString(), runs: [] })],
    ['a comparison with an extra field', JSON.stringify({ ...makeComparison([makeResults()]), note: 'x' })],
  ])('agrees with the lab on %s', (_name, text) => {
    expect(elementReader.parseResultsText(text)).toEqual(parseResultsText(text));
  });

  it('accepts the committed example', () => {
    expect(elementReader.parseResultsText(EXAMPLE_TEXT)).toMatchObject({ ok: true, kind: 'results' });
  });

  it('reads a share link, whole or as its fragment, and refuses a damaged one as the lab does', async () => {
    const doc = documentWithSweep();
    const made = await encodeShareFragment(doc);
    if (!made.ok) throw new Error(made.message);
    expect(await readShareLink(`https://lab.example/${made.fragment}`)).toEqual({ ok: true, kind: 'results', runs: [doc] });
    expect(await readShareLink(made.fragment)).toEqual({ ok: true, kind: 'results', runs: [doc] });
    const damaged = `${made.fragment.slice(0, 5)}${made.fragment[5] === '0' ? '1' : '0'}${made.fragment.slice(6)}`;
    expect(await readShareLink(damaged)).toEqual(await decodeShareFragment(damaged));
    expect(await readShareLink('https://lab.example/')).toEqual(await decodeShareFragment('https://lab.example/'));
  });

  it('checks an object handed to the results property as the same JSON in a file', () => {
    const doc = documentWithSweep();
    expect(readResultsValue(doc)).toEqual({ ok: true, kind: 'results', runs: [doc] });
    expect(readResultsValue(JSON.stringify(doc))).toEqual({ ok: true, kind: 'results', runs: [doc] });
    (doc.experiments[0]!.results[0] as { medianMs: number }).medianMs = -1;
    expect(readResultsValue(doc)).toEqual(parseResultsText(JSON.stringify(doc)));
    const cyclic: Record<string, unknown> = { schema: 'parallel-lab/results/v1' };
    cyclic.self = cyclic;
    expect(readResultsValue(cyclic)).toMatchObject({ ok: false, message: expect.stringMatching(/^These results are not plain JSON data: /) });
    expect(readResultsValue(() => 1)).toEqual({ ok: false, message: 'Nothing to read: the results are not JSON data.' });
    expect(readResultsValue(12)).toEqual(parseResultsText('12'));
  });
});

describe('the comparison envelope as plain JSON Schema', () => {
  it("is the schema TypeBox builds for a comparison's own fields", () => {
    const built = Type.Object(
      {
        schema: Type.Literal(COMPARISON_SCHEMA_ID),
        createdAt: Type.String({ format: 'date-time' }),
        runs: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 32 }),
      },
      { additionalProperties: false },
    );
    expect(comparisonEnvelopeSchema(32)).toEqual(JSON.parse(JSON.stringify(built)));
  });
});
