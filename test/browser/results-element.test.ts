/**
 * The results element served the way a tutorial uses it: a host page on another origin (another port), not
 * cross-origin isolated, with CSS of its own, loads /elements/parallel-lab-results.js from the lab and shows
 * the committed example file, a share link made here from a fresh document, and clear messages for bad input
 * (the very messages the lab's import gives, computed here by the lab's own reader).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeAmdahlFit } from '../../src/analysis/amdahl.ts';
import { formatMs, formatTimes } from '../../src/analysis/number-format.ts';
import { summarizeRun } from '../../src/analysis/run-summary.ts';
import { speedupMarks } from '../../src/analysis/speedup-series.ts';
import { ENGINES, launchBrowser, type LabPage, type LaunchedBrowser } from '../../src/cli/browsers.ts';
import { makeComparison } from '../../src/results/documents.ts';
import { parseResultsText } from '../../src/results/import.ts';
import type { ExperimentResult, Results } from '../../src/results/schema.ts';
import { decodeShareFragment, encodeShareFragment } from '../../src/results/share-link.ts';
import { sizeLabelOf } from '../../src/workloads/size-labels.ts';
import { makeResults, measuredResult } from '../fixtures/make-results.ts';

const EXAMPLE_TEXT = readFileSync(resolve(import.meta.dirname, '../../public/examples/example-results.json'), 'utf8');
const example = JSON.parse(EXAMPLE_TEXT) as Results;
/** Valid JSON, wrong shape: a negative median where the schema wants a time. */
const INVALID_TEXT = EXAMPLE_TEXT.replace(/"medianMs":\s*[\d.]+/, '"medianMs": -1');

/** The tutorial's own server: its page, its results files, on an origin of its own, no isolation headers. */
let host: Server;
let hostUrl: string;
beforeAll(async () => {
  const elementUrl = `${inject('labUrl')}elements/parallel-lab-results.js`;
  const page = (body: string) =>
    '<!doctype html><meta charset="utf-8"><title>A tutorial</title>' +
    // Page CSS that would hide every table cell if it reached the element.
    '<style>td, th { display: none !important; } body { font: 20px serif; }</style>' +
    `<script type="module" src="${elementUrl}"></script><h1>Measured</h1>${body}`;
  const files: Record<string, [string, string]> = {
    '/file.html': ['text/html', page('<parallel-lab-results src="example-results.json"></parallel-lab-results>')],
    '/blank.html': ['text/html', page('<parallel-lab-results></parallel-lab-results>')],
    '/example-results.json': ['application/json', EXAMPLE_TEXT],
    '/invalid.json': ['application/json', INVALID_TEXT],
    '/not-json.json': ['application/json', '{"schema": "parallel-lab/results/v1", '],
  };
  // The same page under a strict policy: scripts from the lab only, no inline style, no eval, fetches to itself.
  files['/strict.html'] = ['text/html', `<!doctype html><meta charset="utf-8"><title>A strict tutorial</title><script type="module" src="${elementUrl}"></script><parallel-lab-results src="example-results.json"></parallel-lab-results>`];
  const strictPolicy = `default-src 'none'; script-src ${new URL(elementUrl).origin}; connect-src 'self'`;
  host = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://host').pathname;
    const file = files[path];
    response.writeHead(file ? 200 : 404, {
      'Content-Type': `${file?.[0] ?? 'text/plain'}; charset=utf-8`,
      ...(path === '/strict.html' ? { 'Content-Security-Policy': strictPolicy } : {}),
    });
    response.end(file?.[1] ?? 'not found');
  });
  await new Promise<void>((done) => host.listen(0, '127.0.0.1', done));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => host?.close(done));
});

/** A fresh document, numbers drawn at random: a lane sweep that follows Amdahl's law, with an informative fit. */
function freshDocument(random: () => number): Results {
  const doc = makeResults(random);
  const experiment = doc.experiments[0]!;
  const serialMs = experiment.results[0]!.available && 'medianMs' in experiment.results[0]! ? experiment.results[0].medianMs : 100;
  const f = 0.05 + random() * 0.2;
  for (const workers of [1, 2, 4]) {
    const medianMs = serialMs * (f + (1 - f) / workers) * (0.98 + random() * 0.04);
    experiment.results.push(measuredResult('workers', workers, medianMs, { speedup: serialMs / medianMs }, 0.02));
  }
  experiment.amdahl = { workers: { serialFraction: f, serialFractionCi95: [f * 0.8, f * 1.2], r2: 0.99, oneLaneSpeedup: 1, fittedWorkers: [1, 2, 4] } };
  return doc;
}

/** What the element shows, read from its shadow root. */
interface Shown {
  status: string;
  message: string;
  crossOriginIsolated: boolean;
  defined: boolean;
  medians: Record<string, string[]>;
  speedups: Record<string, string[]>;
  medianCellWidthPx: number;
  figures: string[];
  amdahl: Array<{ key: string; text: string }>;
  dots: Record<string, number>;
  fitCurves: number;
  refusal: string;
  runLabels: string[];
  compareTables: number;
}

