/**
 * npm run dispatch-costs -- [--browser chromium,firefox] [--batches 1,16,256,4096] [--out FILE]
 * What handing out one task costs through each dispatch path, over batch sizes: for each batch size the
 * tiny-tasks experiment runs its batch of empty tasks (one loop iteration each) through serial, pooled
 * workers (a message per task), the per-lane shared-memory mailbox and the task ring, in one page session
 * per browser, and this prints the median µs per task with its 95% range. Exits 2 on bad input, 1 when a
 * run fails or a result is not verified.
 */
import { writeFile } from 'node:fs/promises';
import type { Results } from '../results/schema.ts';
import { ENGINES, launchBrowser, type BrowserName } from './browsers.ts';
import { EXIT_FAILED_RUN, EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';
import { openLab, runSuiteInPage } from './run-in-browser.ts';
import { servePreview } from './serve.ts';

const USAGE =
  'Usage: npm run dispatch-costs -- [--browser chromium,firefox,webkit] [--batches 1,16,256,4096] [--out FILE]\n' +
  'Per-task cost of each dispatch path over batch sizes of empty tasks, in one page session per browser.\n';

/** The paths compared, as the tiny-tasks results name them. */
const PATHS = [
  { backend: 'serial', variant: undefined, name: 'serial (page)' },
  { backend: 'workers', variant: 'pooled', name: 'workers, a message per task' },
  { backend: 'shared-memory', variant: 'atomics', name: 'shared memory, mailbox per lane' },
  { backend: 'shared-memory', variant: 'ring', name: 'shared memory, task ring' },
  { backend: 'shared-memory', variant: 'ring-page', name: 'shared memory, task ring with the page as a lane' },
] as const;

function parseOptions(argv: string[]) {
  const parsed = parseCommandLine(
    argv,
    {
      options: {
        browser: { type: 'string', default: 'chromium' },
        batches: { type: 'string', default: '1,16,256,4096' },
        out: { type: 'string' },
      },
    },
    USAGE,
  );
  if (!parsed) return null;
  const { values } = parsed;
  const browsers = values.browser.split(',').map((b) => b.trim()) as BrowserName[];
  for (const b of browsers) if (!ENGINES.includes(b)) throw new UsageError(`Unknown browser "${b}": use ${ENGINES.join(', ')}.`);
  const batches = values.batches.split(',').map((b) => Number(b.trim()));
  for (const b of batches) if (!Number.isInteger(b) || b < 1 || b > 4_096) throw new UsageError(`Batch sizes are whole numbers from 1 to 4096 (got ${values.batches}).`);
  return { browsers, batches, ...(values.out ? { out: values.out } : {}) };
}

/** One cell: median and 95% range of the per-task time, in µs. */
function perTask(results: Results, path: (typeof PATHS)[number], batch: number): { text: string; verified: boolean } {
  const r = results.experiments[0]?.results.find((x) => x.size === 0 && x.backend === path.backend && x.variant === path.variant);
  if (!r || !r.available || !('medianMs' in r)) return { text: r && 'reason' in r ? 'unavailable' : 'not measured', verified: true };
  const us = (ms: number) => ((ms / batch) * 1_000).toPrecision(3);
  return { text: `${us(r.medianMs)} (${us(r.ci95Ms[0])}-${us(r.ci95Ms[1])})`, verified: r.verified };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return EXIT_OK;
  const server = await servePreview();
  const lines: string[] = [];
  const documents: Record<string, Results[]> = {};
  let unverified = 0;
  try {
    for (const browserName of options.browsers) {
      const browser = await launchBrowser(browserName);
      try {
        const page = await openLab(browser, server.url);
        const runs: Results[] = [];
        for (const batch of options.batches) {
          process.stderr.write(`  [${browserName}] ${batch} empty tasks per batch\n`);
          runs.push(
            await runSuiteInPage(page, {
              experiments: ['tiny-tasks'],
              preset: 'default',
              params: { 'tiny-tasks': { emptyBatch: batch, minUs: 1, maxUs: 1 } },
            }),
          );
        }
        documents[browserName] = runs;
        const env = runs[0]!.environment;
        lines.push(
          '',
          `${env.browser.name} ${env.browser.version.split('.')[0]}, ${env.usableCores ?? env.hardwareConcurrency} usable cores: µs per empty task, median (95% range), 2 lanes`,
          '',
          `| tasks per batch | ${PATHS.map((p) => p.name).join(' | ')} |`,
          `| --- |${PATHS.map(() => ' --- |').join('')}`,
        );
        for (const [i, batch] of options.batches.entries()) {
          const cells = PATHS.map((p) => perTask(runs[i]!, p, batch));
          unverified += cells.filter((c) => !c.verified).length;
          lines.push(`| ${batch.toLocaleString('en')} | ${cells.map((c) => c.text).join(' | ')} |`);
        }
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (options.out) await writeFile(options.out, `${JSON.stringify(documents, null, 2)}\n`);
  if (unverified > 0) process.stderr.write(`${unverified} result(s) were not verified.\n`);
  return unverified > 0 ? EXIT_FAILED_RUN : EXIT_OK;
}

runScript(main);
