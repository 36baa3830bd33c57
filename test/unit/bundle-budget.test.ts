/** The bundle check's pure parts: which chunks a first visit loads, the budgets, and spotting a chunk bundled twice. */
import { describe, expect, it } from 'vitest';
import {
  contentPieces,
  duplicatedChunks,
  ELEMENT_BUDGET_BYTES,
  elementsBudget,
  firstLoadBudget,
  firstLoadFiles,
  type ChunkSize,
  type Manifest,
} from '../../src/cli/bundle-budget.ts';
import manifestJson from '../fixtures/vite-manifest.json' with { type: 'json' };

const manifest = manifestJson as Manifest;

/** Text that does not repeat itself, as minified code of different modules does not. */
function noise(length: number, seed: number): string {
  let state = seed;
  let text = '';
  while (text.length < length) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    text += 'abcdefghijklmnopqrstuvwxyz(){};=,. '[state % 35];
  }
  return text;
}

describe('firstLoadFiles', () => {
  it('is the entry and its static imports, transitively, without dynamic imports or what only they import', () => {
    expect(firstLoadFiles(manifest)).toEqual(['assets/index-a1.js', 'assets/svelte-b2.js', 'assets/runtime-e5.js']);
  });

  it('fails loudly on a manifest it cannot follow', () => {
    expect(() => firstLoadFiles({ 'a.js': { file: 'a.js' } })).toThrow(/no entry/);
    expect(() => firstLoadFiles({ 'index.html': { file: 'i.js', isEntry: true, imports: ['_gone.js'] } })).toThrow(/_gone\.js/);
  });
});

describe('firstLoadBudget', () => {
  const sizes = new Map<string, ChunkSize>(
    [
      ['assets/index-a1.js', 60_000],
      ['assets/svelte-b2.js', 40_000],
      ['assets/runtime-e5.js', 10_000],
      ['assets/plot-f6.js', 120_000],
      ['assets/d3-g7.js', 50_000],
      ['assets/CompareView-h8.js', 5_000],
    ].map(([file, gzipBytes]) => [file as string, { file: file as string, bytes: 3 * (gzipBytes as number), gzipBytes: gzipBytes as number }]),
  );

  it.each([
    [110_000, true],
    [109_999, false],
  ])('counts first-load chunks only, against a budget of %i bytes', (budget, within) => {
    const outcome = firstLoadBudget(manifest, sizes, budget);
    expect(outcome.chunks.map((c) => c.file)).toEqual(['assets/index-a1.js', 'assets/svelte-b2.js', 'assets/runtime-e5.js']);
    expect(outcome.gzipBytes).toBe(110_000);
    expect(outcome.withinBudget).toBe(within);
  });

  it('refuses a manifest that names a file the build lacks', () => {
    expect(() => firstLoadBudget(manifest, new Map())).toThrow(/index-a1\.js/);
  });
});

describe('duplicatedChunks', () => {
  const library = noise(80_000, 1);

  it('cuts the same content into the same pieces wherever it sits', () => {
    const alone = contentPieces(library);
    const shifted = contentPieces(`import{r as e}from"./index.js";${library}`);
    const shared = [...alone].filter((p) => shifted.has(p)).length;
    expect(shared / alone.size).toBeGreaterThan(0.95);
  });

  it('finds one library bundled into two large chunks, whatever wraps it', () => {
    const pairs = duplicatedChunks([
      { file: 'assets/gpu-browser-1.js', text: `import{r as e}from"./index.js";${library}` },
      { file: 'assets/gpu-browser-2.js', text: `/*! banner */import{r as e}from"./task.worker.js";${library}${noise(5_000, 2)}` },
      { file: 'assets/index.js', text: noise(90_000, 3) },
    ]);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]!.files).toEqual(['assets/gpu-browser-1.js', 'assets/gpu-browser-2.js']);
    expect(pairs[0]!.sharedFraction).toBeGreaterThan(0.9);
  });

  it('leaves alone small chunks and large ones sharing only a little', () => {
    const helper = noise(10_000, 4);
    expect(
      duplicatedChunks([
        { file: 'a.js', text: helper },
        { file: 'b.js', text: helper },
        { file: 'c.js', text: `${noise(60_000, 5)}${helper}` },
        { file: 'd.js', text: `${noise(60_000, 6)}${helper}` },
      ]),
    ).toEqual([]);
  });
});

describe('elementsBudget', () => {
  const size = (file: string, gzipBytes: number): [string, ChunkSize] => [file, { file, bytes: 4 * gzipBytes, gzipBytes }];

  it('holds each standalone element to the budget on its own, not the app\'s chunks', () => {
    const sizes = new Map([size('elements/parallel-lab-results.js', ELEMENT_BUDGET_BYTES), size('assets/index-a1.js', 10 * ELEMENT_BUDGET_BYTES)]);
    expect(elementsBudget(sizes)).toEqual({ elements: [sizes.get('elements/parallel-lab-results.js')], withinBudget: true });
    sizes.set(...size('elements/parallel-lab-results.js', ELEMENT_BUDGET_BYTES + 1));
    expect(elementsBudget(sizes).withinBudget).toBe(false);
  });
});