function readElement(): Shown {
  const element = document.querySelector('parallel-lab-results') as HTMLElement & { status: string; message: string };
  const root = element.shadowRoot!;
  const byExperiment = (selector: string) => {
    const out: Record<string, string[]> = {};
    for (const table of root.querySelectorAll<HTMLTableElement>('.run > .experiment table.results')) {
      out[table.dataset.experiment!] = [...table.querySelectorAll(selector)].map((cell) => cell.textContent ?? '');
    }
    return out;
  };
  const dots: Record<string, number> = {};
  for (const section of root.querySelectorAll<HTMLElement>('.run > .experiment')) dots[section.dataset.experiment!] = section.querySelectorAll('svg circle').length;
  return {
    status: element.status,
    message: element.message,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    defined: customElements.get('parallel-lab-results') !== undefined,
    medians: byExperiment('td.median'),
    speedups: byExperiment('td.speedup'),
    medianCellWidthPx: root.querySelector('td.median')?.getBoundingClientRect().width ?? 0,
    figures: [...root.querySelectorAll('.summary .figure')].map((f) => f.textContent ?? ''),
    amdahl: [...root.querySelectorAll<HTMLElement>('.run > .experiment [data-amdahl]')].map((s) => ({ key: s.dataset.amdahl!, text: s.textContent ?? '' })),
    dots,
    fitCurves: root.querySelectorAll('.run > .experiment path.curve.fit').length,
    refusal: root.querySelector('.refused .message')?.textContent ?? '',
    runLabels: [...root.querySelectorAll('.comparison ol.runs li')].map((li) => li.textContent ?? ''),
    compareTables: root.querySelectorAll('table.compare').length,
  };
}

/** The table cells, figures, fits and chart dots the element must show for `doc`, computed from the JSON. */
function expectedView(doc: Results) {
  const measured = (e: ExperimentResult) => e.results.filter((r) => r.available && 'medianMs' in r) as Array<{ medianMs: number; speedup?: number }>;
  return {
    medians: Object.fromEntries(doc.experiments.map((e) => [e.id, measured(e).map((r) => formatMs(r.medianMs))])),
    speedups: Object.fromEntries(doc.experiments.map((e) => [e.id, measured(e).map((r) => (r.speedup === undefined ? '' : formatTimes(r.speedup)))])),
    figures: summarizeRun(doc, sizeLabelOf).lines.map((l) => l.figureText),
    amdahl: doc.experiments.flatMap((e) => Object.entries(e.amdahl).map(([key, fit]) => ({ key, text: `Amdahl fit for ${key}: ${describeAmdahlFit(fit).text}.` }))),
    dots: Object.fromEntries(doc.experiments.map((e) => [e.id, speedupMarks(e).length])),
    fitCurves: doc.experiments.flatMap((e) => Object.values(e.amdahl)).filter((fit) => describeAmdahlFit(fit).informative).length,
  };
}

