import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/results/comparison.ts';
import { COMPARISON_SCHEMA_ID } from '../../src/results/documents.ts';
import { CSV_COLUMNS, csvCell, fileNameFor, toCsv, toJson } from '../../src/results/export.ts';
import { parseResultsText } from '../../src/results/import.ts';
import type { MeasuredResult, Results } from '../../src/results/schema.ts';
import { makeResults } from '../fixtures/make-results.ts';

/** An independent RFC 4180 reader, strict about quotes, to check what toCsv writes. */
function parseCsv(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"' && cell === '') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') (cell += '"'), (i += 2);
        else if (text[i] === '"') break;
        else if (i >= text.length) throw new Error('unterminated quote');
        else cell += text[i++];
      }
      i++;
      if (i < text.length && text[i] !== ',' && text[i] !== '\r') throw new Error(`junk after quote at ${i}`);
    } else if (text[i] === ',') (row.push(cell), (cell = ''), i++);
    else if (text[i] === '\r' && text[i + 1] === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''), (i += 2));
    else if (text[i] === '"' || text[i] === '\n' || text[i] === '\r') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
    else cell += text[i++];
  }
  return rows;
}

function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  expect(header).toEqual([...CSV_COLUMNS]);
  for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])));
}

function withMeasured(doc: Results, count: number): Results {
  const template = doc.experiments[0]!.results[0] as MeasuredResult;
  for (let i = 0; i < count; i++) {
    const medianMs = Math.random() * 1e3;
    doc.experiments[0]!.results.push({
      ...template,
      backend: 'shared-memory',
      workers: 1 + i,
      size: Math.random() * 1e9,
      variant: `v${i}`,
      medianMs,
      ci95Ms: [medianMs * Math.random(), medianMs / Math.random()],
      speedup: Math.random() * 8,
      gbPerSecond: Math.random() * 1e-7,
      gflops: Math.random() * 1e12,
      compileMs: Math.random(),
      samplesMs: Array.from({ length: 1 + i }, () => Math.random()),
    });
  }
  return doc;
}

describe('toJson', () => {
  it('writes pretty JSON in the key order produced, which reads back identical', () => {
    const doc = makeResults();
    const json = toJson(doc);
    expect(json).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    expect(parseResultsText(json)).toEqual({ ok: true, kind: 'results', runs: [doc] });
  });

  it('writes a comparison that reads back identical', () => {
    const comparison: Comparison = { schema: COMPARISON_SCHEMA_ID, createdAt: new Date().toISOString(), runs: [makeResults(), makeResults()] };
    expect(parseResultsText(toJson(comparison))).toEqual({ ok: true, kind: 'comparison', runs: comparison.runs });
  });
});

