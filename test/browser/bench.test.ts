/**
 * `npm run bench` end to end in each browser: a real process, a real browser, every registered experiment
 * in its quick preset, and the JSON validated against the shipped schema.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { quickSampling } from '../../src/measure/sampling.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSERS } from '../../src/cli/browsers.ts';
import { echoReply } from '../../src/cli/latency-endpoint.ts';
import { validateResults } from '../../src/results/validate.ts';
import type { MeasuredResult, Results } from '../../src/results/schema.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { root, runBench as bench, type CliOutcome } from './bench-cli.ts';

/** The one call through `npm run bench` itself, build step included; the others skip the rebuild. */
async function npmRunBench(args: string[], env: Record<string, string> = {}): Promise<CliOutcome> {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', 'bench', '--', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
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

const shipped = JSON.parse(await readFile(join(root, 'public/schema/results.v1.json'), 'utf8'));
const ids = workloads.map((w) => w.meta.id);

describe.each(BROWSERS)('npm run bench --quick in %s', (browserName) => {
  let outcome: CliOutcome;
  let doc: Results;
  beforeAll(async () => {
    const out = join(dir, `${browserName}.json`);
    const args = ['--browser', browserName, '--quick', '--out', out];
    // Chromium's run goes through the npm script as a reader would type it; Firefox's reuses that build.
    outcome = await (browserName === 'chromium' ? npmRunBench(args) : bench(args));
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
      for (const r of experiment.results) {
        const where = `${experiment.id} / ${r.backend} ${r.variant ?? ''} × ${r.workers ?? ''} @ ${r.size ?? ''}`;
        if (!r.available) {
          expect(r.reason.length, where).toBeGreaterThan(10);
          continue;
        }
        expect('error' in r ? r.error : '', where).toBe('');
        const m = r as MeasuredResult;
        expect(m.verified, where).toBe(true);
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

describe('npm run bench refuses bad input', () => {
  it('an out-of-range parameter: non-zero exit, the reason on stderr, no browser time spent', async () => {
    const { code, stderr } = await bench(['--browser', 'chromium', '--experiments', 'cpu-heavy', '--param', 'cpu-heavy.n=5e12']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/n must be between 1,000 and 1,500,000,000/);
  });

  it('an unknown browser or experiment', async () => {
    const browser = await bench(['--browser', 'netscape']);
    expect(browser.code).toBe(2);
    expect(browser.stderr).toMatch(/Unknown browser "netscape"/);
    const experiment = await bench(['--browser', 'chromium', '--experiments', 'nope']);
    expect(experiment.code).toBe(2);
    expect(experiment.stderr).toMatch(/Unknown experiment "nope"/);
  });

  it('a malformed --endpoint, before any browser starts', async () => {
    const { code, stderr } = await bench(['--browser', 'chromium', '--experiments', 'api-calls', '--endpoint', 'ftp://example.com/x']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--endpoint: "ftp:\/\/example.com\/x" is not an http or https URL/);
  });
});

describe('npm run bench --endpoint: api-calls against a server of the user\'s own', () => {
  it('calls it across origins (CORS), checks every echo and records who answered', async () => {
    let hits = 0;
    const server = createServer((req, res) => {
      const reply = echoReply(req.method ?? 'GET', new URL(req.url ?? '/', 'http://localhost'));
      hits += 1;
      // Another origin than the lab's: it must allow the page by CORS, and let a COEP page embed its answers.
      const headers = { ...reply.headers, 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
      setTimeout(() => res.writeHead(reply.status, headers).end(reply.body), reply.delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/echo`;
    try {
      const out = join(dir, 'custom-endpoint.json');
      const args = ['--browser', 'chromium', '--experiments', 'api-calls', '--quick', '--endpoint', url, '--out', out];
      // The lab's Content-Security-Policy lets the page reach its own origin only, unless built and served to allow more.
      const refused = await bench(args);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`PARALLEL_LAB_CONNECT_SRC=${new URL(url).origin} npm run bench`);
      expect(hits).toBe(0);
      const outcome = await npmRunBench(args, { PARALLEL_LAB_CONNECT_SRC: new URL(url).origin });
      expect(outcome.code, outcome.stderr).toBe(0);
      const doc = JSON.parse(await readFile(out, 'utf8')) as Results;
      const experiment = doc.experiments[0]!;
      expect(experiment.params.endpoint).toBe('custom');
      const measured = experiment.results.filter((r): r is MeasuredResult => r.available && 'medianMs' in r);
      expect(measured.length).toBeGreaterThan(3);
      for (const r of measured) {
        expect(r.verified).toBe(true);
        expect(r.mode).toBe('custom');
      }
      // Every timed request reached this server, not the lab's own endpoint.
      const timed = measured.reduce((n, r) => n + r.samplesMs.length * Number(experiment.params.requests), 0);
      expect(hits).toBeGreaterThanOrEqual(timed);
    } finally {
      server.close();
    }
  }, 300_000);
});
