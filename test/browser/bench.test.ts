/** `npm run bench` end to end in each browser: real process, real browser, JSON validated against the schema. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSERS } from '../../src/cli/browsers.ts';
import { validateResults } from '../../src/results/validate.ts';
import type { Results } from '../../src/results/schema.ts';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

async function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'bench', '--', ...args], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 600_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parallel-lab-bench-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(BROWSERS)('npm run bench in %s', (browserName) => {
  it('runs cpu-heavy (quick), prints a table and writes schema-valid, verified JSON', async () => {
    const out = join(dir, `${browserName}.json`);
    const { code, stdout, stderr } = await bench(['--browser', browserName, '--experiments', 'cpu-heavy', '--quick', '--out', out]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/cpu-heavy\s+workers\s+2\s+[\d.]+/);

    const doc = JSON.parse(await readFile(out, 'utf8')) as Results;
    const validation = validateResults(doc);
    expect(validation.ok, JSON.stringify(validation)).toBe(true);
    const shipped = JSON.parse(await readFile(join(root, 'public/schema/results.v1.json'), 'utf8'));
    const ajv = new Ajv({ strict: false });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    expect(ajv.validate(shipped, doc), ajv.errorsText()).toBe(true);

    expect(doc.environment.browser.name).toBe(browserName);
    expect(doc.environment.crossOriginIsolated).toBe(true);
    expect(doc.environment.runner?.headless).toBe(true);
    const [experiment] = doc.experiments;
    expect(experiment?.id).toBe('cpu-heavy');
    const backends = new Set(experiment!.results.map((r) => r.backend));
    expect([...backends].sort()).toEqual(['event-loop', 'serial', 'workers']);
    for (const r of experiment!.results) {
      expect(r.available).toBe(true);
      if (!r.available || !('medianMs' in r)) throw new Error(`${r.backend} did not measure: ${JSON.stringify(r)}`);
      expect(r.verified).toBe(true);
      expect(r.samplesMs.length).toBeGreaterThanOrEqual(5);
      expect(r.ci95Ms[0]).toBeLessThanOrEqual(r.medianMs);
      expect(r.ci95Ms[1]).toBeGreaterThanOrEqual(r.medianMs);
      const computeBars = r.timeline.filter((b) => b.phase === undefined || b.phase === 'compute');
      expect(computeBars.length).toBe(Number(experiment!.params.tasks));
      const lanes = new Set(r.timeline.map((b) => b.lane));
      expect(lanes.size).toBeLessThanOrEqual(r.workers);
    }
    expect(experiment!.amdahl.workers?.serialFraction).toBeGreaterThanOrEqual(0);
  });
});

describe('npm run bench refuses bad input', () => {
  it('an out-of-range parameter: non-zero exit, the reason on stderr, no browser time spent', async () => {
    const { code, stderr } = await bench(['--browser', 'chromium', '--experiments', 'cpu-heavy', '--param', 'cpu-heavy.n=5e12']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/n must be between 1,000 and 1,500,000,000/);
  });

  it('an unknown browser or experiment', async () => {
    const browser = await bench(['--browser', 'netscape']);
    expect(browser.code).toBe(2);
    expect(browser.stderr).toMatch(/Unknown browser "netscape"/);
    const experiment = await bench(['--browser', 'chromium', '--experiments', 'nope']);
    expect(experiment.code).not.toBe(0);
    expect(experiment.stderr).toMatch(/Unknown experiment "nope"/);
  });
});
