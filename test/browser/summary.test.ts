/**
 * The run at a glance, as a reader meets it in real headless Chromium and Firefox: after a quick run the
 * summary comes first with a line per experiment whose figure matches the results, "Copy as Markdown" gives a
 * table that parses back to the same figures, no chart label lies outside its chart or over another, the
 * page does not scroll sideways at phone width, and deep links (plain and inside a share link) scroll to
 * their experiment.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { BROWSERS, type LabPage } from '../../src/cli/browsers.ts';
import { runSuiteInPage, waitForLab } from '../../src/cli/run-in-browser.ts';
import type { ExperimentResult, MeasuredResult, Results } from '../../src/results/schema.ts';
import { useLab } from './harness.ts';

const POLL = { timeout: 120_000, interval: 200 };
const EXPERIMENTS = ['cpu-heavy', 'array-add', 'tiny-tasks'];

/** axe-core, the standard accessibility audit, served from the project's own dependencies (no network). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical accessibility violations on the page as it is now, one line each. */
async function seriousViolations(page: LabPage): Promise<string[]> {
  await page.evaluate((source: string) => {
    if (!('axe' in window)) (0, eval)(source);
  }, AXE_SOURCE);
  return page.evaluate(async () => {
    type Violation = { id: string; impact: string | null; nodes: Array<{ target: string[] }> };
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: Violation[] }> } }).axe;
    const { violations } = await axe.run(document);
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.nodes.length} (${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join('; ')})`);
  });
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

describe.each(BROWSERS)('%s: the run at a glance', (browserName) => {
  const session = useLab(browserName);
  let results: Results;

  beforeAll(async () => {
    const { page, url } = session();
    await page.setViewport(1280, 900);
    await page.goto(`${url}?experiments=${EXPERIMENTS.join(',')}&preset=quick`);
    await waitForLab(page);
    results = await runSuiteInPage(page, { experiments: EXPERIMENTS, preset: 'quick' });
  }, 600_000);

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
    const breakEvens = Object.entries(tiny.derived ?? {}).filter(([k, v]) => k.startsWith('breakEvenUs.') && typeof v === 'number').map(([, v]) => v as number);
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

  it.each([1280, 390])('keeps every chart label inside its chart and clear of the others at %i px', async (widthPx) => {
    const { page } = session();
    await page.setViewport(widthPx, 900);
    await expect.poll(() => labelDefects(page).then((d) => d.charts), POLL).toBeGreaterThan(5);
    const defects = await labelDefects(page);
    expect(defects.outside).toEqual([]);
    expect(defects.overlapping).toEqual([]);
  });

  it.each([1280, 390])('passes the accessibility audit after the run at %i px', async (widthPx) => {
    const { page } = session();
    await page.setViewport(widthPx, 900);
    await expect.poll(() => page.evaluate(() => document.querySelectorAll('.plot svg').length), POLL).toBeGreaterThan(5);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('does not scroll sideways at 390 px', async () => {
    const { page } = session();
    await page.setViewport(390, 844);
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

  it('scrolls to the experiment a deep link names, also inside a share link', async () => {
    const { page, url } = session();
    await page.setViewport(1280, 900);
    await page.evaluate(() => (location.hash = '#array-add'));
    await page.click('[data-testid="current-actions"] [data-testid="share-link"]');
    await expect.poll(() => page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="share-url"]')?.value ?? ''), POLL).toMatch(/#r=2\.[0-9a-f]{8}\..*&e=array-add$/);
    const shareUrl = await page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="share-url"]')!.value);
    const reader = await session().browser.newPage();
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
});
