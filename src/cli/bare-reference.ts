/**
 * npm run bare -- [--browser chromium,firefox] [--n 4194304] [--repeats 2] [--kernel js|wasm]
 * Array addition measured twice in the same browser session: by the lab (its array-add experiment at one
 * size) and by a bare reference page that does the same work with nothing but postMessage. `--kernel js`:
 * serial against two workers on shared memory (the shared-memory backend; public/bare/array-add.html).
 * `--kernel wasm`: the WebAssembly SIMD kernels on one lane against two, over one shared memory (the wasm-simd
 * backend; public/bare/wasm-add.html, with the kernels the build writes beside it). The gap between the two
 * is the lab's own overhead; what the bare page cannot reach is the browser's (or the machine's) limit.
 */
import { parseNumberText } from '../engine/params.ts';
import { BROWSERS, launchBrowser, type BrowserName } from './browsers.ts';
import { EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';
import { openLab, runSuiteInPage } from './run-in-browser.ts';
import { servePreview } from './serve.ts';
import type { MeasuredResult } from '../results/schema.ts';

const USAGE =
  'Usage: npm run bare -- [--browser chromium,firefox] [--n 4194304] [--repeats 2] [--kernel js|wasm]\n' +
  'Array addition by the lab and by the bare reference page, side by side. Exits 1 when a run fails, 2 for bad input.\n';

interface BareResult {
  n: number;
  serialMs: number;
  sharedMs: number;
  speedup: number;
}

/** What public/bare/wasm-add.html reports. */
interface BareWasmResult {
  n: number;
  oneLaneMs: number;
  twoLaneMs: number;
  oneLaneGbPerSecond: number;
  twoLaneGbPerSecond: number;
}

const KERNELS = ['js', 'wasm'] as const;
type BareKernel = (typeof KERNELS)[number];

/** Wait for the bare page's result on window.bareResult (it throws into the page's console when its check fails). */
async function bareResultOf<T>(page: Awaited<ReturnType<typeof openLab>>, name: string): Promise<T> {
  const deadline = Date.now() + 300_000;
  let result: T | undefined;
  while (!(result = await page.evaluate(() => (window as unknown as { bareResult?: T }).bareResult))) {
    if (Date.now() > deadline) throw new Error(`${name}: the bare reference page did not finish`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return result;
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    {
      options: {
        browser: { type: 'string', default: BROWSERS.join(',') },
        n: { type: 'string', default: String(2 ** 22) },
        repeats: { type: 'string', default: '2' },
        kernel: { type: 'string', default: 'js' },
      },
    },
    USAGE,
  );
  if (!parsed) return EXIT_OK;
  const { values } = parsed;
  const n = parseNumberText(values.n);
  const repeats = parseNumberText(values.repeats);
  if (n === null || !Number.isInteger(n) || n < 1) throw new UsageError(`--n wants a whole number of elements, got "${values.n}".`);
  if (repeats === null || !Number.isInteger(repeats) || repeats < 1) throw new UsageError(`--repeats wants a whole number, got "${values.repeats}".`);
  const kernel = values.kernel as BareKernel;
  if (!KERNELS.includes(kernel)) throw new UsageError(`--kernel takes ${KERNELS.join(' or ')}, got "${values.kernel}".`);
  const browsers = values.browser.split(',').map((b) => b.trim()) as BrowserName[];
  for (const b of browsers) if (!BROWSERS.includes(b)) throw new UsageError(`Unknown browser "${b}": use ${BROWSERS.join(', ')}.`);
  const server = await servePreview();
  const lines: string[] =
    kernel === 'js'
      ? ['| browser | n | lab: serial ms | lab: shared × 2 ms | lab speedup | bare: serial ms | bare: shared × 2 ms | bare speedup |', '| --- | --- | --- | --- | --- | --- | --- | --- |']
      : ['| browser | n | lab: wasm × 1 ms | lab: wasm × 2 ms | lab × 2 GB/s | bare: wasm × 1 ms | bare: wasm × 2 ms | bare × 2 GB/s |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  const backend = kernel === 'js' ? 'shared-memory' : 'wasm-simd';
  try {
    for (const name of browsers) {
      const browser = await launchBrowser(name);
      try {
        const page = await openLab(browser, server.url);
        const results = await runSuiteInPage(
          page,
          { experiments: ['array-add'], preset: 'default', params: { 'array-add': { minLength: n, maxLength: n, repeats } }, backends: [backend] },
          (label) => process.stderr.write(`  [${name}] lab ${label}\n`),
        );
        const measured = results.experiments[0]!.results.filter((r): r is MeasuredResult => r.available && 'medianMs' in r);
        const lane = (backendId: string, workers: number) => {
          const found = measured.find((r) => r.backend === backendId && r.workers === workers);
          if (!found) throw new Error(`${name}: the lab measured no ${backendId} × ${workers} at n = ${n}`);
          return found;
        };
        const version = results.environment.browser.version.split('.')[0];
        const f = (x: number) => x.toFixed(2);
        process.stderr.write(`  [${name}] bare reference\n`);
        if (kernel === 'js') {
          const serial = lane('serial', 1);
          const shared = lane('shared-memory', 2);
          await page.goto(`${server.url}bare/array-add.html?n=${n}&repeats=${repeats}`);
          const bare = await bareResultOf<BareResult>(page, name);
          lines.push(
            `| ${name} ${version} | ${n} | ${f(serial.medianMs)} | ${f(shared.medianMs)} | ` +
              `${f(serial.medianMs / shared.medianMs)}x | ${f(bare.serialMs)} | ${f(bare.sharedMs)} | ${f(bare.speedup)}x |`,
          );
        } else {
          const one = lane('wasm-simd', 1);
          const two = lane('wasm-simd', 2);
          await page.goto(`${server.url}bare/wasm-add.html?n=${n}&repeats=${repeats}`);
          const bare = await bareResultOf<BareWasmResult>(page, name);
          lines.push(
            `| ${name} ${version} | ${n} | ${f(one.medianMs)} | ${f(two.medianMs)} | ${f(two.gbPerSecond ?? 0)} | ` +
              `${f(bare.oneLaneMs)} | ${f(bare.twoLaneMs)} | ${f(bare.twoLaneGbPerSecond)} |`,
          );
        }
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

runScript(main);
