/**
 * The run at a glance, as a reader meets it in real headless Chromium and Firefox: after a quick run the
 * summary comes first with a line per experiment whose figure matches the results, "Copy as Markdown" gives a
 * table that parses back to the same figures, no chart label lies outside its chart or over another, the
 * page does not scroll sideways at phone width, and deep links (plain and inside a share link) scroll to
 * their experiment. The accessibility audit (axe-core) finds nothing serious before the run, after it, over
 * the history and the compare view, on an opened share link and in the dark theme; pictures of the summary
 * at three widths are written to test-artifacts/.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, launchBrowser, type LabPage } from '../../src/cli/browsers.ts';
import { runSuiteInPage, waitForLab } from '../../src/cli/run-in-browser.ts';
import { pngSizePx, summaryScreenshot, type SummaryPicture } from '../../src/cli/summary-picture.ts';
import type { ExperimentResult, MeasuredResult, Results } from '../../src/results/schema.ts';
import { shortTick } from '../../src/components/charts/axis-format.ts';
import { breakEvenBoundUs } from '../../src/analysis/break-even-figure.ts';
import { sizeMarks } from '../../src/analysis/speedup-series.ts';
import { importText, scaleTimes, secondPage, useLab } from './harness.ts';

const POLL = { timeout: 120_000, interval: 200 };
const EXPERIMENTS = ['cpu-heavy', 'array-add', 'tiny-tasks'];

/** axe-core, the standard accessibility audit, served from the project's own dependencies (no network). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical accessibility violations on the page as it is now, one line each. */
async function seriousViolations(page: LabPage): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScript(AXE_SOURCE);
  return page.evaluate(async () => {
    type Violation = { id: string; impact: string | null; nodes: Array<{ target: string[] }> };
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: Violation[] }> } }).axe;
    const { violations } = await axe.run(document);
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.nodes.length} (${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join('; ')})`);
  });
}

/**
 * Run `step` (which sizes the viewport), or skip the test where this browser's window cannot give the page that
 * size: MiniBrowser's toolbar keeps WebKit's window wider than a phone.
 */
async function atViewport<T>(step: () => Promise<T>, skip: (note?: string) => never): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if ((error as Error).name === 'ViewportError') skip((error as Error).message);
    throw error;
  }
}

/** Where the pictures of the summary go: a git-ignored folder at the repository root, kept after the run. */
const ARTIFACTS_DIR = resolve(import.meta.dirname, '../../test-artifacts');

/** Write a summary picture as an artefact, after checking it is a PNG one image pixel per CSS pixel wide and high. */
async function keepPicture(picture: SummaryPicture, fileName: string): Promise<void> {
  const size = pngSizePx(picture.png);
  // The picture covers the element's box out to whole pixels: each edge may round outward by one.
  for (const [imagePx, boxPx, what] of [[size.widthPx, picture.elementWidthPx, 'width'], [size.heightPx, picture.elementHeightPx, 'height']] as const) {
    expect(imagePx, `${fileName}: ${what}`).toBeGreaterThanOrEqual(Math.floor(boxPx));
    expect(imagePx, `${fileName}: ${what}`).toBeLessThanOrEqual(Math.ceil(boxPx) + 1);
  }
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await writeFile(join(ARTIFACTS_DIR, fileName), picture.png);
}

/** WCAG's contrast ratio of two computed CSS colours, `rgb(r, g, b)` as getComputedStyle gives them. */
function contrastRatio(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, bl] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high! + 0.05) / (low! + 0.05);
}

/** The share link of the page's last run, as its Share button makes it. */
async function shareLinkOfRun(page: LabPage): Promise<string> {
  await page.click('[data-testid="current-actions"] [data-testid="share-link"]');
  await expect.poll(() => page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="share-url"]')?.value ?? ''), POLL).toMatch(/#r=2\./);
  return page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="share-url"]')!.value);
}

const measured = (e: ExperimentResult) => e.results.filter((r): r is MeasuredResult => r.available && 'medianMs' in r);

/** The best speedup over serial at the largest size serial shares with a candidate, worked out here from the raw medians. */
function bestSpeedup(e: ExperimentResult): { speedup: number; low: number; high: number } {
  const serial = new Map(measured(e).filter((r) => r.backend === 'serial').map((r) => [r.size, r]));
  const candidates = measured(e).filter((r) => r.backend !== 'serial' && serial.has(r.size));
  const sizes = candidates.map((r) => r.size ?? 0);
  const largest = Math.max(...sizes);
  const at = candidates.filter((r) => (r.size ?? 0) === largest);
  const ratios = at.map((r) => {
    const s = serial.get(r.size)!;
    return { speedup: s.medianMs / r.medianMs, low: s.ci95Ms[0] / r.ci95Ms[1], high: s.ci95Ms[1] / r.ci95Ms[0] };
  });
  return ratios.reduce((a, b) => (b.speedup > a.speedup ? b : a));
}

interface Box {
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** For every Plot chart on the page: its text boxes that leave the chart, and pairs of labels that overlap. */
function labelDefects(page: LabPage): Promise<{ charts: number; outside: string[]; overlapping: string[] }> {
  return page.evaluate(() => {
    const outside: string[] = [];
    const overlapping: string[] = [];
    const svgs = [...document.querySelectorAll<SVGSVGElement>('.plot svg')].filter((svg) => svg.getBoundingClientRect().width > 0);
    for (const svg of svgs) {
      const frame = svg.getBoundingClientRect();
      const chart = svg.closest('.plot')?.getAttribute('aria-label') ?? '?';
      const boxes: Box[] = [...svg.querySelectorAll('text')]
        .filter((t) => (t.textContent ?? '').trim() !== '' && !t.closest('[data-mark="tip"], [aria-label="tip"]'))
        .map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.textContent!.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom };
        })
        .filter((b) => b.right > b.left);
      // Firefox's text boxes take in the font's whole ascent and descent, a pixel or two beyond the glyphs.
      const slack = 2;
      for (const b of boxes) {
        if (b.left < frame.left - slack || b.right > frame.right + slack || b.top < frame.top - slack || b.bottom > frame.bottom + slack) {
          const by = Math.max(frame.left - b.left, b.right - frame.right, frame.top - b.top, b.bottom - frame.bottom);
          outside.push(`${chart}: "${b.text}" by ${by.toFixed(1)} px`);
        }
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!;
          const b = boxes[j]!;
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 1 && h > 1) overlapping.push(`${chart}: "${a.text}" × "${b.text}"`);
        }
      }
    }
    return { charts: svgs.length, outside, overlapping };
  });
}

describe.each(ENGINES)('%s: the run at a glance', (browserName) => {
  const session = useLab(browserName);
  let results: Results;
  /** The audit of the page as it first loads, taken before the run the other tests read. */
  let violationsBeforeRun: string[];

  beforeAll(async () => {
    const { page, url } = session();
    await page.setViewport(1280, 900);
    await page.goto(`${url}?experiments=${EXPERIMENTS.join(',')}&preset=quick`);
    await waitForLab(page);
    violationsBeforeRun = await seriousViolations(page);
    results = await runSuiteInPage(page, { experiments: EXPERIMENTS, preset: 'quick' });
  }, 600_000);

  it('passes the accessibility audit before a run', () => {
    expect(violationsBeforeRun).toEqual([]);
  });

  it('shows the summary above every experiment, a line per experiment whose figure matches the results', async () => {
    const { page } = session();
    await expect.poll(() => page.evaluate(() => document.querySelectorAll('[data-testid="summary"] [data-summary-line]').length), POLL).toBe(3);
    const shown = await page.evaluate(() => {
      const summary = document.querySelector('[data-testid="summary"]')!;
      const firstPanel = document.querySelector('section.experiment')!;
      return {
        first: Boolean(summary.compareDocumentPosition(firstPanel) & Node.DOCUMENT_POSITION_FOLLOWING),
        lines: [...summary.querySelectorAll('[data-summary-line]')].map((li) => ({
          id: li.getAttribute('data-summary-line')!,
          figure: li.getAttribute('data-figure')!,
          settled: li.getAttribute('data-settled'),
          figureText: li.querySelector('.figure')?.textContent?.trim() ?? '',
          answer: li.querySelector('.answer')?.textContent ?? '',
          href: li.querySelector('a')?.getAttribute('href'),
        })),
        machine: document.querySelector('[data-testid="summary-machine"]')?.textContent ?? '',
        panels: [...document.querySelectorAll('section.experiment[data-experiment]')].map((s) => s.getAttribute('data-experiment')),
      };
    });
    expect(shown.first).toBe(true);
    // In the page's order, one line per experiment run.
    expect(shown.lines.map((l) => l.id)).toEqual(shown.panels);
    expect([...shown.lines.map((l) => l.id)].sort()).toEqual([...EXPERIMENTS].sort());
    expect(shown.machine).toMatch(new RegExp(`${browserName}.*\\d+\\.\\d\\d before the run.*usable cores`, 'i'));
    const byId = Object.fromEntries(shown.lines.map((l) => [l.id, l]));
    for (const id of ['cpu-heavy', 'array-add']) {
      const expected = bestSpeedup(results.experiments.find((e) => e.id === id)!);
      expect(Number(byId[id]!.figure), id).toBeCloseTo(expected.speedup, 2);
      expect(byId[id]!.figureText).toBe(`${expected.speedup.toFixed(2)}×`);
      expect(byId[id]!.settled, id).toBe(String(expected.low > 1 || expected.high < 1));
      expect(byId[id]!.href).toBe(`#${id}`);
    }
    // Under the size chart, a crossover says where it is within noise of serial, exactly where the intervals include 1.
    const add = results.experiments.find((e) => e.id === 'array-add')!;
    const serialAt = new Map(measured(add).filter((r) => r.backend === 'serial').map((r) => [r.size, r]));
    const noted = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll('#array-add [data-crossover]')].map((li) => [
          li.getAttribute('data-crossover')!,
          li.querySelector('[data-within-noise]')?.getAttribute('data-within-noise') ?? '',
        ]),
      ),
    );
    expect(Object.keys(noted).length).toBeGreaterThan(0);
    for (const [series, sizes] of Object.entries(noted)) {
      const expected = measured(add)
        .filter((r) => r.backend !== 'serial' && serialAt.has(r.size) && `${r.backend}${r.variant ? ` ${r.variant}` : ''}${r.backend === 'webgpu' || r.backend === 'gpujs' ? '' : ` × ${r.workers}`}` === series)
        .filter((r) => {
          const s = serialAt.get(r.size)!;
          return s.ci95Ms[0] / r.ci95Ms[1] <= 1 && s.ci95Ms[1] / r.ci95Ms[0] >= 1;
        })
        .map((r) => r.size!)
        .sort((a, b) => a - b);
      expect(sizes, series).toBe(expected.join(','));
    }
    const tiny = results.experiments.find((e) => e.id === 'tiny-tasks')!;
    // A number of µs, or "≤N" for a path that already won at the smallest size, N µs.
    const breakEvens = Object.entries(tiny.derived ?? {}).flatMap(([k, v]) => {
      const us = k.startsWith('breakEvenUs.') ? breakEvenBoundUs(v) : undefined;
      return us === undefined ? [] : [us];
    });
    if (breakEvens.length > 0) expect(Number(byId['tiny-tasks']!.figure)).toBeCloseTo(Number(Math.min(...breakEvens).toPrecision(3)), 5);
    else expect(byId['tiny-tasks']!.answer).toMatch(/beat serial|Nothing beats serial|No way/);
  });

  it('copies the headline figures as a Markdown table that parses back to the same figures', async () => {
    const { page } = session();
    await page.click('[data-testid="summary-copy-markdown"]');
    await expect.poll(() => page.evaluate(() => document.querySelector<HTMLTextAreaElement>('[data-testid="summary-markdown"]')?.value ?? ''), POLL).toMatch(/\| Experiment \|/);
    const markdown = await page.evaluate(() => document.querySelector<HTMLTextAreaElement>('[data-testid="summary-markdown"]')!.value);
    const figures = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="summary"] [data-summary-line]')].map((li) => li.querySelector('.figure')!.textContent!.trim()),
    );
    expect(markdown).toContain(`${results.environment.browser.name} ${results.environment.browser.version}`);
    expect(markdown).toContain(`${results.environment.hardwareConcurrency} reported cores`);
    const rows = markdown
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))
      .slice(1)
      .map((l) => l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
    expect(rows).toHaveLength(EXPERIMENTS.length);
    expect(rows.map((r) => r[2])).toEqual(figures);
    const cpu = bestSpeedup(results.experiments.find((e) => e.id === 'cpu-heavy')!);
    const cpuRow = rows.find((r) => r[0] === results.experiments.find((e) => e.id === 'cpu-heavy')!.title)!;
    expect(Number(cpuRow[2]!.replace('×', ''))).toBeCloseTo(cpu.speedup, 2);
    expect(rows.every((r) => r[3] === 'yes' || r[3] === 'no')).toBe(true);
  });

  it.for([1920, 1280, 390, 360])('keeps every chart label inside its chart and clear of the others at %i px', async (widthPx, { skip }) => {
    const { page } = session();
    await atViewport(() => page.setViewport(widthPx, 900), skip);
    await expect.poll(() => labelDefects(page).then((d) => d.charts), POLL).toBeGreaterThan(5);
    // The charts redraw for the new width after it is set; a label caught mid-redraw is not a defect, one
    // that stays until the poll gives up is (and the message lists it).
    await expect.poll(() => labelDefects(page).then(({ outside, overlapping }) => ({ outside, overlapping })), POLL).toEqual({ outside: [], overlapping: [] });
  });

  it('keeps the size chart\'s corner labels apart where the lanes lose far below 1× (a copy of the run, imported)', async () => {
    const { page } = session();
    await page.setViewport(1280, 900);
    // The same run with array-add's lanes slower, so that its lowest speedup is a hair below 1/32, 1/64 or 1/128:
    // the speedup axis then ends at that power of two, whose label sits in the corner beside the first size's
    // (where the two once overlapped).
    const slower = JSON.parse(JSON.stringify(results)) as Results;
    const add = slower.experiments.find((e) => e.id === 'array-add')!;
    const lowest = 2 ** -(5 + Math.floor(3 * Math.random()));
    const floor = lowest * 0.999;
    const speedups = sizeMarks(add).flatMap((m) => (m.speedup === undefined ? [] : [m.speedup]));
    const [min, max] = [Math.min(...speedups), Math.max(...speedups)];
    // Each speedup s becomes floor · (s / min)^k, which keeps their order and puts the highest below 1: the
    // axis then spans at most seven octaves, where every power of two is a tick (past that, it may label
    // only every other power, and the one below the lowest mark need not be drawn).
    const k = max > min ? Math.min(1, Math.log(0.999 / floor) / Math.log(max / min)) : 1;
    const serialMs = new Map(add.results.flatMap((r) => (r.backend === 'serial' && 'medianMs' in r ? [[r.size, r.medianMs] as const] : [])));
    for (const r of add.results) {
      const reference = serialMs.get(r.size);
      if (r.backend === 'serial' || !('medianMs' in r) || reference === undefined) continue;
      const speedup = reference / r.medianMs;
      scaleTimes(r, speedup / (floor * (speedup / min) ** k));
    }
    await importText(page, JSON.stringify(slower), 'slower.json');
    try {
      const ticks = () =>
        page.evaluate(() =>
          [...document.querySelectorAll('[data-testid="opened-run"] #opened-array-add .plot svg text')].map((t) => t.textContent ?? ''),
        );
      await expect.poll(async () => (await ticks()).includes(shortTick(lowest)), POLL).toBe(true);
      await expect.poll(() => labelDefects(page).then(({ outside, overlapping }) => ({ outside, overlapping })), POLL).toEqual({ outside: [], overlapping: [] });
    } finally {
      await page.click('[data-testid="close-opened"]');
    }
  });

  it.for([1280, 390])('passes the accessibility audit after the run at %i px', async (widthPx, { skip }) => {
    const { page } = session();
    await atViewport(() => page.setViewport(widthPx, 900), skip);
    await expect.poll(() => page.evaluate(() => document.querySelectorAll('.plot svg').length), POLL).toBeGreaterThan(5);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('does not scroll sideways at 390 px', async ({ skip }) => {
    const { page } = session();
    await atViewport(() => page.setViewport(390, 844), skip);
    await expect.poll(() => page.evaluate(() => document.documentElement.clientWidth), POLL).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !el.parentElement?.closest('.scroll'))
        // The hidden content of a closed <details> (Firefox still gives it boxes) is not on screen.
        .filter((el) => !(el.closest('details:not([open])') && !el.closest('summary')))
        .map((el) => el.tagName + (el.className ? `.${String(el.className)}` : ''))
        .slice(0, 5),
    );
    expect(wide).toEqual([]);
  });

  it('scrolls to the experiment a deep link names, also inside a share link, whose page passes the accessibility audit', async () => {
    const { page, url } = session();
    await page.setViewport(1280, 900);
    await page.evaluate(() => (location.hash = '#array-add'));
    await page.click('[data-testid="current-actions"] [data-testid="share-link"]');
    await expect.poll(() => page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="share-url"]')?.value ?? ''), POLL).toMatch(/#r=2\.[0-9a-f]{8}\..*&e=array-add$/);
    const shareUrl = await page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="share-url"]')!.value);
    const reader = await secondPage(session());
    try {
      await reader.setViewport(1280, 900);
      await reader.goto(`${url}#tiny-tasks`);
      await waitForLab(reader);
      await expect
        .poll(() => reader.evaluate(() => Math.abs(document.getElementById('tiny-tasks')!.getBoundingClientRect().top)), POLL)
        .toBeLessThan(2);
      expect(await reader.evaluate(() => scrollY)).toBeGreaterThan(100);
      await reader.goto(shareUrl);
      await expect.poll(() => reader.evaluate(() => document.getElementById('opened-array-add') !== null), POLL).toBe(true);
      await expect
        .poll(() => reader.evaluate(() => Math.abs(document.getElementById('opened-array-add')!.getBoundingClientRect().top)), POLL)
        .toBeLessThan(2);
      expect(await reader.evaluate(() => document.querySelectorAll('[data-testid="opened-summary-panel"] [data-summary-line]').length)).toBe(3);
      expect(await seriousViolations(reader)).toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it.for([360, 768, 1280])('writes a picture of the summary at %i px as a test artefact', async (widthPx, { skip }) => {
    const { page } = session();
    await keepPicture(await atViewport(() => summaryScreenshot(page, widthPx), skip), `summary-${browserName}-${widthPx}.png`);
  });

  // WebKit's WebDriver has no way to emulate prefers-color-scheme, and MiniBrowser takes no theme of its own.
  it.skipIf(browserName === 'webkit')('in a dark system theme, passes the accessibility audit over a shared run and draws its charts readably', async () => {
    const { page } = session();
    await page.setViewport(1280, 900);
    const shareUrl = await shareLinkOfRun(page);
    const dark = await launchBrowser(browserName, { colorScheme: 'dark' });
    try {
      const reader = await dark.newPage();
      await reader.setViewport(1280, 900);
      await reader.goto(shareUrl);
      await waitForLab(reader);
      await expect.poll(() => reader.evaluate(() => document.querySelectorAll('[data-testid="opened-run"] .plot svg').length), POLL).toBeGreaterThan(5);
      const shown = await reader.evaluate(() => {
        const svgs = [...document.querySelectorAll('[data-testid="opened-run"] .plot svg')];
        const colours = (selector: string, property: 'fill' | 'stroke') => [
          ...new Set(svgs.flatMap((svg) => [...svg.querySelectorAll(selector)].map((el) => getComputedStyle(el)[property]).filter((c) => c.startsWith('rgb')))),
        ];
        return {
          dark: matchMedia('(prefers-color-scheme: dark)').matches,
          page: getComputedStyle(document.documentElement).backgroundColor,
          panel: getComputedStyle(document.querySelector('[data-testid="opened-run"]')!).backgroundColor,
          text: getComputedStyle(document.body).color,
          // Axis labels and tick labels (no tip is open: tips show under the pointer only).
          chartText: colours('text', 'fill'),
          rules: colours('[data-mark="rule"] line', 'stroke'),
          lines: colours('[data-mark="line"] path', 'stroke'),
        };
      });
      expect(shown.dark).toBe(true);
      // The dark set applies: a dark page with light text, not the light theme's white.
      expect(contrastRatio(shown.page, 'rgb(0, 0, 0)')).toBeLessThan(1.5);
      expect(contrastRatio(shown.text, shown.panel)).toBeGreaterThanOrEqual(4.5);
      expect(shown.chartText.length).toBeGreaterThan(0);
      for (const colour of shown.chartText) expect(contrastRatio(colour, shown.panel), `chart text ${colour}`).toBeGreaterThanOrEqual(4.5);
      // Lines and reference rules are graphics: WCAG asks 3:1 of them against what they are drawn on.
      expect(shown.rules.length).toBeGreaterThan(0);
      expect(shown.lines.length).toBeGreaterThan(0);
      for (const colour of [...shown.rules, ...shown.lines]) expect(contrastRatio(colour, shown.panel), `line ${colour}`).toBeGreaterThanOrEqual(3);
      expect(await seriousViolations(reader)).toEqual([]);
      await keepPicture(await summaryScreenshot(reader, 1280, '[data-testid="opened-summary-panel"]'), `summary-${browserName}-1280-dark.png`);
    } finally {
      await dark.close();
    }
  });

  it('passes the accessibility audit over the history and the compare view of two ticked runs', async () => {
    const { page } = session();
    await page.setViewport(1280, 900);
    const history = '[data-testid="history"] tr[data-run-id]';
    await expect.poll(() => page.evaluate((s: string) => document.querySelectorAll(s).length, history), POLL).toBe(1);
    // The same run an hour earlier, imported and saved: a second run to compare with.
    const earlier = { ...results, createdAt: new Date(Date.parse(results.createdAt) - 3_600_000).toISOString() };
    await importText(page, JSON.stringify(earlier), 'earlier.json');
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-testid="opened-run"]')?.getAttribute('data-origin')), POLL).toBe('file');
    await page.click('[data-testid="save-opened"]');
    await expect.poll(() => page.evaluate((s: string) => document.querySelectorAll(s).length, history), POLL).toBe(2);
    await page.click('[data-testid="close-opened"]');
    for (const row of [1, 2]) await page.click(`${history}:nth-child(${row}) [data-testid="history-tick"]`);
    await page.click('[data-testid="compare-selected"]');
    await expect
      .poll(() => page.evaluate(() => document.querySelectorAll('[data-testid="compare-view"] .plot svg').length), POLL)
      .toBeGreaterThanOrEqual(EXPERIMENTS.length - 1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('[data-testid="close-compare"]');
  });
});
