import { describe, expect, it } from 'vitest';
import { comparisonJsonSchema } from '../../src/results/comparison.ts';
import { COMPARISON_SCHEMA_ID } from '../../src/results/documents.ts';
import { parseResultsText, readResultsFile } from '../../src/results/import.ts';
import type { Results } from '../../src/results/schema.ts';
import { makeResults } from '../fixtures/make-results.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const comparisonOf = (...runs: Results[]) => ({ schema: COMPARISON_SCHEMA_ID, createdAt: new Date().toISOString(), runs });

/** A valid results document as text, with one change made to its parsed form. */
function mutated(change: (doc: any) => void): string {
  const doc = makeResults();
  change(doc);
  return JSON.stringify(doc);
}

function messageOf(text: string, options?: Parameters<typeof parseResultsText>[1]): string {
  const outcome = parseResultsText(text, options);
  expect(outcome.ok).toBe(false);
  return outcome.ok ? '' : outcome.message;
}

describe('parseResultsText', () => {
  it('reads a results document back with identical numbers', () => {
    const doc = makeResults();
    const outcome = parseResultsText(JSON.stringify(doc, null, 2));
    expect(outcome).toEqual({ ok: true, kind: 'results', runs: [doc] });
  });

  it('reads a comparison, each run validated, in order', () => {
    const runs = [makeResults(), makeResults(), makeResults()];
    runs[1]!.environment.browser = { name: 'firefox', version: '140.0' };
    const outcome = parseResultsText(JSON.stringify(comparisonOf(...runs)));
    expect(outcome).toEqual({ ok: true, kind: 'comparison', runs });
  });

  it('accepts a byte-order mark at the start (files saved by some editors)', () => {
    const doc = makeResults();
    expect(parseResultsText(`\ufeff${JSON.stringify(doc)}`)).toEqual({ ok: true, kind: 'results', runs: [doc] });
  });

  const valid = JSON.stringify(makeResults());
  type Hostile = [string, string, RegExp];
  const hostile: Hostile[] = [
    ['plain text', 'hello, results', /not valid JSON/],
    ['an HTML page', '<!doctype html><html><body>404</body></html>', /not valid JSON.*web page/s],
    ['truncated JSON', valid.slice(0, Math.floor(valid.length / 2)), /not valid JSON/],
    ['JSON cut by one character', valid.slice(0, -1), /not valid JSON/],
    ['an empty file', '  \n', /empty/],
    ['a JSON array', '[1,2,3]', /holds an array/],
    ['null', 'null', /holds null/],
    ['a number', '42', /holds a number/],
    ['a future results version', mutated((d) => (d.schema = 'parallel-lab/results/v2')), /Unknown schema "parallel-lab\/results\/v2".*newer version/],
    ['another format', mutated((d) => (d.schema = 'acme/bench/v1')), /Unknown schema "acme\/bench\/v1" \(this lab reads parallel-lab\/results\/v1 and parallel-lab\/comparison\/v1\)/],
    ['no schema field', mutated((d) => delete d.schema), /no "schema" field/],
    ['a schema field that is not text', mutated((d) => (d.schema = 1)), /"schema" field should be text/],
    ['a string where a number belongs', mutated((d) => (d.experiments[0].results[0].medianMs = '12')), /\/experiments\/0\/results\/0\/medianMs/],
    ['a huge samples array', mutated((d) => (d.experiments[0].results[0].samplesMs = new Array(20_000).fill(1))), /samplesMs/],
    ['a huge experiments array', mutated((d) => (d.experiments = new Array(5_000).fill(d.experiments[0]))), /\/experiments: must not have more than 100 items/],
    ['a huge results array', mutated((d) => (d.experiments[0].results = new Array(5_000).fill(d.experiments[0].results[2]))), /\/experiments\/0\/results: must not have more than 1000 items/],
    ['an unknown property', mutated((d) => (d.environment.extra = 1)), /\/environment\/extra: is not part of the format/],
    ['an unknown backend', mutated((d) => (d.experiments[0].results[0].backend = 'quantum')), /results\/0/],
  ];
  it.each(hostile)('refuses %s with a message naming what is wrong', (_name, text, expected) => {
    expect(messageOf(text)).toMatch(expected);
  });

  type Smuggled = [string, string];
  const smuggled: Smuggled[] = [
    ['__proto__ at the top', valid.replace('{', '{"__proto__":{"polluted":true},')],
    ['__proto__ deep in the adapter', valid.replace('"adapter":{', '"adapter":{"__proto__":{"polluted":true},')],
    ['__proto__ in an array element', valid.replace('"timeline":[{', '"timeline":[{"__proto__":{"polluted":true},')],
    ['__proto__ spelled with an escape', valid.replace('"params":{', '"params":{"\\u005f_proto__":{"polluted":true},')],
    ['constructor in params', valid.replace('"params":{', '"params":{"constructor":{"prototype":{"polluted":true}},')],
    ['prototype in params', valid.replace('"params":{', '"params":{"prototype":1,')],
  ];
  it.each(smuggled)('refuses %s as hostile, polluting nothing', (_name, text) => {
    expect(text).not.toBe(valid);
    expect(messageOf(text)).toMatch(/"(__proto__|constructor|prototype)" key.*hostile/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses oversized text before parsing it', () => {
    const huge = `{"schema":"parallel-lab/results/v1","pad":"${'x'.repeat(51 * 1024 * 1024)}"}`;
    expect(messageOf(huge)).toMatch(/too large.*51\.0 MB.*up to 50\.0 MB/);
    expect(messageOf(valid, { maxChars: 1_000 })).toMatch(/too large/);
  });

  it('refuses JSON nested far too deeply without throwing', () => {
    const depth = 200_000;
    expect(messageOf(`${'['.repeat(depth)}${']'.repeat(depth)}`)).toMatch(/nested too deeply|holds an array/);
    expect(messageOf(`{"schema":"parallel-lab/results/v1","app":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`)).toMatch(
      /nested too deeply|does not match/,
    );
  });

  it('quotes at most maxErrors schema errors, each with its JSON path', () => {
    const text = mutated((d) => {
      for (const r of d.experiments[0].results) r.backend = 'quantum';
      d.environment.hardwareConcurrency = -1;
      d.createdAt = 'yesterday';
    });
    const message = messageOf(text, { maxErrors: 2 });
    expect(message).toMatch(/^This document does not match parallel-lab\/results\/v1/);
    const lines = message.split('\n').slice(1);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^ {2}(\/\S*|\(top level\)): /);
  });

  describe('comparisons', () => {
    it('refuses more runs than the cap', () => {
      const text = JSON.stringify(comparisonOf(makeResults(), makeResults(), makeResults()));
      expect(messageOf(text, { maxRuns: 2 })).toMatch(/\/runs: must not have more than 2 items/);
    });

    it('names the run at fault', () => {
      const bad = makeResults() as any;
      bad.experiments[0].results[0].medianMs = -5;
      expect(messageOf(JSON.stringify(comparisonOf(makeResults(), bad)))).toMatch(
        /comparison\/v1[\s\S]*\/runs\/1\/experiments\/0\/results\/0\/medianMs/,
      );
    });

    it('names a run of an unknown schema', () => {
      const bad = { ...makeResults(), schema: 'parallel-lab/results/v7' };
      expect(messageOf(JSON.stringify(comparisonOf(makeResults(), bad as any)))).toMatch(/\/runs\/1: Unsupported schema/);
    });

    type Envelope = [string, unknown, RegExp];
    const envelopes: Envelope[] = [
      ['no runs', { schema: COMPARISON_SCHEMA_ID, createdAt: new Date().toISOString(), runs: [] }, /\/runs/],
      ['runs that are not an array', { schema: COMPARISON_SCHEMA_ID, createdAt: new Date().toISOString(), runs: {} }, /\/runs/],
      ['a bad date', { ...comparisonOf(makeResults()), createdAt: 'soon' }, /\/createdAt/],
      ['an extra field', { ...comparisonOf(makeResults()), extra: true }, /\/extra: is not part of the format/],
    ];
    it.each(envelopes)('refuses a comparison with %s', (_name, doc, expected) => {
      expect(messageOf(JSON.stringify(doc))).toMatch(expected);
    });
  });

  it('never throws, whatever the text', () => {
    const inputs: unknown[] = [undefined, null, 42, {}, '\u0000', '"\\ud800"', '{"schema":', '1e999'];
    for (let i = 0; i < 300; i++) {
      const at = Math.floor(Math.random() * valid.length);
      const junk = String.fromCharCode(Math.floor(Math.random() * 128));
      inputs.push(valid.slice(0, at) + junk + valid.slice(at + 1));
    }
    for (const input of inputs) {
      const outcome = parseResultsText(input as string);
      expect(typeof outcome.ok).toBe('boolean');
      if (!outcome.ok) expect(outcome.message.length).toBeGreaterThan(10);
    }
  });
});

describe('readResultsFile', () => {
  it('reads a Blob', async () => {
    const doc = makeResults();
    expect(await readResultsFile(new Blob([JSON.stringify(doc)]))).toEqual({ ok: true, kind: 'results', runs: [doc] });
  });

  it('refuses an oversized file without reading it', async () => {
    const file = { size: 3 * 1024 ** 3, text: () => Promise.reject(new Error('must not be read')) } as unknown as Blob;
    const outcome = await readResultsFile(file);
    expect(outcome).toEqual({ ok: false, message: expect.stringMatching(/too large.*3072\.0 MB/) });
  });

  it('reports a read failure as a message', async () => {
    const file = { size: 10, text: () => Promise.reject(new Error('NotReadableError')) } as unknown as Blob;
    expect(await readResultsFile(file)).toEqual({ ok: false, message: expect.stringMatching(/could not be read: NotReadableError/) });
  });
});

describe('comparison schema', () => {
  it('ships the JSON Schema the code validates with (run `npm run schema` after changing it)', () => {
    const shipped = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../public/schema/comparison.v1.json'), 'utf8'));
    expect(shipped).toEqual(comparisonJsonSchema());
  });
});