describe.each(ENGINES)('the results element in a tutorial page on another origin, in %s', (browserName) => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchBrowser(browserName);
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Open a host page and wait until the element has finished with its input. */
  async function open(path: string, act?: (page: LabPage) => Promise<unknown>): Promise<{ page: LabPage; shown: Shown }> {
    const page = await browser.newPage();
    await page.goto(`${hostUrl}${path}`);
    await expect.poll(() => page.evaluate(() => customElements.get('parallel-lab-results') !== undefined), { timeout: 20_000 }).toBe(true);
    if (act) await act(page);
    await expect.poll(() => page.evaluate(() => document.querySelector('parallel-lab-results')!.getAttribute('data-status')), { timeout: 20_000 }).toMatch(/^(shown|refused)$/);
    return { page, shown: await page.evaluate(readElement) };
  }

  it('shows the committed example file from markup: its medians, speedups, summary, fits and chart, untouched by the page CSS', async () => {
    const { page, shown } = await open('/file.html');
    try {
      expect(shown.message).toBe('');
      expect(shown.status).toBe('shown');
      expect(shown.crossOriginIsolated).toBe(false);
      const expected = expectedView(example);
      expect(shown.medians).toEqual(expected.medians);
      expect(shown.speedups).toEqual(expected.speedups);
      expect(shown.figures).toEqual(expected.figures);
      expect(shown.amdahl).toEqual(expected.amdahl);
      expect(shown.dots).toEqual(expected.dots);
      expect(shown.fitCurves).toBe(expected.fitCurves);
      // The page's `td { display: none }` stops at the shadow root.
      expect(shown.medianCellWidthPx).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it("shows the example under a strict Content-Security-Policy (no inline style, no eval), its own styles applied", async () => {
    const { page, shown } = await open('/strict.html');
    try {
      expect(shown.message).toBe('');
      expect(shown.medians).toEqual(expectedView(example).medians);
      // From the element's stylesheet: the summary's border, which no browser default gives a div.
      const border = await page.evaluate(() => getComputedStyle(document.querySelector('parallel-lab-results')!.shadowRoot!.querySelector('.summary')!).borderTopStyle);
      expect(border).toBe('solid');
    } finally {
      await page.close();
    }
  });

  it('shows a share link made from a fresh document, Amdahl fit drawn, and a comparison given as the results property', async () => {
    const seed = Date.now() % 100_000;
    let state = seed;
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const doc = freshDocument(random);
    const made = await encodeShareFragment(doc);
    if (!made.ok) throw new Error(made.message);
    const { page, shown } = await open('/blank.html', (p) =>
      p.evaluate((link) => document.querySelector('parallel-lab-results')!.setAttribute('share', link), `https://lab.example/${made.fragment}`),
    );
    try {
      expect(shown.message, `seed ${seed}`).toBe('');
      const expected = expectedView(doc);
      expect(shown.medians, `seed ${seed}`).toEqual(expected.medians);
      expect(shown.speedups).toEqual(expected.speedups);
      expect(shown.amdahl).toEqual(expected.amdahl);
      expect(shown.dots).toEqual({ 'cpu-heavy': 3 });
      expect(shown.fitCurves).toBe(1);

      const other = freshDocument(random);
      other.environment.browser = { name: 'firefox', version: '140.0' };
      await page.evaluate((comparison) => {
        (document.querySelector('parallel-lab-results') as HTMLElement & { results: unknown }).results = comparison;
      }, makeComparison([doc, other]));
      const compared = await page.evaluate(readElement);
      expect(compared.status).toBe('shown');
      expect(compared.runLabels.map((l) => l.split(' (')[0])).toEqual(['Chromium 156 · 2 cores', 'Firefox 140 · 2 cores']);
      expect(compared.compareTables).toBe(1);
    } finally {
      await page.close();
    }
  });

  it("the example tutorial page shows the committed file's cpu-heavy experiment, as its experiments attribute asks", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${inject('labUrl')}examples/tutorial.html`);
      await expect.poll(() => page.evaluate(() => document.querySelector('parallel-lab-results')?.getAttribute('data-status')), { timeout: 30_000 }).toBe('shown');
      const shown = await page.evaluate(readElement);
      expect(shown.medians).toEqual({ 'cpu-heavy': expectedView(example).medians['cpu-heavy'] });
    } finally {
      await page.close();
    }
  });

  it.each([
    ['a file that is not JSON', 'src', '/not-json.json'],
    ['a file that does not match the schema', 'src', '/invalid.json'],
    ['a file that is not there', 'src', '/missing.json'],
    ['a damaged share link', 'share', 'damaged'],
  ])('refuses %s with a clear message, the one the lab gives', async (_name, attribute, value) => {
    let link = '';
    if (value === 'damaged') {
      const made = await encodeShareFragment(freshDocument(Math.random));
      if (!made.ok) throw new Error(made.message);
      // One digit of the checksum changed (`#r=2.<crc>.…`): refused in the same words by every engine.
      const at = '#r=2.'.length;
      link = `https://lab.example/${made.fragment.slice(0, at)}${made.fragment[at] === '0' ? '1' : '0'}${made.fragment.slice(at + 1)}`;
    }
    const { page, shown } = await open('/blank.html', (p) =>
      p.evaluate(([name, v]) => document.querySelector('parallel-lab-results')!.setAttribute(name, v), [attribute, link || value] as const),
    );
    try {
      expect(shown.status).toBe('refused');
      expect(shown.refusal).toBe(shown.message);
      if (value === '/not-json.json') expect(shown.message).toMatch(/^This is not valid JSON \(/);
      else if (value === '/invalid.json') expect(shown.message).toBe((parseResultsText(INVALID_TEXT) as { message: string }).message);
      else if (value === '/missing.json') expect(shown.message).toBe(`${hostUrl}/missing.json could not be loaded: the server answered 404 Not Found.`);
      else expect(shown.message).toBe(((await decodeShareFragment(link)) as { message: string }).message);
      expect(shown.message).toMatch(/medianMs: must be >= 0|not valid JSON|404|damaged/);

      // A bad `results` object is refused the same way, and a good `src` set afterwards replaces the refusal.
      const invalid = JSON.parse(INVALID_TEXT) as unknown;
      const byProperty = await page.evaluate((doc) => {
        const element = document.querySelector('parallel-lab-results') as HTMLElement & { results: unknown; message: string };
        element.results = doc;
        return element.message;
      }, invalid);
      expect(byProperty).toBe((parseResultsText(INVALID_TEXT) as { message: string }).message);
      await page.evaluate(() => {
        const element = document.querySelector('parallel-lab-results') as HTMLElement & { results: unknown };
        element.results = null;
        element.removeAttribute('share');
        element.setAttribute('src', 'example-results.json');
      });
      await expect.poll(() => page.evaluate(() => document.querySelector('parallel-lab-results')!.getAttribute('data-status')), { timeout: 20_000 }).toBe('shown');
    } finally {
      await page.close();
    }
  });
});
