/**
 * The busy-machine check end to end, in each browser: the bench CLI runs cpu-heavy's quick preset beside
 * CPU-bound processes started here (one on a 2-core machine, one fewer than the cores elsewhere), and the
 * results must say the machine was busy; without them they must not. The bench runs over the build the
 * global setup made, as `npm run bench` does over its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { BROWSERS, launchBrowser } from '../../src/cli/browsers.ts';
import { openLab } from '../../src/cli/run-in-browser.ts';
import { workerCounts } from '../../src/engine/sweep.ts';
import type { Results } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { runBench, type CliOutcome } from './bench-cli.ts';

/** CPU time a process has used, from /proc (user plus system clock ticks, at the usual 100 per second). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Start a process that does nothing but compute, and return once it is really computing. */
async function startHog(): Promise<ChildProcess> {
  const hog = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  await expect.poll(() => cpuMsOf(hog.pid!), { timeout: 20_000, interval: 50 }).toBeGreaterThanOrEqual(100);
  return hog;
}

async function stopHog(hog: ChildProcess): Promise<void> {
  if (hog.exitCode !== null || hog.signalCode !== null) return;
  const exited = once(hog, 'exit');
  hog.kill('SIGKILL');
  await exited;
}

/** Cores here, and the checked share below which the machine counts as busy (as the check decides it). */
const cores = Math.min(16, availableParallelism());
const BUSY_BELOW = 0.8 * cores;
/** A quiet reading: not busy, and in Chromium, whose workers start and answer fast, near every core. */
const quiet = (browserName: string, found: { busy?: boolean; usableCores?: number }) =>
  found.busy === false && (browserName !== 'chromium' || (found.usableCores ?? 0) >= 0.85 * cores);

/** cpu-heavy's quick preset on serial and workers: the checks around the run are under test, not the other backends. */
const cpuHeavyQuick = (browser: string, out: string) => ['--browser', browser, '--experiments', 'cpu-heavy', '--quick', '--backends', 'workers', '--out', out];

/**
 * A longer loop for the run beside the CPU-bound processes: its experiments take well over
 * AFTER_CHECK_MIN_RUN_MS there, so the check after them runs and is recorded too.
 */
const cpuHeavyLong = (browser: string, out: string) => [...cpuHeavyQuick(browser, out), '--param', 'cpu-heavy.n=160000000'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parallel-lab-busy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(BROWSERS)('the busy-machine check in %s', (browserName) => {
  const hogs: ChildProcess[] = [];
  const stopHogs = async () => {
    await Promise.all(hogs.splice(0).map(stopHog));
  };
  afterEach(stopHogs);

  it(`beside CPU-bound processes: busy, under ${BUSY_BELOW} usable cores, and a warning on stderr`, async () => {
    const out = join(dir, `${browserName}-hog.json`);
    let outcome: CliOutcome;
    try {
      for (let i = 0; i < Math.max(1, cores - 1); i++) hogs.push(await startHog());
      outcome = await runBench(cpuHeavyLong(browserName, out));
    } finally {
      await stopHogs();
    }
    expect(outcome.code, outcome.stderr).toBe(0);
    const doc = JSON.parse(await readFile(out, 'utf8')) as Results;
    expect(validateResults(doc).ok).toBe(true);
    const env = doc.environment;
    expect(env.hardwareConcurrency).toBe(availableParallelism());
    expect(env.busy).toBe(true);
    expect(env.usableCores).toBeLessThan(BUSY_BELOW);
    expect(env.usableCoresAfter).toBeGreaterThanOrEqual(1);
    // Busy is a warning about the timings, not a smaller machine: lanes and fits still plan for every core.
    expect(env.scalingCores).toBe(env.hardwareConcurrency);
    // The quick preset's lanes go up to the core count (no oversubscription).
    expect(doc.experiments[0]!.results.filter((r) => r.backend === 'workers').map((r) => r.workers)).toEqual(
      workerCounts(env.hardwareConcurrency).filter((w) => w <= env.hardwareConcurrency),
    );
    expect(outcome.stderr).toMatch(
      new RegExp(`warning: ${browserName}: The machine was busy: about [\\d.]+ of ${cores} cores were usable; speedups are understated\\.`),
    );
    expect(outcome.stdout).toMatch(/usable cores [\d.]+ before the run, [\d.]+ after \(busy\)/);
  }, 360_000);

  it('without it: not busy (checked again while other load on this shared machine passes), and no warning', async () => {
    const out = join(dir, `${browserName}-idle.json`);
    const outcome = await runBench(cpuHeavyQuick(browserName, out));
    expect(outcome.code, outcome.stderr).toBe(0);
    const env = (JSON.parse(await readFile(out, 'utf8')) as Results).environment;
    expect(env.usableCores).toBeGreaterThanOrEqual(1);
    expect(env.scalingCores).toBe(env.hardwareConcurrency);
    expect(outcome.stderr.includes('The machine was busy')).toBe(env.busy);
    let reading = { busy: env.busy, usableCores: env.usableCores };
    if (!quiet(browserName, reading)) {
      // Other work on this shared machine can make a quiet run look busy; the check itself is retried in the
      // page until that load passes. The test beside the CPU-bound processes never retries.
      const browser = await launchBrowser(browserName);
      try {
        const page = await openLab(browser, inject('labUrl'));
        const check = async () => (reading = (await page.evaluate(() => window.parallelLab!.checkCores()))!);
        await expect
          .poll(async () => quiet(browserName, await check()), { timeout: 150_000, interval: 1_000 })
          .toBe(true)
          .catch(() => undefined); // the assertions below say what the last check found
      } finally {
        await browser.close();
      }
    }
    const seen = `last check ${JSON.stringify(reading)}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cores} cores`;
    expect(reading.busy, seen).toBe(false);
    if (browserName === 'chromium') expect(reading.usableCores, seen).toBeGreaterThanOrEqual(0.85 * cores);
  }, 420_000);
});
