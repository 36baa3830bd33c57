/**
 * The lab as a person uses it, in real Chromium, Firefox and WebKit: read the device panel, type a bad
 * parameter, run the CPU-heavy experiment from its button, read the rendered results, cancel a run.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../src/cli/browsers.ts';
import { useLab } from './harness.ts';

const POLL = { timeout: 180_000, interval: 250 };
/** Backends whose lanes share one memory: unavailable where the page has no SharedArrayBuffer. */
const SHARED_MEMORY_BACKENDS = ['shared-memory', 'wasm-simd'];

describe.each(ENGINES)('%s: the CPU-heavy experiment from the UI', (browserName) => {
  const session = useLab(browserName);
  const text = (selector: string) =>
    session().page.evaluate((s: string) => document.querySelector(s)?.textContent?.trim() ?? '', selector);

  it('shows the device panel with measured facts', async () => {
    await expect.poll(() => text('[data-field="browser"]'), POLL).toContain(browserName);
    expect(await text('[data-field="crossOriginIsolated"]')).toMatch(/^yes/);
    const timer = await text('[data-field="timerResolution"]');
    const micros = Number(timer.match(/([\d.]+) µs/)?.[1]);
    expect(micros).toBeGreaterThan(0);
    expect(micros).toBeLessThan(1000);
    expect(await text('[data-field="hardwareConcurrency"]')).toMatch(/^\d+/);
    expect(await text('[data-field="webgpu"]')).not.toBe('');
  });

  it('refuses an out-of-range parameter with a clear message and a disabled Run button', async () => {
    const { page } = session();
    await page.fill('#cpu-heavy input[name="n"]', '5e12');
    await expect.poll(() => text('#cpu-heavy [role="alert"]'), POLL).toMatch(/n must be between 1,000 and 1,500,000,000/);
    expect(await page.evaluate(() => document.querySelector<HTMLButtonElement>('[data-testid="run-cpu-heavy"]')!.disabled)).toBe(
      true,
    );
  });

  it('runs from the Run button and renders verified results, a speedup chart and a timeline', async () => {
    const { page } = session();
    const tasks = 6 + Math.floor(Math.random() * 6);
    await page.evaluate(() => {
      const select = document.querySelector<HTMLSelectElement>('[data-testid="preset"]')!;
      select.value = 'quick';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.fill('#cpu-heavy input[name="n"]', '30000000');
    await page.fill('#cpu-heavy input[name="tasks"]', String(tasks));
    await expect.poll(() => text('#cpu-heavy [role="alert"]'), POLL).toBe('');
    await page.click('[data-testid="run-cpu-heavy"]');
    await expect.poll(() => page.evaluate(() => window.parallelLab!.status()), POLL).toBe('done');

    const rows = await page.evaluate(() =>
      [...document.querySelectorAll('#cpu-heavy table.results tbody tr[data-backend]')].map((tr) => ({
        backend: tr.getAttribute('data-backend'),
        workers: Number(tr.getAttribute('data-workers')),
        verified: tr.querySelector('[data-verified]')?.getAttribute('data-verified'),
        median: Number(tr.querySelector('.median')?.textContent),
        unavailable: tr.querySelector('td.muted')?.textContent?.trim() ?? null,
      })),
    );
    const sharedArrayBuffer = await page.evaluate(() => window.parallelLab!.environment().then((e) => e.sharedArrayBuffer));
    // The quick preset sweeps lanes up to the core count (oversubscription is the thorough preset's): the
    // reported count, or the measured one where the browser reports more cores than ran at once (WebKitGTK).
    const plannedNote = await text('[data-testid="planned-cores"]');
    const cores = plannedNote ? Number(plannedNote.match(/use (\d+) cores/)![1]) : await page.evaluate(() => navigator.hardwareConcurrency);
    const expectedCounts = [...new Set([1, 2, 4, 8, 16, 32, 64].filter((p) => p <= cores).concat(cores))];
    expect(rows.filter((r) => r.backend === 'serial')).toHaveLength(1);
    expect(rows.filter((r) => r.backend === 'workers').map((r) => r.workers)).toEqual(
      expect.arrayContaining(expectedCounts),
    );
    expect(rows.filter((r) => r.backend === 'event-loop').length).toBeGreaterThanOrEqual(expectedCounts.length);
    for (const row of rows) {
      // WebKitGTK's automation session has no SharedArrayBuffer: the backends on shared memory say so instead.
      if (SHARED_MEMORY_BACKENDS.includes(row.backend!) && !sharedArrayBuffer) {
        expect(row.unavailable, `${row.backend} × ${row.workers}`).toMatch(/^unavailable: .*SharedArrayBuffer/);
        continue;
      }
      expect(row.verified, `${row.backend} × ${row.workers}`).toBe('true');
      expect(row.median).toBeGreaterThan(0);
    }
    const measured = rows.filter((r) => r.unavailable === null);
    // One dot per measured non-serial configuration, and the fitted serial fraction printed.
    await expect
      .poll(() => page.evaluate(() => document.querySelectorAll('#cpu-heavy .plot svg circle').length), POLL)
      .toBe(measured.length - 1);
    expect(await text('#cpu-heavy [data-amdahl="workers"]')).toMatch(/serial fraction \d+(\.\d)?% \(95% CI|no fit: /);
    // The run is done once the busy-machine checks are recorded (after the experiments too when they ran for
    // AFTER_CHECK_MIN_RUN_MS or more): wait until the page shows them before choosing a configuration.
    await expect.poll(() => text('[data-field="usableCores"]'), POLL).toMatch(/ before the run/);
    // The timeline opens on the fastest parallel configuration; chosen serial, it shows one bar per task on one lane.
    expect(await text('#cpu-heavy [data-testid="timeline-config"] option:checked')).not.toMatch(/^serial/);
    await page.evaluate(() => {
      const select = document.querySelector<HTMLSelectElement>('#cpu-heavy [data-testid="timeline-config"]')!;
      select.value = [...select.options].find((o) => o.text.startsWith('serial'))!.value;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    // Redrawn for the choice: one lane (one row of bars) and a bar per task.
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const bars = [...document.querySelectorAll('#cpu-heavy .plot svg g[data-mark="bar"] rect')];
            return { bars: bars.length, lanes: new Set(bars.map((bar) => bar.getAttribute('y'))).size };
          }),
        POLL,
      )
      .toEqual({ bars: tasks, lanes: 1 });
    // Zoomed to the second half of the sample, the axis starts there.
    const spanMs = Number((await text('#cpu-heavy .zoom .muted')).match(/–([\d.]+) ms/)![1]);
    await page.evaluate(() => {
      const from = document.querySelector<HTMLInputElement>('#cpu-heavy .zoom input[aria-label^="Zoom: window start"]')!;
      from.value = '50';
      from.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await expect
      .poll(async () => {
        const ticks = await page.evaluate(() =>
          [...document.querySelectorAll('#cpu-heavy .plot[aria-label^="Task timeline"] svg g[data-mark="x-axis tick label"] text')].map((t) => Number(t.textContent!.replace(/,/g, ''))),
        );
        return ticks.length > 0 && Math.min(...ticks) >= spanMs / 2 - spanMs / 10;
      }, POLL)
      .toBe(true);
    // The same sweep as time against lanes, and the scaling metrics for every point of it.
    await page.click('[data-testid="view-time-cpu-heavy"]');
    await expect
      .poll(() => page.evaluate(() => document.querySelector('#cpu-heavy .plot[aria-label^="Median time against lane count"] svg') !== null), POLL)
      .toBe(true);
    expect(await page.evaluate(() => document.querySelectorAll('[data-testid="scaling-cpu-heavy"] tbody tr').length)).toBe(measured.length - 1);
    expect(await page.evaluate(() => window.parallelLab!.liveWorkers())).toBe(0);
    // The busy-machine check ran: measured usable cores beside the reported ones, in the device panel and under
    // the results, and the busy warning beside the speedups exactly when the panel has it.
    expect(await text('[data-field="usableCores"]')).toMatch(/^\d+\.\d\d before the run(, \d+\.\d\d after)? \(reported: \d+\)/);
    expect(await text('[data-testid="usable-cores-cpu-heavy"]')).toMatch(/^Usable cores measured by the check: \d+\.\d\d before the run/);
    const busyShown = await page.evaluate(() =>
      ['[data-testid="device-busy"]', '[data-testid="busy-cpu-heavy"]'].map((s) => document.querySelector(s)?.textContent ?? null),
    );
    if (busyShown[0] !== null) expect(busyShown[1]).toMatch(/The machine was busy: about [\d.]+ of \d+ cores were usable; speedups are understated\./);
    else expect(busyShown[1]).toBeNull();
  });

  it('cancels a run: status says so and no worker is left alive', async () => {
    const { page } = session();
    // Started through the page API with only the worker backend (and serial, always kept), to reach workers fast.
    await page.evaluate(() => {
      void window.parallelLab!.run({
        experiments: ['cpu-heavy'],
        preset: 'quick',
        // Serial (always kept) runs first: large enough that the worker configurations last seconds, no larger.
        params: { 'cpu-heavy': { n: 300_000_000, tasks: 64 } },
        backends: ['workers'],
      }).catch(() => undefined);
    });
    // Wait until workers are really running, then cancel from the UI.
    await expect
      .poll(async () => (await page.evaluate(() => window.parallelLab!.progress()?.backend)) === 'workers', POLL)
      .toBe(true);
    await expect.poll(() => page.evaluate(() => window.parallelLab!.liveWorkers()), POLL).toBeGreaterThan(0);
    // The driver learns of new workers by an event of its own, a moment after the page does.
    if (browserName === 'chromium') await expect.poll(() => page.driverWorkerCount(), POLL).toBeGreaterThan(0);
    await page.click('[data-testid="cancel"]');
    await expect.poll(() => page.evaluate(() => window.parallelLab!.status()), POLL).toBe('cancelled');
    expect(await page.evaluate(() => window.parallelLab!.liveWorkers())).toBe(0);
    expect(await text('[data-testid="run-message"]')).toMatch(/Cancelled/);
    // The driver's own view of the page's workers (Chromium exposes it) agrees: none survive.
    if (browserName === 'chromium') await expect.poll(() => page.driverWorkerCount(), POLL).toBe(0);
  });
});
