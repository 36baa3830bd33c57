/**
 * Failing workers and devices in real browsers. The test wraps the page's Worker and GPUDevice from outside
 * (the lab has no hook for it): one worker's kernel throws, one never answers, one is terminated mid-run; the
 * GPU device is destroyed mid-run; a GPU allocation is too large. Each time the run ends with a clear message
 * on the one configuration hit, the others' results kept, no worker alive, and a next run that works.
 * Cancels at random points are cancel-storm.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES, type LabPage } from '../../src/cli/browsers.ts';
import type { SuiteRequest } from '../../src/engine/run-suite.ts';
import { failedOf, freshLab, runInPage as run, useLab, verifiedOf } from './harness.ts';

const POLL = { timeout: 120_000, interval: 100 };

/**
 * Wrap the page's Worker so that, once an experiment is running, the first task call to a worker misbehaves:
 * `throw` sends it to a kernel that does not exist (the worker throws a RangeError), `hang` leaves that worker
 * deaf from then on, `terminate` kills it right after posting. Later calls pass, so one configuration is hit.
 */
function sabotageWorkers(page: LabPage, mode: 'throw' | 'hang' | 'terminate'): Promise<void> {
  return page.evaluate((how: string) => {
    const Native = window.Worker;
    const state = { used: false };
    class Sabotaged extends Native {
      private deaf = false;
      override postMessage(message: unknown, transfer?: unknown): void {
        if (this.deaf) return;
        const m = message as { type?: string; path?: string[]; argumentList?: unknown[] } | null;
        const taskCall = m?.type === 'APPLY' && (m.path?.[0] === 'run' || m.path?.[0] === 'runShared');
        if (taskCall && !state.used && window.parallelLab?.progress()) {
          state.used = true;
          if (how === 'hang') {
            this.deaf = true;
            return;
          }
          if (how === 'throw') {
            message = { ...m, argumentList: [{ type: 'RAW', value: { workload: 'cpu-heavy', kernel: 'sabotaged' } }, ...m.argumentList!.slice(1)] };
          }
          if (how === 'terminate') {
            super.postMessage(message, transfer as Transferable[]);
            Native.prototype.terminate.call(this);
            return;
          }
        }
        super.postMessage(message, transfer as Transferable[]);
      }
    }
    window.Worker = Sabotaged;
  }, mode);
}

/**
 * The watchdog's floor for these runs, in ms: their runs take milliseconds, so a worker that stops answering
 * is given up after this rather than after the default's generous 10 s.
 */
const WATCHDOG_FLOOR_MS = 3_000;

/** cpu-heavy on serial and the worker backends, quick, with a short loop: a fraction of a second a configuration. */
const cpuHeavy = (): SuiteRequest => ({
  experiments: ['cpu-heavy'],
  preset: 'quick',
  watchdogFloorMs: WATCHDOG_FLOOR_MS,
  params: { 'cpu-heavy': { n: 2_000_000 + Math.floor(Math.random() * 2_000_000), tasks: 8 + Math.floor(Math.random() * 8) } },
  backends: ['workers', 'shared-memory'],
});

/** What every failure must leave: no worker alive, and a next run of the same request fully verified. */
async function expectRecovered(page: LabPage, request: SuiteRequest): Promise<void> {
  expect(await page.evaluate(() => window.parallelLab!.liveWorkers())).toBe(0);
  expect(await page.evaluate(() => window.parallelLab!.status())).toBe('done');
  const again = await run(page, request);
  expect(failedOf(again)).toEqual([]);
  expect(verifiedOf(again).length).toBeGreaterThanOrEqual(3);
  expect(await page.evaluate(() => window.parallelLab!.liveWorkers())).toBe(0);
}

