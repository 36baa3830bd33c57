/**
 * Saved runs, export and import, share links and the compare view, driven through the page's UI in real
 * headless Chromium and Firefox: a suite reloaded mid-run keeps its finished experiment, an exported run
 * imports back with identical numbers, a share link shows the same medians in a fresh page, corrupt files
 * and links are refused without changing anything, and a two-browser bench comparison opens side by side.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, type LabPage } from '../../src/cli/browsers.ts';
import { waitForLab } from '../../src/cli/run-in-browser.ts';
import type { Comparison } from '../../src/results/comparison.ts';
import { HISTORY_DB_NAME } from '../../src/results/history.ts';
import type { MeasuredResult, Results } from '../../src/results/schema.ts';
import { runBench } from './bench-cli.ts';
import { importText, scaleTimes, secondPage, useLab } from './harness.ts';

const POLL = { timeout: 120_000, interval: 200 };

/** A configuration's row as a results table renders it: what a person reads, compared across views. */
interface RenderedRow {
  backend: string | null;
  workers: string | null;
  size: string | null;
  variant: string | null;
  median: string;
}

function renderedRows(page: LabPage, tableSelector: string): Promise<RenderedRow[]> {
  return page.evaluate(
    (s: string) =>
      [...document.querySelectorAll(`${s} tbody tr[data-backend]`)].map((tr) => ({
        backend: tr.getAttribute('data-backend'),
        workers: tr.getAttribute('data-workers'),
        size: tr.getAttribute('data-size'),
        variant: tr.getAttribute('data-variant'),
        median: tr.querySelector('.median')?.textContent?.trim() ?? '',
      })),
    tableSelector,
  );
}

/** Record downloads instead of saving them: the page's Blob, and the file name its link offers. */
function captureDownloads(page: LabPage): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { downloads?: Array<{ name: string; blob: Blob }> };
    if (w.downloads) return;
    w.downloads = [];
    const blobs = new Map<string, Blob>();
    const createObjectURL = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (object: Blob | MediaSource) => {
      const url = createObjectURL(object);
      if (object instanceof Blob) blobs.set(url, object);
      return url;
    };
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      const blob = blobs.get(this.href);
      if (this.download && blob) w.downloads!.push({ name: this.download, blob });
      else click.call(this);
    };
  });
}

/** Click an export button and read what it offered for download. */
async function download(page: LabPage, buttonSelector: string): Promise<{ name: string; type: string; text: string }> {
  const before = await page.evaluate(() => (window as unknown as { downloads: unknown[] }).downloads.length);
  await page.click(buttonSelector);
  await expect.poll(() => page.evaluate(() => (window as unknown as { downloads: unknown[] }).downloads.length), POLL).toBe(before + 1);
  return page.evaluate(async () => {
    const last = (window as unknown as { downloads: Array<{ name: string; blob: Blob }> }).downloads.at(-1)!;
    return { name: last.name, type: last.blob.type, text: await last.blob.text() };
  });
}

/** What a refused import must leave alone: the saved runs and what is shown. */
function pageState(page: LabPage) {
  return page.evaluate(async () => ({
    saved: (await window.parallelLab!.history()).map((r) => `${r.id} ${r.status} ${r.experimentIds.join(',')}`),
    listed: [...document.querySelectorAll('[data-testid="history"] tr[data-run-id]')].map((tr) => tr.textContent),
    opened: document.querySelector('[data-testid="opened-run"]')?.textContent ?? null,
    compared: document.querySelector('[data-testid="compare-view"]')?.textContent ?? null,
  }));
}

const text = (page: LabPage, selector: string) =>
  page.evaluate((s: string) => document.querySelector(s)?.textContent?.trim() ?? '', selector);

