/**
 * `npm run bench -- --browser webkit` end to end: Xvfb, WebKitWebDriver and WebKitGTK's MiniBrowser started
 * and stopped by the runner, the experiments that start workers again and again (a revalidated worker script
 * once hung them here) run to the end and verify, and the results name WebKitGTK with the driver's version.
 * WebKit is in the bench's browsers, not yet in BROWSERS, so this file is its part of the browser tests.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { expectFinished, runBench, type CliOutcome } from './bench-cli.ts';

const EXPERIMENTS = ['cpu-heavy', 'data-transfer'];

describe('npm run bench --quick in webkit', () => {
  let dir: string;
  let outcome: CliOutcome;
  let doc: Results;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parallel-lab-webkit-'));
    const out = join(dir, 'webkit.json');
    outcome = await runBench(['--browser', 'webkit', '--quick', '--experiments', EXPERIMENTS.join(','), '--out', out]);
    doc = JSON.parse(await readFile(out, 'utf8')) as Results;
  }, 600_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 with valid results that name WebKitGTK, its version and how it was driven', () => {
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(validateResults(doc).ok).toBe(true);
    expect(doc.environment.browser.name).toBe('webkit');
    expect(doc.environment.browser.version).toMatch(/^\d+\.\d+(\.\d+)?$/);
    expect(doc.environment.runner?.driver).toMatch(/WebKitWebDriver/);
    expect(doc.environment.runner?.browserVersion).toBe(doc.environment.browser.version);
    expect(doc.environment.runner?.headless).toBe(false);
    expect(doc.environment.crossOriginIsolated).toBe(true);
  });

  it('finishes every configuration: each available result verified, each unavailable one with a reason', () => {
    expect(doc.experiments.map((e) => e.id)).toEqual(EXPERIMENTS);
    for (const experiment of doc.experiments) expectFinished(experiment);
    // Several worker counts in one experiment: each larger pool started workers after the script was cached.
    const workerCounts = new Set(doc.experiments[0]!.results.filter((r) => r.backend === 'workers' && r.available).map((r) => r.workers));
    expect(workerCounts.size).toBeGreaterThanOrEqual(2);
  });
});
