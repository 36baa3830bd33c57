/** Hostile or malformed documents: refused fast, with one precise message each, and caps the shipped schema shares. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { scanJson } from '../../src/results/json-scan.ts';
import { parseResultsText, readResultsFile } from '../../src/results/import.ts';
import { validateResults } from '../../src/results/validate.ts';
import { makeResults, measuredResult } from '../fixtures/make-results.ts';

const shipped = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../public/schema/results.v1.json'), 'utf8'));

function ajvValidate(doc: unknown): boolean {
  const ajv = new Ajv({ allErrors: false, strict: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv.validate(shipped, doc) as boolean;
}

function timed<T>(work: () => T): { value: T; elapsedMs: number } {
  const start = performance.now();
  const value = work();
  return { value, elapsedMs: performance.now() - start };
}

function refusal(text: string): { message: string; elapsedMs: number } {
  const { value, elapsedMs } = timed(() => parseResultsText(text));
  expect(value.ok).toBe(false);
  return { message: value.ok ? '' : value.message, elapsedMs };
}

describe('bounded parsing', () => {
  it('refuses millions of nested brackets before parsing them, in well under a second', () => {
    const depth = 8 * 1024 * 1024 + Math.floor(Math.random() * 1000);
    const { message, elapsedMs } = refusal('['.repeat(depth) + ']'.repeat(depth));
    expect(message).toMatch(/nested too deeply.*refused before reading/);
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('refuses millions of values in a field no document has, in well under a second', () => {
    const count = 9_000_000 + Math.floor(Math.random() * 1000);
    const text = `{"schema":"parallel-lab/results/v1","padding":[${'0,'.repeat(count)}0]}`;
    const { message, elapsedMs } = refusal(text);
    expect(message).toMatch(/more than 8,000,000 values/);
    expect(elapsedMs).toBeLessThan(2000);
  });

  it('finds prototype keys however they are escaped, and only as keys', () => {
    expect(scanJson('{"a":{"\\u005f_proto__":1}}')).toEqual({ kind: 'forbidden-key', key: '__proto__' });
    expect(scanJson('{"a" :\n {"constructor" : 1}}')).toEqual({ kind: 'forbidden-key', key: 'constructor' });
    expect(scanJson('{"note":"prototype","x":"\\"constructor\\""}')).toBeNull();
    const doc = makeResults();
    (doc.experiments[0]!.results[0] as { check?: string }).check = 'constructor';
    expect(parseResultsText(JSON.stringify(doc)).ok).toBe(true);
  });

  it('counts nesting outside strings only', () => {
    expect(scanJson(JSON.stringify({ text: '['.repeat(100) + '\\"' + '{'.repeat(100) }))).toBeNull();
  });
});

describe('refusals of large documents are fast', () => {
  it('a document at the size limits with one bad field at its end is refused in a few times what JSON.parse takes (it was 25 times), naming the field', () => {
    // The validators compile on first use: do that before timing.
    const small = makeResults();
    (small.experiments[0]!.results[0] as { ciCoverage: number }).ciCoverage = -1;
    expect(parseResultsText(JSON.stringify(small)).ok).toBe(false);
    const doc = makeResults();
    const experiment = doc.experiments[0]!;
    const results = Array.from({ length: 1000 }, (_, i) => measuredResult('workers', 1 + (i % 64), 10 + Math.random()));
    doc.experiments = Array.from({ length: 100 }, () => ({ ...experiment, results }));
    doc.experiments[99] = { ...experiment, results: [...results.slice(0, 999), { ...results[999]!, ciCoverage: -Math.random() - 0.1 }] };
    const text = JSON.stringify(doc);
    expect(text.length).toBeGreaterThan(10_000_000);
    // Against the unavoidable floor, parsing the same text, so that a machine under load does not fail it.
    const parseMs = Math.min(timed(() => JSON.parse(text)).elapsedMs, timed(() => JSON.parse(text)).elapsedMs);
    const { message, elapsedMs } = refusal(text);
    expect(message).toMatch(/\/experiments\/99\/results\/999\/ciCoverage/);
    expect(elapsedMs).toBeLessThan(4 * parseMs + 1000);
  });
});

describe('one precise message per error', () => {
  it('a negative median gives one line, about the median, not about the other shapes a result may take', () => {
    const doc = makeResults();
    (doc.experiments[0]!.results[0] as { medianMs: number }).medianMs = -1 - Math.random();
    const { message } = refusal(JSON.stringify(doc));
    const lines = message.split('\n').slice(1);
    expect(lines).toEqual(['  /experiments/0/results/0/medianMs: must be >= 0']);
  });

  it('a failed result is judged as a failed result', () => {
    const doc = makeResults();
    (doc.experiments[0]!.results[1] as { error?: unknown }).error = 42;
    const lines = refusal(JSON.stringify(doc)).message.split('\n').slice(1);
    expect(lines).toEqual(['  /experiments/0/results/1/error: must be string']);
  });

  it('1e400 is "not a finite number", not "must be number"', () => {
    const text = JSON.stringify(makeResults()).replace(/"medianMs":[0-9.]+/, '"medianMs":1e400');
    expect(refusal(text).message).toMatch(/\/experiments\/0\/results\/0\/medianMs: is not a finite number/);
  });

  it('a UTF-16 file is named as such, with what to do', async () => {
    const json = JSON.stringify(makeResults());
    for (const littleEndian of [true, false]) {
      const bytes = new Uint8Array(2 + json.length * 2);
      const view = new DataView(bytes.buffer);
      view.setUint16(0, 0xfeff, littleEndian);
      for (let i = 0; i < json.length; i++) view.setUint16(2 + 2 * i, json.charCodeAt(i), littleEndian);
      const outcome = await readResultsFile(new Blob([bytes]));
      expect(outcome).toEqual({ ok: false, message: expect.stringMatching(/UTF-16.*Save it again as UTF-8/) });
    }
  });

  it('an error line through a huge key stays short', () => {
    const doc = makeResults() as any;
    doc.experiments[0].params['k'.repeat(100_000)] = 1;
    const outcome = validateResults(doc);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) for (const line of outcome.errors) expect(line.length).toBeLessThan(400);
  });
});

describe('record keys are capped at 80 characters, in the validator and in the shipped schema', () => {
  const places: Array<[string, (doc: any, key: string) => void]> = [
    ['params', (d, k) => (d.experiments[0].params[k] = 1)],
    ['amdahl', (d, k) => (d.experiments[0].amdahl[k] = d.experiments[0].amdahl.workers)],
    ['derived', (d, k) => (d.experiments[0].derived = { [k]: null })],
    ['adapter', (d, k) => (d.environment.webgpu.adapter[k] = 'x')],
    ['runner', (d, k) => (d.environment.runner = { [k]: true })],
  ];
  it.each(places)('%s: 80 characters pass, 81 do not', (_name, put) => {
    const fits = makeResults();
    put(fits, 'k'.repeat(80));
    expect(validateResults(fits).ok).toBe(true);
    expect(ajvValidate(fits)).toBe(true);
    const over = makeResults();
    put(over, 'k'.repeat(81 + Math.floor(Math.random() * 5_000_000)));
    expect(validateResults(over).ok).toBe(false);
    expect(ajvValidate(over)).toBe(false);
  });
});
