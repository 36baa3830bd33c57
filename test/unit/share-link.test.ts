import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/results/comparison.ts';
import { COMPARISON_SCHEMA_ID } from '../../src/results/documents.ts';
import type { MeasuredResult, Results } from '../../src/results/schema.ts';
import {
  decodeShareFragment,
  encodeShareFragment,
  experimentAnchorOf,
  hasShareFragment,
  makeShareUrl,
  withExperimentAnchor,
  withoutTimelines,
} from '../../src/results/share-link.ts';
import { makeResults } from '../fixtures/make-results.ts';

/** A results document with long random timelines, as a real suite run has. */
function withTimelines(doc: Results, bars = 2_000): Results {
  const measured = doc.experiments[0]!.results[0] as MeasuredResult;
  measured.timeline = Array.from({ length: bars }, (_, task) => {
    const startMs = Math.random() * 100;
    return { lane: task % 4, task, startMs, endMs: startMs + Math.random() };
  });
  measured.setupTimeline = [{ lane: 0, startMs: 0, endMs: Math.random(), phase: 'compile' }];
  return doc;
}

async function fragmentOf(document: Results | Comparison): Promise<string> {
  const made = await encodeShareFragment(document);
  if (!made.ok) throw new Error(made.message);
  return made.fragment;
}

async function deflateRaw(text: string): Promise<string> {
  const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return Buffer.from(bytes).toString('base64url');
}

async function failure(link: string, options?: Parameters<typeof decodeShareFragment>[1]): Promise<string> {
  const outcome = await decodeShareFragment(link, options);
  expect(outcome.ok).toBe(false);
  return outcome.ok ? '' : outcome.message;
}