describe('toCsv', () => {
  it('writes one row per result with every number identical when read back', () => {
    const doc = withMeasured(makeResults(), 20);
    const records = csvRecords(toCsv(doc));
    const results = doc.experiments[0]!.results;
    expect(records).toHaveLength(results.length);
    for (const [i, result] of results.entries()) {
      const record = records[i]!;
      expect(record.browser).toBe('chromium 156.0.1.2');
      expect(record.experiment).toBe('cpu-heavy');
      expect(record.backend).toBe(result.backend);
      if (!result.available) {
        expect(record).toMatchObject({ status: 'unavailable', errorOrReason: result.reason, verified: '', medianMs: '' });
      } else if (!result.verified) {
        expect(record).toMatchObject({ status: 'failed', verified: 'false', errorOrReason: result.error, samples: '0' });
      } else {
        expect(record.status).toBe('measured');
        expect(record.verified).toBe('true');
        expect(Number(record.workers)).toBe(result.workers);
        expect(Number(record.medianMs)).toBe(result.medianMs);
        expect(Number(record.ci95LowMs)).toBe(result.ci95Ms[0]);
        expect(Number(record.ci95HighMs)).toBe(result.ci95Ms[1]);
        expect(Number(record.speedup)).toBe(result.speedup);
        expect(Number(record.samples)).toBe(result.samplesMs.length);
        for (const key of ['size', 'gbPerSecond', 'gflops', 'compileMs'] as const) {
          expect(record[key]).toBe(result[key] === undefined ? '' : String(result[key]));
          if (result[key] !== undefined) expect(Number(record[key])).toBe(result[key]);
        }
        expect(record.variant).toBe(result.variant ?? '');
      }
    }
  });

  it('writes the rows of every run of a comparison, and an experiment that failed outright', () => {
    const firefox = makeResults();
    firefox.environment.browser = { name: 'firefox', version: '140.0' };
    firefox.experiments[0]!.error = 'Out of memory';
    const records = csvRecords(toCsv({ schema: COMPARISON_SCHEMA_ID, createdAt: new Date().toISOString(), runs: [makeResults(), firefox] }));
    expect(records.map((r) => r.browser)).toEqual([...Array(3).fill('chromium 156.0.1.2'), ...Array(4).fill('firefox 140.0')]);
    expect(records.at(-1)).toMatchObject({ experiment: 'cpu-heavy', backend: '', status: 'failed', errorOrReason: 'Out of memory' });
  });

  type Awkward = [string, string];
  const awkward: Awkward[] = [
    ['a comma', 'GPU lost, retry'],
    ['quotes', 'said "no"'],
    ['a newline', 'line one\nline two'],
    ['a CRLF', 'line one\r\nline two'],
    ['only a quote', '"'],
    ['non-ASCII text', 'Größe überschritten — 大きすぎる'],
  ];
  it.each(awkward)('quotes text with %s so it reads back exactly', (_name, text) => {
    const doc = makeResults();
    doc.experiments[0]!.results[2] = { backend: 'webgpu', available: false, reason: text };
    const records = csvRecords(toCsv(doc));
    expect(records[2]!.errorOrReason).toBe(text);
  });

  type Injection = [string, string];
  const injections: Injection[] = [
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['=1+1', "'=1+1"],
    ['+SUM(A1:A9)', "'+SUM(A1:A9)"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['-', "'-"],
    ['-1.5', '-1.5'],
    ['+7', '+7'],
    ['-3e-7', '-3e-7'],
    ['a=b', 'a=b'],
    ['', ''],
  ];
  it.each(injections)('guards %j against formula injection as %j', (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });

  it('writes numbers as they are, negative ones included', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(1e-7)).toBe('1e-7');
    expect(csvCell(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  it('guards a hostile reason inside a whole document', () => {
    const doc = makeResults();
    doc.experiments[0]!.results[2] = { backend: 'webgpu', available: false, reason: '=cmd|"/c calc"!A0' };
    expect(csvRecords(toCsv(doc))[2]!.errorOrReason).toBe(`'=cmd|"/c calc"!A0`);
  });
});

describe('fileNameFor', () => {
  const at = (doc: Results, createdAt: string, name: string, version: string): Results => {
    doc.createdAt = createdAt;
    doc.environment.browser = { name, version };
    return doc;
  };

  type Case = [string, string, string, string, string];
  const cases: Case[] = [
    ['2026-11-25T06:40:12.345Z', 'chromium', '156.0.1.2', 'json', 'parallel-lab-chromium-156-2026-11-25T06-40.json'],
    ['2026-11-25T06:40:12.345Z', 'chromium', '156.0.1.2', '.CSV', 'parallel-lab-chromium-156-2026-11-25T06-40.csv'],
    ['2026-01-02T23:59:59+02:00', 'Mobile Safari', '17.4', 'json', 'parallel-lab-mobile-safari-17-2026-01-02T21-59.json'],
    ['2026-01-02T03:04:05Z', '../../etc/passwd', '', 'json', 'parallel-lab-etc-passwd-2026-01-02T03-04.json'],
    ['2026-01-02T03:04:05Z', '', '?', '', 'parallel-lab-browser-2026-01-02T03-04.json'],
  ];
  it.each(cases)('names a run of %s by %s %s (.%s) as %s', (createdAt, name, version, ext, expected) => {
    expect(fileNameFor(at(makeResults(), createdAt, name, version), ext)).toBe(expected);
  });

  it('names the browsers of a comparison', () => {
    const runs = [at(makeResults(), '2026-11-25T06:40:00Z', 'chromium', '156.0'), at(makeResults(), '2026-11-25T06:41:00Z', 'firefox', '140.0esr')];
    const comparison: Comparison = { schema: COMPARISON_SCHEMA_ID, createdAt: '2026-11-25T06:42:00Z', runs };
    expect(fileNameFor(comparison, 'json')).toBe('parallel-lab-chromium-156-vs-firefox-140-2026-11-25T06-42.json');
    comparison.runs = [...runs, ...runs];
    expect(fileNameFor(comparison, 'csv')).toBe('parallel-lab-comparison-4-runs-2026-11-25T06-42.csv');
  });
});
