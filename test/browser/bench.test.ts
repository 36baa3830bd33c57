/**
 * `npm run bench` refusing bad input, and `npm run bench` itself (its rebuild included) against a server of the
 * user's own. Alone, since its rebuild rewrites the build the other browser tests serve. The quick suite in
 * each browser is bench-suite.test.ts.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoReply } from '../../src/cli/latency-endpoint.ts';
import type { MeasuredResult, Results } from '../../src/results/schema.ts';
import { root, runBench as bench, type CliOutcome } from './bench-cli.ts';

/** A call through `npm run bench` itself, build step included (the custom-endpoint case); the others skip the rebuild. */
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
