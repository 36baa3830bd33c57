/**
 * The bench CLI end to end in each browser, over the build the browser tests share: a real process, a real
 * browser, every registered experiment in its quick preset, and the JSON validated against the shipped schema.
 * It checks what the runs found, not how fast they ran, so it runs beside other test files; bench.test.ts
 * (refusals, and `npm run bench` itself with its rebuild) runs alone.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSERS } from '../../src/cli/browsers.ts';
import { quickSampling } from '../../src/measure/sampling.ts';
import { validateResults } from '../../src/results/validate.ts';
import type { Results } from '../../src/results/schema.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { expectFinished, root, runBench, type CliOutcome } from './bench-cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parallel-lab-bench-suite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const shipped = JSON.parse(await readFile(join(root, 'public/schema/results.v1.json'), 'utf8'));
const ids = workloads.map((w) => w.meta.id);

describe.each(BROWSERS)('npm run bench --quick in %s', (browserName) => {
  let outcome: CliOutcome;
  let doc: Results;
  beforeAll(async () => {
    const out = join(dir, `${browserName}.json`);
    const args = ['--browser', browserName, '--quick', '--out', out];
    // The build the browser tests share; the npm script itself, build included, is bench.test.ts's custom-endpoint case.
    outcome = await runBench(args);
    doc = JSON.parse(await readFile(out, 'utf8')) as Results;
  }, 600_000);

  it('exits 0, prints a table and writes JSON valid against the shipped schema', () => {
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/cpu-heavy\s+workers\s+2\s+[\d.]+/);
    const validation = validateResults(doc);
    expect(validation.ok, JSON.stringify(validation)).toBe(true);
    const ajv = new Ajv({ strict: false });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    expect(ajv.validate(shipped, doc), ajv.errorsText()).toBe(true);
    expect(doc.environment.browser.name).toBe(browserName);
    expect(doc.environment.crossOriginIsolated).toBe(true);
    expect(doc.environment.runner?.headless).toBe(true);
    if (browserName === 'firefox') expect(doc.environment.runner?.webgpuPrefs).toBe(true);
  });

  it('runs every registered experiment; every available result is verified, every unavailable one says why', () => {
    expect(doc.experiments.map((e) => e.id)).toEqual(ids);
    for (const experiment of doc.experiments) {
      const serial = experiment.results.filter((r) => r.backend === 'serial');
      expect(serial.length, experiment.id).toBeGreaterThan(0);
      for (const { where, result: m } of expectFinished(experiment)) {
        // 3 samples for runs long next to the preset's budget, 5 or more otherwise (see measure/sampling.ts).
        expect(m.samplesMs.length, where).toBeGreaterThanOrEqual(quickSampling.minSamplesLongRuns);
        expect(m.ci95Ms[0], where).toBeLessThanOrEqual(m.medianMs);
        expect(m.ci95Ms[1], where).toBeGreaterThanOrEqual(m.medianMs);
        expect(m.timeline.length, where).toBeGreaterThan(0);
      }
    }
  });

  it('cpu-heavy: one compute bar per task, no more lanes than workers, an Amdahl fit for workers', () => {
    const experiment = doc.experiments.find((e) => e.id === 'cpu-heavy')!;
    for (const r of experiment.results) {
      if (!r.available || !('medianMs' in r)) continue;
      const computeBars = r.timeline.filter((b) => b.phase === undefined || b.phase === 'compute');
      expect(computeBars.length).toBe(Number(experiment.params.tasks));
      expect(new Set(r.timeline.map((b) => b.lane)).size).toBeLessThanOrEqual(r.workers);
    }
    expect(experiment.amdahl.workers?.serialFraction).toBeGreaterThanOrEqual(0);
  });
});
