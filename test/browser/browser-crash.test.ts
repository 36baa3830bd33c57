/**
 * A browser whose page process dies under a test. WebKitGTK's web process has crashed, rarely, in the middle
 * of a run; its driver then answers "Could not parse script result" and ends the session. The launcher must
 * turn that into one clear error (BrowserCrashedError, whose opening words the browser projects' retry rule
 * matches), remember it (crashed()), and the harness must be able to start afresh. Here the page's process is
 * killed from outside, so this file runs alone: nothing else may have a WebKit page open meanwhile.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { launchBrowser } from '../../src/cli/browsers.ts';
import { BROWSER_CRASH_MARKER, BrowserCrashedError } from '../../src/cli/lab-page.ts';
import { openLab } from '../../src/cli/run-in-browser.ts';
import { relaunchIfCrashed, type LabSession } from './harness.ts';

/** WebKitGTK's web processes running now, by pid (pgrep leaves itself out). */
function webProcesses(): Set<number> {
  try {
    return new Set(execFileSync('pgrep', ['-f', 'webkit2gtk-4.1/WebKitWebProcess'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number));
  } catch {
    return new Set(); // pgrep exits 1 when none runs.
  }
}

describe('webkit: a page process that dies', () => {
  it('a killed page process ends the evaluate with a BrowserCrashedError naming the crash; a relaunch runs the lab again', async () => {
    const before = webProcesses();
    const url = inject('labUrl');
    const browser = await launchBrowser('webkit');
    let session: LabSession | undefined = { browser, page: await openLab(browser, url), url };
    try {
      const ours = [...webProcesses()].filter((pid) => !before.has(pid));
      expect(ours.length).toBeGreaterThan(0);
      expect(browser.crashed?.()).toBe(false);
      // The same session, alive: relaunching leaves it as it is.
      expect(await relaunchIfCrashed(session)).toBe(session);

      // A run in the page, as the lab's tests make: its page process dies while it waits.
      const outcome = session.page
        .evaluate(() => new Promise<string>((resolve) => setTimeout(() => resolve('finished'), 30_000)))
        .then((value) => value, (error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const pid of ours) process.kill(pid, 'SIGKILL');
      const error = await outcome;
      expect(error).toBeInstanceOf(BrowserCrashedError);
      expect((error as Error).message.startsWith(BROWSER_CRASH_MARKER)).toBe(true);
      expect((error as Error).message).toMatch(/WebProcess CRASHED/);
      expect(browser.crashed?.()).toBe(true);
      // Every later command says the same, at once, rather than waiting on a session that is gone.
      await expect(session.page.evaluate(() => 1)).rejects.toBeInstanceOf(BrowserCrashedError);

      session = await relaunchIfCrashed(session);
      expect(session.browser).not.toBe(browser);
      expect(session.browser.crashed?.()).toBe(false);
      const verified = await session.page.evaluate(() =>
        window.parallelLab!
          .run({ experiments: ['cpu-heavy'], preset: 'quick', backends: ['serial', 'workers'], params: { 'cpu-heavy': { n: 2_000_000 } } })
          .then((doc) => doc.experiments[0]!.results.filter((r) => r.available).map((r) => 'verified' in r && r.verified)),
      );
      expect(verified.length).toBeGreaterThan(1);
      expect(verified.every(Boolean)).toBe(true);
    } finally {
      await session?.browser.close();
      await browser.close();
    }
  });
});