/** `npm run bench` across both browsers, once for the file: the comparison file and the compare link it prints. */
let benchOutcome: Promise<{ file: string; stdout: string; stderr: string }> | undefined;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parallel-lab-history-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function benchComparison() {
  benchOutcome ??= (async () => {
    const file = join(dir, 'comparison.json');
    const { code, stdout, stderr } = await runBench(
      // A short cpu-heavy on serial and workers: the comparison's shape, not its figures, is under test here.
      ['--browser', 'chromium,firefox', '--experiments', 'cpu-heavy', '--quick', '--backends', 'workers', '--param', 'cpu-heavy.n=4000000', '--out', file],
      300_000,
    );
    if (code !== 0) throw new Error(`The bench exited ${code}: ${stderr}`);
    return { file, stdout, stderr };
  })();
  // A failure is not remembered: a retried test makes its own.
  benchOutcome.catch(() => (benchOutcome = undefined));
  return benchOutcome;
}

/**
 * Start from the lab with no saved runs and nothing open: the history database earlier tests filled is
 * deleted (the page closes its connection when asked) and the page loaded afresh.
 */
async function freshLab(page: LabPage, url: string): Promise<void> {
  await page.goto(url);
  await waitForLab(page);
  await page.evaluate(
    (name: string) =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(name);
        request.onsuccess = () => resolve();
        request.onerror = () => reject(request.error);
      }),
    HISTORY_DB_NAME,
  );
  await page.goto(url);
  await waitForLab(page);
  await expect.poll(() => text(page, '[data-testid="history-empty"]'), POLL).toMatch(/No saved runs/);
}

/** The rows of the results on show, once they are rendered. */
async function openedRows(page: LabPage): Promise<RenderedRow[]> {
  const selector = '[data-testid="opened-run"] [data-experiment="cpu-heavy"] table.results';
  await expect.poll(async () => (await renderedRows(page, selector)).length, POLL).toBeGreaterThan(2);
  return renderedRows(page, selector);
}

/** Import `text` and wait until it is shown as an imported file. */
async function importShown(page: LabPage, text: string, name: string): Promise<void> {
  await importText(page, text, name);
  await expect.poll(() => page.evaluate(() => document.querySelector('[data-testid="opened-run"]')?.getAttribute('data-origin')), POLL).toBe('file');
}

/** `doc` with every time multiplied by `scale` and its date moved back an hour or two: another run of the same work. */
function scaledCopy(docText: string, scale: number): string {
  const other = JSON.parse(docText) as Results;
  other.createdAt = new Date(Date.parse(other.createdAt) - 3_600_000 * (1 + Math.random())).toISOString();
  for (const r of other.experiments[0]!.results) scaleTimes(r, scale);
  return JSON.stringify(other);
}

