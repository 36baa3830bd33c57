/** The read-only viewer renders every document the import accepts: rendered on the server side, which runs the same template code. */
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import CompareView from '../../src/components/CompareView.svelte';
import { parseResultsText } from '../../src/results/import.ts';
import type { MeasuredResult, Results } from '../../src/results/schema.ts';
import { makeResults, measuredResult } from '../fixtures/make-results.ts';
import { renderOpened } from '../fixtures/render-viewer.ts';

function accepted(doc: Results): Results {
  const outcome = parseResultsText(JSON.stringify(doc));
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.runs[0]!;
}

describe('the viewer renders schema-valid documents that repeat things', () => {
  it('warnings that repeat a text', () => {
    const doc = makeResults();
    const text = `Timer coarse ${Math.random()}`;
    doc.experiments[0]!.warnings = [text, text, text];
    const html = renderOpened(accepted(doc));
    expect(html.split(text).length - 1).toBe(3);
  });

  it('two results with the same backend and lane count', () => {
    const doc = makeResults();
    const medianMs = 10 + Math.random();
    doc.experiments[0]!.results.push(measuredResult('workers', 2, medianMs), measuredResult('workers', 2, medianMs * 1.1));
    doc.experiments[0]!.results.push(measuredResult('workers', 4, medianMs / 2), measuredResult('workers', 4, medianMs / 2));
    expect(renderOpened(accepted(doc))).toContain('data-testid="scaling-cpu-heavy"');
  });

  it('a timeline with 200,000 bars', () => {
    const doc = makeResults();
    const measured = doc.experiments[0]!.results[0] as MeasuredResult;
    const spanMs = 100 + Math.random() * 100;
    measured.timeline = Array.from({ length: 200_000 }, (_, task) => ({ lane: task % 8, task, startMs: (task / 200_000) * spanMs, endMs: ((task + 1) / 200_000) * spanMs }));
    expect(renderOpened(accepted(doc))).toContain(`${spanMs.toFixed(2)} ms`);
  });

  it('a comparison holding the same run twice', () => {
    const run = makeResults();
    run.experiments.push(run.experiments[0]!);
    const html = render(CompareView, {
      props: {
        compared: { document: { schema: 'parallel-lab/comparison/v1', createdAt: new Date().toISOString(), runs: [run, run] }, origin: 'file' },
        viewer: { closeComparison: () => {} },
      } as never,
    }).body;
    expect(html).toContain('cpu-heavy');
  });
});

describe('keys of the views cannot collide', () => {
  /**
   * Svelte stops rendering at a repeated key in a keyed each block, and a schema-valid document may repeat any
   * text or number. So every keyed block keys by position, except over lists whose keys are unique by
   * construction (named here, each with why).
   */
  const uniqueByConstruction = new Map([
    ['workload.meta.id', 'the registry of experiments'],
    ['spec.key', "an experiment's own parameter list"],
    ['run.id', 'IndexedDB keys'],
    ['key', "an object's own keys (Object.entries)"],
    ['c', 'column names written in the component'],
  ]);

  it('every keyed each block keys by position or by a key unique by construction', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const { join, resolve } = await import('node:path');
    const root = resolve(import.meta.dirname, '../../src/components');
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.svelte'));
    const offending: string[] = [];
    let blocks = 0;
    for (const file of files) {
      const source = await readFile(join(root, file), 'utf8');
      for (const match of source.matchAll(/\{#each\s+[^}]*?\s+as\s+([^}]*?)\s*\(([^()]+)\)\s*\}/g)) {
        blocks++;
        const [, binding, key] = match as unknown as [string, string, string];
        const index = /,\s*(\w+)\s*$/.exec(binding)?.[1];
        if (key.trim() === index || uniqueByConstruction.has(key.trim())) continue;
        offending.push(`${file}: (${key})`);
      }
    }
    expect(blocks).toBeGreaterThan(10);
    expect(offending).toEqual([]);
  });
});