describe.each(ENGINES)('%s: failing workers and devices', (browserName) => {
  const session = useLab(browserName);

  it.each([
    ['throws', 'throw', /^RangeError: Experiment "cpu-heavy" has no kernel "sabotaged"\.$/],
    ['never answers', 'hang', /^WatchdogError: No progress for \d+(\.\d)? s during (workers|shared-memory) × \d+, (warm-up|sample \d+): given up so the rest of the suite goes on\.$/],
    ['is terminated mid-run', 'terminate', /^WatchdogError: No progress for \d+(\.\d)? s during (workers|shared-memory) × \d+, (warm-up|sample \d+): given up/],
  ] as const)('a worker that %s fails its configuration alone, with a clear message', async (_, mode, message) => {
    const { page, url } = session();
    await freshLab(page, url);
    await sabotageWorkers(page, mode);
    const request = cpuHeavy();
    const results = await run(page, request);
    const failed = failedOf(results);
    expect(failed.map((r) => r.error)).toHaveLength(1);
    expect(failed[0]!.error).toMatch(message);
    // A hang is given up after the request's floor (or 20 times the longest run, when that is longer), well
    // before the default floor of 10 s.
    const givenUpAfterS = Number(failed[0]!.error.match(/No progress for ([\d.]+) s/)?.[1] ?? 0);
    if (mode !== 'throw') expect(givenUpAfterS).toBeGreaterThanOrEqual(WATCHDOG_FLOOR_MS / 1000);
    if (mode !== 'throw') expect(givenUpAfterS).toBeLessThan(10);
    // The other configurations' results are kept, serial among them.
    const verified = verifiedOf(results);
    expect(verified.some((r) => r.backend === 'serial')).toBe(true);
    expect(verified.length).toBeGreaterThanOrEqual(2);
    // And the page says so where the results are shown.
    await expect.poll(() => page.evaluate(() => document.querySelector('#cpu-heavy')?.textContent ?? ''), POLL).toContain(failed[0]!.error.slice(0, 40));
    await expectRecovered(page, request);
  });

  /** array-add on serial and WebGPU only, quick; undefined where this browser has no WebGPU. */
  async function gpuRequest(page: LabPage): Promise<SuiteRequest | undefined> {
    const environment = await page.evaluate(() => window.parallelLab!.environment());
    if (!environment.webgpu.available) return undefined;
    // Two sizes are enough to reach sampling on the GPU; the quick preset's four take long on an emulated one.
    return { experiments: ['array-add'], preset: 'quick', backends: ['webgpu'], params: { 'array-add': { minLength: 2 ** 14, maxLength: 2 ** 16 } } };
  }

  it('the GPU device lost mid-run fails that configuration with the reason; the next one gets a new device', async ({ skip }) => {
    const { page, url } = session();
    await freshLab(page, url);
    const request = await gpuRequest(page);
    if (!request) skip('no WebGPU in this browser');
    await page.evaluate(() => {
      const state: { used: boolean; device?: GPUDevice } = { used: false };
      const create = GPUDevice.prototype.createCommandEncoder;
      GPUDevice.prototype.createCommandEncoder = function (this: GPUDevice, descriptor?: GPUCommandEncoderDescriptor) {
        const progress = window.parallelLab!.progress();
        if (!state.used && progress?.backend === 'webgpu' && progress.phase === 'sampling') state.device = this;
        return create.call(this, descriptor);
      };
      const mapAsync = GPUBuffer.prototype.mapAsync;
      GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
        const waiting = mapAsync.apply(this, args);
        if (!state.used && state.device) {
          state.used = true;
          // Lost while a sample's commands run and the page waits for their result.
          state.device.destroy();
        }
        return waiting;
      };
    });
    const results = await run(page, request!);
    const failed = failedOf(results);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.backend).toBe('webgpu');
    expect(failed[0]!.error).toMatch(/The GPU device was lost \(destroyed\)/);
    expect(verifiedOf(results).some((r) => r.backend === 'serial')).toBe(true);
    await expectRecovered(page, request!);
  });

  it('a GPU allocation that is too large fails set-up with the reason, and frees the buffers made before it', async ({ skip }) => {
    const { page, url } = session();
    await freshLab(page, url);
    const request = await gpuRequest(page);
    if (!request) skip('no WebGPU in this browser');
    await page.evaluate(() => {
      const w = window as unknown as { gpuBuffers: Array<{ label: string; destroyed: boolean; victim: boolean }> };
      w.gpuBuffers = [];
      const made = new WeakMap<GPUBuffer, { label: string; destroyed: boolean; victim: boolean }>();
      const state = { used: false };
      const createBuffer = GPUDevice.prototype.createBuffer;
      GPUDevice.prototype.createBuffer = function (this: GPUDevice, descriptor: GPUBufferDescriptor) {
        let victim = false;
        if (!state.used && descriptor.label === 'array-add read-back') {
          state.used = true;
          victim = true;
          descriptor = { ...descriptor, size: Math.ceil((this.limits.maxBufferSize + 1) / 4) * 4 };
        }
        const buffer = createBuffer.call(this, descriptor);
        const record = { label: descriptor.label ?? '', destroyed: false, victim };
        made.set(buffer, record);
        w.gpuBuffers.push(record);
        return buffer;
      };
      const destroy = GPUBuffer.prototype.destroy;
      GPUBuffer.prototype.destroy = function (this: GPUBuffer) {
        const record = made.get(this);
        if (record) record.destroyed = true;
        return destroy.call(this);
      };
    });
    const results = await run(page, request!);
    const failed = failedOf(results);
    expect(failed).toHaveLength(1);
    // Over the device's limit: Chromium calls it a validation error, Firefox running out of memory.
    expect(failed[0]!.error).toMatch(/^GpuError: Allocating the array-add buffers failed: (validation error|the GPU ran out of memory): /);
    const buffers = await page.evaluate(() => (window as unknown as { gpuBuffers: Array<{ label: string; destroyed: boolean; victim: boolean }> }).gpuBuffers);
    const victim = buffers.findIndex((b) => b.victim);
    // The three storage buffers made just before the one that was too large are destroyed, not left to the experiment's end.
    expect(buffers.slice(victim - 3, victim).map((b) => [b.label, b.destroyed])).toEqual([
      ['array-add a', true],
      ['array-add b', true],
      ['array-add c', true],
    ]);
    expect(verifiedOf(results).some((r) => r.backend === 'serial')).toBe(true);
    await expectRecovered(page, request!);
  });
});