describe.each(ENGINES)('%s: saved runs, export, import, share links and comparison', (browserName) => {
  const session = useLab(browserName);

  /**
   * A quick cpu-heavy run made in this browser and exported from the history as JSON, made once for the
   * file: the input of the tests that read, share and compare runs. Each test still starts from a fresh lab.
   */
  let exportedOnce: Promise<{ name: string; type: string; text: string }> | undefined;
  function exportedRun() {
    const { page, url } = session();
    exportedOnce ??= (async () => {
      await freshLab(page, url);
      await page.evaluate(() => window.parallelLab!.run({ experiments: ['cpu-heavy'], preset: 'quick', params: { 'cpu-heavy': { n: 4_000_000 } } }).then(() => undefined));
      // Opened once the history has recorded the run's end, as the row's status shows a reader.
      await expect
        .poll(() => page.evaluate(() => [...document.querySelectorAll('[data-testid="history"] tr[data-run-id]')].map((tr) => tr.getAttribute('data-status'))), POLL)
        .toEqual(['complete']);
      await page.click('[data-testid="history-open"]');
      await expect
        .poll(
          () =>
            page.evaluate(() => ({
              origin: document.querySelector('[data-testid="opened-run"]')?.getAttribute('data-origin') ?? null,
              alert: document.querySelector('.alert-text')?.textContent ?? null,
            })),
          POLL,
        )
        .toEqual({ origin: 'history', alert: null });
      await captureDownloads(page);
      return download(page, '[data-testid="opened-actions"] [data-testid="export-json"]');
    })();
    // A failure is not remembered: a retried test (after a crashed page) exports its own.
    exportedOnce.catch(() => (exportedOnce = undefined));
    return exportedOnce;
  }

  it('saves a suite experiment by experiment: after a reload mid-suite the finished experiment is in the history', async () => {
    const { page, url } = session();
    await freshLab(page, url);
    await page.goto(`${url}?experiments=cpu-heavy,tiny-tasks,data-transfer&preset=quick`);
    await waitForLab(page);
    await expect.poll(() => text(page, '[data-testid="history-empty"]'), POLL).toMatch(/No saved runs/);
    await page.click('[data-testid="run-all"]');

    // The first experiment has finished and is on disk (the history lists it) while the suite goes on.
    await expect.poll(() => text(page, '#cpu-heavy [data-testid="result-cpu-heavy"]'), POLL).not.toBe('');
    const rowsBeforeReload = await renderedRows(page, '#cpu-heavy table.results');
    expect(rowsBeforeReload.length).toBeGreaterThan(2);
    await expect
      .poll(() => text(page, '[data-testid="history"] tr[data-run-id] td.experiments'), POLL)
      .toMatch(/^1: cpu-heavy$/);
    expect(await text(page, '[data-testid="history"] tr[data-run-id] td.status')).toBe('running');
    expect(await page.evaluate(() => window.parallelLab!.status())).toBe('running');

    await page.reload();
    await waitForLab(page);
    await expect.poll(() => page.evaluate(() => document.querySelectorAll('[data-testid="history"] tr[data-run-id]').length), POLL).toBe(1);
    // Cut off by the reload: either it never finished, or the page marked it cancelled while unloading.
    expect(await text(page, '[data-testid="history"] tr[data-run-id] td.status')).toMatch(/^(unfinished|cancelled)$/);
    expect(await text(page, '[data-testid="history"] tr[data-run-id] td.experiments')).toMatch(/^\d+: cpu-heavy(, tiny-tasks)?$/);
    const [saved] = await page.evaluate(() => window.parallelLab!.history());
    expect(saved).toMatchObject({ browser: { name: browserName }, source: 'local', complete: false });
    expect(saved!.experimentIds[0]).toBe('cpu-heavy');

    // Opened read-only, its numbers are the ones shown before the reload, and its export says it was cut short.
    await page.click('[data-testid="history-open"]');
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-testid="opened-run"]')?.getAttribute('data-origin')), POLL).toBe(
      'history',
    );
    expect(await renderedRows(page, '[data-testid="opened-run"] [data-experiment="cpu-heavy"] table.results')).toEqual(rowsBeforeReload);
    await captureDownloads(page);
    const exported = await download(page, '[data-testid="opened-actions"] [data-testid="export-json"]');
    expect((JSON.parse(exported.text) as Results).cancelled).toBe(true);
  });

  it('deletes a saved run with a chance to undo: Undo brings it back; otherwise the next delete removes it for good, and a page closed meanwhile keeps the run', async () => {
    const { page, url } = session();
    const exported = await exportedRun();
    await freshLab(page, url);
    for (const [docText, name] of [[exported.text, exported.name], [scaledCopy(exported.text, 1.25), 'another-run.json']] as const) {
      await importShown(page, docText, name);
      await page.click('[data-testid="save-opened"]');
      await expect.poll(() => text(page, '[data-testid="saved-note"]'), POLL).toBe('Saved to history.');
      await page.click('[data-testid="close-opened"]');
    }
    const rowIds = () => page.evaluate(() => [...document.querySelectorAll('[data-testid="history"] tr[data-run-id]')].map((tr) => tr.getAttribute('data-run-id')!));
    const savedIds = () => page.evaluate(async () => (await window.parallelLab!.history()).map((r) => r.id));
    await expect.poll(rowIds, POLL).toHaveLength(2);
    const [first, second] = await rowIds();
    const deleteRow = (id: string) => page.click(`[data-testid="history"] tr[data-run-id="${id}"] [data-testid="history-delete"]`);

    await deleteRow(first!);
    await expect.poll(() => text(page, '[data-testid="delete-toast"]'), POLL).toMatch(/^Deleted the run of .+\.\s+Undo$/);
    expect(await rowIds()).toEqual([second]);
    await page.click('[data-testid="undo-delete"]');
    await expect.poll(rowIds, POLL).toEqual([first, second]);
    expect(await text(page, '[data-testid="delete-toast"]')).toBe('');
    expect((await savedIds()).sort()).toEqual([first, second].sort());

    // Not undone: the next delete ends the first one's undo period at once (as its timer would, which the
    // unit tests cover), so that run leaves the disk; the second stays on disk while it can still be undone.
    await deleteRow(first!);
    await expect.poll(rowIds, POLL).toEqual([second]);
    // The list empties once the first run's removal from disk has finished and the second's undo period begun.
    await deleteRow(second!);
    await expect.poll(rowIds, POLL).toEqual([]);
    await expect.poll(() => text(page, '[data-testid="delete-toast"]'), POLL).toMatch(/^Deleted the run of .+\.\s+Undo$/);
    // A page closed before the undo period ends keeps that run, the safe way to fail; the first is gone for good.
    await page.reload();
    await waitForLab(page);
    await expect.poll(rowIds, POLL).toEqual([second]);
  });

  it('exports a saved run as JSON and CSV, and imports the JSON back with identical numbers', async () => {
    const { page, url } = session();
    const source = await exportedRun();
    await freshLab(page, url);
    await captureDownloads(page);
    await importShown(page, source.text, source.name);
    await page.click('[data-testid="save-opened"]');
    await expect.poll(() => text(page, '[data-testid="saved-note"]'), POLL).toMatch(/Saved to history/);
    await page.click('[data-testid="close-opened"]');
    await page.click('[data-testid="history-open"]');
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-testid="opened-run"]')?.getAttribute('data-origin')), POLL).toBe(
      'history',
    );
    const rows = await openedRows(page);

    const exported = await download(page, '[data-testid="opened-actions"] [data-testid="export-json"]');
    // The browser's major version, or "unknown" where its user agent gives none (WebKitGTK's MiniBrowser).
    expect(exported.name).toMatch(new RegExp(`^parallel-lab-${browserName}-(\\d+|unknown)-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d\\.json$`));
    expect(exported.type).toBe('application/json');
    expect(JSON.parse(exported.text)).toEqual(JSON.parse(source.text));
    const doc = JSON.parse(exported.text) as Results;
    expect(doc.schema).toBe('parallel-lab/results/v1');
    const cpu = doc.experiments.find((e) => e.id === 'cpu-heavy')!;
    const serial = cpu.results.find((r): r is MeasuredResult => r.backend === 'serial' && 'medianMs' in r)!;
    // The quick preset takes 3 samples of runs long next to its budget, 5 or more of shorter ones.
    expect(serial.samplesMs.length).toBeGreaterThanOrEqual(3);
    expect(serial.medianMs).toBeGreaterThan(0);

    const csv = await download(page, '[data-testid="opened-actions"] [data-testid="export-csv"]');
    expect(csv.type).toBe('text/csv');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^browser,experiment,backend,variant,workers,size,status,medianMs,/);
    expect(lines.filter((l) => l.includes(`,cpu-heavy,serial,,1,,measured,${serial.medianMs},`))).toHaveLength(1);

    // Back in through the file input: shown as an imported file, and exported again it is the same document.
    await page.click('[data-testid="close-opened"]');
    await expect.poll(() => text(page, '[data-testid="opened-run"]'), POLL).toBe('');
    await importShown(page, exported.text, exported.name);
    expect(await text(page, '[data-testid="import-alert"]')).toBe('');
    expect(await text(page, '#opened-title')).toMatch(/^Imported results: /);
    expect(await openedRows(page)).toEqual(rows);
    const again = await download(page, '[data-testid="opened-actions"] [data-testid="export-json"]');
    expect(again.text).toBe(exported.text);

    // A different run read from a file (fresh numbers, another time) can be kept in the history beside it.
    await importText(page, scaledCopy(exported.text, 1.5 + Math.random()), 'other.json');
    await expect.poll(() => text(page, '[data-testid="opened-run"] [data-experiment="cpu-heavy"] tr[data-backend="serial"] .median'), POLL).not.toBe(
      rows.find((r) => r.backend === 'serial')!.median,
    );
    await page.click('[data-testid="save-opened"]');
    await expect.poll(() => text(page, '[data-testid="saved-note"]'), POLL).toMatch(/Saved to history/);
    expect((await page.evaluate(() => window.parallelLab!.history())).map((r) => r.source)).toEqual(['file', 'file']);
    expect(await page.evaluate(() => document.querySelectorAll('[data-testid="history"] tr[data-run-id]').length)).toBe(2);
  });

  it('makes a share link that shows the same medians, labelled as shared, in a fresh page', async () => {
    const { page, url } = session();
    const exported = await exportedRun();
    await freshLab(page, url);
    await importShown(page, exported.text, exported.name);
    const rows = await openedRows(page);
    await page.click('[data-testid="opened-actions"] [data-testid="share-link"]');
    await expect
      .poll(() => page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="opened-actions"] [data-testid="share-url"]')?.value ?? ''), POLL)
      .toMatch(/#r=2\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    const shareUrl = await page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="opened-actions"] [data-testid="share-url"]')!.value);
    expect(shareUrl.startsWith(url)).toBe(true);
    expect(await text(page, '[data-testid="opened-actions"] [data-testid="share-message"]')).toMatch(/characters/);

    const fresh = await secondPage(session());
    try {
      await fresh.goto(shareUrl);
      await waitForLab(fresh);
      await expect.poll(() => text(fresh, '#opened-title'), POLL).toMatch(/^Shared results: /);
      expect(await text(fresh, '[data-testid="opened-summary"]')).toMatch(/nothing was run on this machine/);
      expect(await openedRows(fresh)).toEqual(rows);
      expect(await fresh.evaluate(() => window.parallelLab!.status())).toBe('idle');
    } finally {
      await fresh.close();
    }
  });

  it('refuses truncated, hostile and mistyped files and a corrupt link with a clear message, changing nothing', async () => {
    const { page, url } = session();
    const exported = await exportedRun();
    await freshLab(page, url);
    await importShown(page, exported.text, exported.name);
    await page.click('[data-testid="save-opened"]');
    await expect.poll(() => text(page, '[data-testid="saved-note"]'), POLL).toMatch(/Saved to history/);
    await page.click('[data-testid="opened-actions"] [data-testid="share-link"]');
    await expect
      .poll(() => page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="opened-actions"] [data-testid="share-url"]')?.value ?? ''), POLL)
      .toMatch(/#r=2\./);
    const shareUrl = await page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="opened-actions"] [data-testid="share-url"]')!.value);
    const before = await pageState(page);
    expect(before.opened).not.toBeNull();
    expect(before.saved).toHaveLength(1);

    const cut = exported.text.slice(0, Math.floor(exported.text.length * (0.2 + 0.6 * Math.random())));
    const hostile = exported.text.replace('"experiments": [', '"__proto__": { "polluted": true },\n  "experiments": [');
    const wrongType = JSON.parse(exported.text) as { experiments: Array<{ results: Array<Record<string, unknown>> }> };
    wrongType.experiments[0]!.results[0]!.medianMs = 'fast';
    const cases: Array<[string, string, RegExp]> = [
      ['truncated.json', cut, /not valid JSON/],
      ['hostile.json', hostile, /"__proto__" key.*refused/],
      ['wrong-type.json', JSON.stringify(wrongType), /does not match parallel-lab\/results\/v1[\s\S]*\/experiments\/0\/results\/0/],
    ];
    for (const [name, content, message] of cases) {
      await importText(page, content, name);
      await expect.poll(() => text(page, '[data-testid="import-alert"]'), POLL).toMatch(message);
      expect(await page.evaluate(() => document.querySelector('[data-testid="import-alert"]')!.getAttribute('role'))).toBe('alert');
      expect(await pageState(page), name).toEqual(before);
      expect(await page.evaluate(() => (Object.prototype as Record<string, unknown>).polluted)).toBeUndefined();
    }

    // A link cut short, opened in a fresh page: the message shows, nothing opens, and the lab still runs.
    const payloadStart = shareUrl.indexOf('#r=2.') + 5;
    const truncated = shareUrl.slice(0, payloadStart + Math.floor((shareUrl.length - payloadStart) * (0.3 + 0.5 * Math.random())));
    const fresh = await secondPage(session());
    try {
      await fresh.goto(truncated);
      await waitForLab(fresh);
      await expect.poll(() => text(fresh, '[data-testid="import-alert"]'), POLL).toMatch(/damaged or incomplete|cut short/);
      expect(await text(fresh, '[data-testid="opened-run"]')).toBe('');
      expect(await fresh.evaluate(() => document.querySelector<HTMLButtonElement>('[data-testid="run-all"]')!.disabled)).toBe(false);
      // An altered link, pasted while the page is open: same kind of message.
      const altered = shareUrl.slice(0, payloadStart) + [...shareUrl.slice(payloadStart)].reverse().join('');
      await fresh.evaluate((hash: string) => (location.hash = hash), altered.slice(altered.indexOf('#')));
      await expect.poll(() => text(fresh, '[data-testid="import-alert"]'), POLL).toMatch(/damaged|cannot read/);
      expect(await text(fresh, '[data-testid="opened-run"]')).toBe('');
    } finally {
      await fresh.close();
    }
    expect(await pageState(page)).toEqual(before);
  });

  it('offers a link without task timelines when the full one would be too long', async () => {
    const { page, url } = session();
    const exported = await exportedRun();
    await freshLab(page, url);
    await importShown(page, exported.text, exported.name);
    const rows = await openedRows(page);
    // Random bars barely compress: tens of thousands make a fragment past what browsers reliably accept.
    const big = JSON.parse(exported.text) as Results;
    const last = big.experiments[0]!.results.filter((r): r is MeasuredResult => 'timeline' in r).at(-1)!;
    last.timeline = Array.from({ length: 60_000 }, (_, i) => {
      const startMs = Math.random() * 1_000;
      return { lane: i % 4, startMs, endMs: startMs + Math.random() };
    });
    await page.click('[data-testid="close-opened"]');
    await expect.poll(() => text(page, '[data-testid="opened-run"]'), POLL).toBe('');
    await importText(page, JSON.stringify(big), 'big.json');
    await expect.poll(() => text(page, '#opened-title'), POLL).toMatch(/^Imported results: /);
    await page.click('[data-testid="opened-actions"] [data-testid="share-link"]');
    await expect.poll(() => text(page, '[data-testid="opened-actions"] [data-testid="share-message"]'), POLL).toMatch(
      /characters, over the [\d,]+ a browser reliably accepts/,
    );
    // The offer comes with the message, not after it.
    expect(await page.evaluate(() => document.querySelector('[data-testid="opened-actions"] [data-testid="share-link-lean"]') !== null)).toBe(true);
    await page.click('[data-testid="opened-actions"] [data-testid="share-link-lean"]');
    await expect.poll(() => text(page, '[data-testid="opened-actions"] [data-testid="share-message"]'), POLL).toMatch(/timelines were left out/);
    const lean = await page.evaluate(() => document.querySelector<HTMLInputElement>('[data-testid="opened-actions"] [data-testid="share-url"]')!.value);
    expect(lean.length).toBeLessThan(1_000_000);
    const decoded = await page.evaluate((link: string) => window.parallelLab!.openShared(link), lean);
    expect(decoded).toEqual({ ok: true, kind: 'results' });
    expect(await text(page, '#opened-title')).toMatch(/^Shared results: /);
    expect(await openedRows(page)).toEqual(rows);
  });

  it('compares runs ticked in the history: ratios to the first run', async () => {
    const { page, url } = session();
    const exported = await exportedRun();
    await freshLab(page, url);
    await importShown(page, exported.text, exported.name);
    const rows = await openedRows(page);
    await page.click('[data-testid="save-opened"]');
    await expect.poll(() => text(page, '[data-testid="saved-note"]'), POLL).toMatch(/Saved to history/);
    const scale = 1.5 + Math.random();
    await importText(page, scaledCopy(exported.text, scale), 'other.json');
    await expect.poll(() => text(page, '[data-testid="opened-run"] [data-experiment="cpu-heavy"] tr[data-backend="serial"] .median'), POLL).not.toBe(
      rows.find((r) => r.backend === 'serial')!.median,
    );
    await page.click('[data-testid="save-opened"]');
    await expect.poll(() => page.evaluate(() => document.querySelectorAll('[data-testid="history"] tr[data-run-id]').length), POLL).toBe(2);
    await page.click('[data-testid="close-opened"]');
    for (const row of [1, 2]) await page.click(`[data-testid="history"] tr[data-run-id]:nth-child(${row}) [data-testid="history-tick"]`);
    await expect.poll(() => text(page, '[data-testid="compare-selected"]'), POLL).toBe('Compare selected (2)');
    await page.click('[data-testid="compare-selected"]');
    await expect.poll(() => text(page, '#compare-title'), POLL).toBe('Comparison of 2 runs');
    expect(await page.evaluate(() => document.querySelector('[data-testid="compare-view"]')!.getAttribute('data-origin'))).toBe('history');
    // Newest first in the list: the run as made is the reference, the scaled copy (dated earlier) is second.
    const ratios = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="compare-view"] [data-experiment="cpu-heavy"] td.ratio')].map((td) => Number(td.getAttribute('data-ratio'))),
    );
    expect(ratios.length).toBe(rows.filter((r) => r.median !== '').length);
    for (const ratio of ratios) expect(ratio).toBeCloseTo(scale, 9);
    await page.click('[data-testid="close-compare"]');
    await expect.poll(() => text(page, '[data-testid="compare-view"]'), POLL).toBe('');
  });

  it("opens the bench CLI's two-browser comparison: both browsers' rows and ratios side by side", async () => {
    const { page, url } = session();
    const { file, stdout } = await benchComparison();
    await freshLab(page, url);
    const comparison = JSON.parse(await readFile(file, 'utf8')) as Comparison;
    expect(comparison.schema).toBe('parallel-lab/comparison/v1');
    expect(comparison.runs.map((r) => r.environment.browser.name)).toEqual(['chromium', 'firefox']);

    // The file, through the Import control.
    await importText(page, JSON.stringify(comparison), 'comparison.json');
    await expect.poll(() => text(page, '#compare-title'), POLL).toBe('Comparison of 2 runs');
    await expectComparison(page, comparison);

    // The link the CLI wrote beside the comparison (and printed, when short enough for a terminal), its
    // fragment opened against this test's server.
    expect(stdout).toMatch(/^Compare view \(after npm start\): /m);
    const linkPage = await readFile(file.replace(/\.json$/, '.html'), 'utf8');
    const printed = linkPage.match(/href="([^"]+#r=2\.[^"]+)"/)?.[1]?.replaceAll('&amp;', '&');
    expect(printed, 'the bench writes a compare link').toBeDefined();
    await page.click('[data-testid="close-compare"]');
    await expect.poll(() => text(page, '[data-testid="compare-view"]'), POLL).toBe('');
    await page.goto(url + printed!.slice(printed!.indexOf('#')));
    await waitForLab(page);
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-testid="compare-view"]')?.getAttribute('data-origin')), POLL).toBe('link');
    await expectComparison(page, comparison);

    // Both runs kept in the history; then one click compares the latest Chromium run with the latest Firefox run.
    for (const run of comparison.runs) {
      await importText(page, JSON.stringify(run), `${run.environment.browser.name}.json`);
      await expect.poll(() => text(page, '#opened-title'), POLL).toMatch(new RegExp(`^Imported results: ${run.environment.browser.name}`, 'i'));
      await page.click('[data-testid="save-opened"]');
      await expect.poll(() => text(page, '[data-testid="saved-note"]'), POLL).toBe('Saved to history.');
    }
    await page.click('[data-testid="compare-latest-browsers"]');
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-testid="compare-view"]')?.getAttribute('data-origin')), POLL).toBe('history');
    const named = await page.evaluate(() => [...document.querySelectorAll('[data-testid="compare-runs"] li')].map((li) => li.textContent?.trim() ?? ''));
    expect(named.map((n) => n.split(' ')[0])).toEqual(['Chromium', 'Firefox']);
  });
});