describe('share links', () => {
  it('round-trip a results document with identical numbers', async () => {
    const doc = withTimelines(makeResults());
    const made = await encodeShareFragment(doc);
    expect(made).toMatchObject({ ok: true, droppedTimelines: false });
    if (!made.ok) return;
    expect(made.fragment).toMatch(/^#r=2\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(made.fragmentChars).toBe(made.fragment.length);
    expect(made.jsonChars).toBe(JSON.stringify(doc).length);
    expect(made.fragmentChars).toBeLessThan(made.jsonChars);
    expect(await decodeShareFragment(made.fragment)).toEqual({ ok: true, kind: 'results', runs: [doc] });
  });

  it('round-trip a comparison', async () => {
    const comparison: Comparison = { schema: COMPARISON_SCHEMA_ID, createdAt: new Date().toISOString(), runs: [makeResults(), makeResults()] };
    expect(await decodeShareFragment(await fragmentOf(comparison))).toEqual({ ok: true, kind: 'comparison', runs: comparison.runs });
  });

  it('make a full URL, replacing any fragment the page had, and read it back from the URL or its hash', async () => {
    const doc = makeResults();
    const made = await makeShareUrl('https://lab.example/app/?x=1#old', doc);
    if (!made.ok) throw new Error(made.message);
    expect(made.url.startsWith('https://lab.example/app/?x=1#r=2.')).toBe(true);
    expect(made.urlChars).toBe(made.url.length);
    expect(hasShareFragment(made.url)).toBe(true);
    expect(hasShareFragment(new URL(made.url).hash)).toBe(true);
    expect(hasShareFragment('#old')).toBe(false);
    expect(hasShareFragment('')).toBe(false);
    for (const form of [made.url, new URL(made.url).hash, new URL(made.url).hash.slice(1), `#theme=dark&${made.fragment.slice(1)}`]) {
      expect(await decodeShareFragment(form)).toEqual({ ok: true, kind: 'results', runs: [doc] });
    }
  });

  it('carry the experiment to open at, and still read back the same results', async () => {
    const doc = makeResults();
    const made = await makeShareUrl('https://lab.example/app/', doc);
    if (!made.ok) throw new Error(made.message);
    const deep = withExperimentAnchor(made.url, 'cpu-heavy');
    expect(deep).toBe(`${made.url}&e=cpu-heavy`);
    expect(experimentAnchorOf(deep)).toBe('cpu-heavy');
    expect(await decodeShareFragment(deep)).toEqual({ ok: true, kind: 'results', runs: [doc] });
    expect(withExperimentAnchor(made.url, null)).toBe(made.url);
    expect(withExperimentAnchor(made.url, 'r=1.x')).toBe(made.url);
    expect(experimentAnchorOf('#dot-product')).toBe('dot-product');
    expect(experimentAnchorOf(made.url)).toBeNull();
    expect(experimentAnchorOf('#<img>')).toBeNull();
    expect(experimentAnchorOf('')).toBeNull();
  });

  it('survive a link wrapped with whitespace by a mail or chat app', async () => {
    const doc = makeResults();
    const fragment = await fragmentOf(doc);
    const wrapped = fragment.replace(/(.{60})/g, '$1\n  ');
    expect(await decodeShareFragment(wrapped)).toEqual({ ok: true, kind: 'results', runs: [doc] });
  });

  it('can leave out timelines, keeping every sample and not touching the original', async () => {
    const doc = withTimelines(makeResults(), 20_000);
    const snapshot = structuredClone(doc);
    const full = await encodeShareFragment(doc);
    const slim = await encodeShareFragment(doc, { dropTimelines: true });
    expect(doc).toEqual(snapshot);
    if (!full.ok || !slim.ok) throw new Error('no link');
    expect(slim.droppedTimelines).toBe(true);
    expect(slim.fragmentChars).toBeLessThan(full.fragmentChars / 5);
    const outcome = await decodeShareFragment(slim.fragment);
    if (!outcome.ok) throw new Error(outcome.message);
    const measured = outcome.runs[0]!.experiments[0]!.results[0] as MeasuredResult;
    const original = doc.experiments[0]!.results[0] as MeasuredResult;
    expect(measured.timeline).toEqual([]);
    expect(measured.setupTimeline).toBeUndefined();
    expect(measured.samplesMs).toEqual(original.samplesMs);
    expect({ ...measured, timeline: original.timeline, setupTimeline: original.setupTimeline }).toEqual(original);
    expect(outcome.runs[0]).toEqual(withoutTimelines(doc));
  });

  it('refuse to make a link over the limit, suggesting a file', async () => {
    const doc = withTimelines(makeResults());
    const made = await encodeShareFragment(doc, { maxFragmentChars: 200 });
    expect(made).toEqual({ ok: false, message: expect.stringMatching(/would be [\d,]+ characters, over the 200 .*export them as a file instead, or make the link without task timelines/) });
    const slim = await encodeShareFragment(doc, { maxFragmentChars: 200, dropTimelines: true });
    expect(slim.ok ? '' : slim.message).not.toMatch(/without task timelines/);
  });

  it('refuse to make a link from an invalid document', async () => {
    const doc = makeResults() as any;
    doc.experiments[0].results[0].medianMs = -1;
    expect(await encodeShareFragment(doc)).toEqual({ ok: false, message: expect.stringMatching(/cannot be shared.*medianMs/s) });
  });
});

describe('damaged share links', () => {
  it('a link cut short says so', async () => {
    const fragment = await fragmentOf(withTimelines(makeResults()));
    for (const keep of [0.25, 0.5, 0.9, 0.99]) {
      const cut = fragment.slice(0, Math.floor(fragment.length * keep));
      expect(await failure(cut)).toMatch(/^This share link is damaged or incomplete: /);
    }
  });

  it('a link with altered characters never throws, and is refused or decodes to the very same document', async () => {
    const doc = withTimelines(makeResults(), 200);
    const fragment = await fragmentOf(doc);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let trial = 0; trial < 100; trial++) {
      const chars = [...fragment];
      for (let k = 0; k < 3; k++) {
        const at = 5 + Math.floor(Math.random() * (chars.length - 5));
        chars[at] = alphabet[Math.floor(Math.random() * alphabet.length)]!;
      }
      const outcome = await decodeShareFragment(chars.join(''));
      // A change can, very rarely, land on bits deflate ignores: then the results must be intact.
      if (outcome.ok) expect(outcome.runs).toEqual([doc]);
      else expect(outcome.message).toMatch(/damaged|cannot read/);
    }
  });

  type Broken = [string, string, RegExp];
  const broken: Broken[] = [
    ['no results part', '#theme=dark', /holds no shared results/],
    ['no data', '#r=1.', /damaged or incomplete: it carries no data/],
    ['no format number', '#r=abcdef', /damaged or incomplete: it does not start with a link format number/],
    ['a newer format', '#r=3.abcdef', /newer version of Parallel Lab \(link format 3; this version reads formats 1 and 2\)/],
    ['no checksum', '#r=2.abcdef', /damaged or incomplete: its checksum is missing or altered/],
    ['an altered checksum', '#r=2.0000000g.abcdef', /damaged or incomplete: its checksum is missing or altered/],
    ['characters outside base64url', '#r=1.abc+def/', /damaged or incomplete: it contains characters/],
    ['a length no base64 has', '#r=1.abcde', /damaged or incomplete: it was cut short/],
    ['bytes that are not deflate', `#r=1.${Buffer.from('not compressed at all, just text').toString('base64url')}`, /damaged or incomplete/],
  ];
  it.each(broken)('a link with %s gives a clear message', async (_name, link, expected) => {
    expect(await failure(link)).toMatch(expected);
  });

  it('a single changed character in a checked link is refused or decodes to the very same document', async () => {
    const doc = withTimelines(makeResults(), 50);
    const fragment = await fragmentOf(doc);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const prefix = '#r=2.'.length;
    let refused = 0;
    for (let trial = 0; trial < 300; trial++) {
      const at = prefix + Math.floor(Math.random() * (fragment.length - prefix));
      const replacement = alphabet[Math.floor(Math.random() * alphabet.length)]!;
      if (replacement === fragment[at] || fragment[at] === '.') continue;
      const outcome = await decodeShareFragment(fragment.slice(0, at) + replacement + fragment.slice(at + 1));
      if (outcome.ok) expect(outcome.runs).toEqual([doc]);
      else refused++;
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('old links (format 1, no checksum) are still read', async () => {
    const doc = makeResults();
    expect(await decodeShareFragment(`#r=1.${await deflateRaw(JSON.stringify(doc))}`)).toEqual({ ok: true, kind: 'results', runs: [doc] });
  });

  it('a checked link whose content was re-made with other numbers fails its checksum', async () => {
    const doc = makeResults();
    const fragment = await fragmentOf(doc);
    const crc = fragment.split('.')[1]!;
    const other = JSON.stringify({ ...doc, createdAt: new Date(Date.now() + 1000).toISOString() });
    expect(await failure(`#r=2.${crc}.${await deflateRaw(other)}`)).toMatch(/does not match its checksum/);
  });

  it('compressed text that is not JSON is damage', async () => {
    expect(await failure(`#r=1.${await deflateRaw('{"schema": "parallel-lab/results/v1", "app"')}`)).toMatch(
      /damaged or incomplete: This is not valid JSON/,
    );
  });

  it('compressed bytes that are not UTF-8 are damage', async () => {
    const stream = new Blob([new Uint8Array([0xff, 0xfe, 0x80, 0x81])]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    const payload = Buffer.from(await new Response(stream).arrayBuffer()).toString('base64url');
    expect(await failure(`#r=1.${payload}`)).toMatch(/damaged or incomplete: its content is not text/);
  });

  it('a link goes through the same checks as a file: schema, prototype keys', async () => {
    const doc = JSON.stringify(makeResults());
    expect(await failure(`#r=1.${await deflateRaw(doc.replace('results/v1', 'results/v9'))}`)).toMatch(
      /cannot read.*Unknown schema "parallel-lab\/results\/v9"/,
    );
    const hostile = doc.replace('"params":{', '"params":{"__proto__":{"polluted":true},');
    expect(await failure(`#r=1.${await deflateRaw(hostile)}`)).toMatch(/"__proto__" key.*hostile/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a small link that inflates past the size limit is refused without inflating it all', async () => {
    const bomb = await deflateRaw(' '.repeat(8 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20_000);
    expect(await failure(`#r=1.${bomb}`, { maxChars: 1024 * 1024 })).toMatch(/expands to more than 1,048,576 bytes/);
  });
});

describe('hostile share links', () => {
  it('a small link that inflates to millions of brackets is refused before parsing, in well under two seconds', async () => {
    const depth = 8 * 1024 * 1024 + Math.floor(Math.random() * 1000);
    const link = `#r=1.${await deflateRaw('['.repeat(depth) + ']'.repeat(depth))}`;
    expect(link.length).toBeLessThan(100_000);
    // The reader loads on first use (seconds on a cold, busy machine): load it before timing.
    expect((await decodeShareFragment(await fragmentOf(makeResults()))).ok).toBe(true);
    const started = performance.now();
    expect(await failure(link)).toMatch(/nested too deeply.*refused before reading it/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
