/**
 * npm run bare -- [--browser chromium,firefox] [--n 4194304] [--repeats 2]
 * Array addition, serial against two workers on shared memory, measured twice in the same browser session:
 * by the lab (its array-add experiment, shared-memory backend, at one size) and by the bare reference page
 * public/bare/array-add.html, which does the same work with nothing but postMessage. The gap between the two
 * ratios is the lab's own overhead; what the bare page cannot reach is the browser's (or the machine's) limit.
 */
import { parseNumberText } from '../engine/params.ts';
import { BROWSERS, launchBrowser, type BrowserName } from './browsers.ts';
import { EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';
import { openLab, runSuiteInPage } from './run-in-browser.ts';
import { servePreview } from './serve.ts';
import type { MeasuredResult } from '../results/schema.ts';

const USAGE =
  'Usage: npm run bare -- [--browser chromium,firefox] [--n 4194304] [--repeats 2]\n' +
  'Array addition by the lab and by the bare reference page, side by side. Exits 1 when a run fails, 2 for bad input.\n';

interface BareResult {
  n: number;
  serialMs: number;
  sharedMs: number;
  speedup: number;
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    {
      options: {
        browser: { type: 'string', default: BROWSERS.join(',') },
        n: { type: 'string', default: String(2 ** 22) },
        repeats: { type: 'string', default: '2' },
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
  const browsers = values.browser.split(',').map((b) => b.trim()) as BrowserName[];
  for (const b of browsers) if (!BROWSERS.includes(b)) throw new UsageError(`Unknown browser "${b}": use ${BROWSERS.join(', ')}.`);
  const server = await servePreview();
  const lines: string[] = ['| browser | n | lab: serial ms | lab: shared × 2 ms | lab speedup | bare: serial ms | bare: shared × 2 ms | bare speedup |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  try {
    for (const name of browsers) {
      const browser = await launchBrowser(name);
      try {
        const page = await openLab(browser, server.url);
        const results = await runSuiteInPage(
          page,
          { experiments: ['array-add'], preset: 'default', params: { 'array-add': { minLength: n, maxLength: n, repeats } }, backends: ['shared-memory'] },
          (label) => process.stderr.write(`  [${name}] lab ${label}\n`),
        );
        const measured = results.experiments[0]!.results.filter((r): r is MeasuredResult => r.available && 'medianMs' in r);
        const serial = measured.find((r) => r.backend === 'serial')!;
        const shared = measured.find((r) => r.backend === 'shared-memory' && r.workers === 2)!;
        process.stderr.write(`  [${name}] bare reference\n`);
        await page.goto(`${server.url}bare/array-add.html?n=${n}&repeats=${repeats}`);
        let bare: BareResult | undefined;
        const deadline = Date.now() + 300_000;
        while (!(bare = await page.evaluate(() => (window as unknown as { bareResult?: BareResult }).bareResult))) {
          if (Date.now() > deadline) throw new Error(`${name}: the bare reference page did not finish`);
          await new Promise((r) => setTimeout(r, 250));
        }
        const f = (x: number) => x.toFixed(2);
        lines.push(
          `| ${name} ${results.environment.browser.version.split('.')[0]} | ${n} | ${f(serial.medianMs)} | ${f(shared.medianMs)} | ` +
            `${f(serial.medianMs / shared.medianMs)}x | ${f(bare.serialMs)} | ${f(bare.sharedMs)} | ${f(bare.speedup)}x |`,
        );
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