/** Both runs named by browser and cores, each configuration's medians and the second run's ratio to the first. */
async function expectComparison(page: LabPage, comparison: Comparison) {
  const cores = comparison.runs[0]!.environment.hardwareConcurrency;
  const labels = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="compare-view"] [data-experiment="cpu-heavy"] th.run-label')].map((th) => th.textContent?.trim()),
  );
  expect(labels).toEqual([
    `Chromium ${comparison.runs[0]!.environment.browser.version.split('.')[0]} · ${cores} cores`,
    `Firefox ${comparison.runs[1]!.environment.browser.version.split('.')[0]} · ${comparison.runs[1]!.environment.hardwareConcurrency} cores`,
  ]);
  const rows = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="compare-view"] [data-experiment="cpu-heavy"] tbody tr')].map((tr) => ({
      backend: tr.getAttribute('data-backend'),
      workers: tr.getAttribute('data-workers'),
      medians: [...tr.querySelectorAll('td.median')].map((td) => Number(td.getAttribute('data-median-ms'))),
      ratios: [...tr.querySelectorAll('td.ratio')].map((td) => Number(td.getAttribute('data-ratio'))),
    })),
  );
  const measured = (run: Results, backend: string, workers: number) =>
    run.experiments[0]!.results.find((r): r is MeasuredResult => r.backend === backend && r.workers === workers && 'medianMs' in r);
  let checked = 0;
  for (const row of rows) {
    const a = measured(comparison.runs[0]!, row.backend!, Number(row.workers));
    const b = measured(comparison.runs[1]!, row.backend!, Number(row.workers));
    if (!a || !b) continue;
    expect(row.medians).toEqual([a.medianMs, b.medianMs]);
    expect(row.ratios).toHaveLength(1);
    expect(row.ratios[0]).toBeCloseTo(b.medianMs / a.medianMs, 9);
    checked++;
  }
  expect(checked).toBeGreaterThanOrEqual(3);
  // One chart overlays both runs' speedup curves.
  await expect
    .poll(() => page.evaluate(() => document.querySelector('[data-testid="compare-view"] [data-experiment="cpu-heavy"] .plot svg') !== null), POLL)
    .toBe(true);
}
