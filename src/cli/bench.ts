/**
 * npm run bench -- --browser chromium[,firefox][,webkit] [--experiments id,id] [--quick] [--backends b,b] [--out results.json]
 *                  [--param cpu-heavy.n=1e8 ...] [--firefox-webgpu on|off]
 * Serves the production build on 127.0.0.1, runs the experiments in real headless browsers through the
 * page's own API, prints a table and writes the results JSON. Exits non-zero when anything fails.
 */
import { writeFile } from 'node:fs/promises';
import { CONNECT_ORIGINS_VARIABLE, policyOptionsFromEnv } from '../../build/content-security-policy.ts';
import { busyWarning } from '../analysis/machine-reading.ts';
import { parseParamText } from '../engine/params.ts';
import { validateSuiteRequest, type SuiteRequest } from '../engine/run-suite.ts';
import type { Comparison } from '../results/comparison.ts';
import { COMPARISON_SCHEMA_ID } from '../results/documents.ts';
import type { Results } from '../results/schema.ts';
import { makeShareUrl } from '../results/share-link.ts';
import { validateResults } from '../results/validate.ts';
import { setCustomEndpoint } from '../workloads/api-calls/endpoint.ts';
import { workloads } from '../workloads/registry.ts';
import { PRESETS, type BackendId, type Preset } from '../workloads/types.ts';
import { BACKEND_IDS, isBackendId } from '../engine/backends.ts';
import { ENGINES, launchBrowser, type BrowserName } from './browsers.ts';
import { EXIT_FAILED_RUN, EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';
import { formatResultsTable, problemsIn } from './report.ts';
import { openLab, runSuiteInPage, withDriverVersion } from './run-in-browser.ts';
import { servePreview } from './serve.ts';

/** Where `npm start` serves the lab: the compare link points there, as the bench's own server is gone by then. */
const LAB_URL = 'http://127.0.0.1:4173/';

const USAGE =
  'Usage: npm run bench -- --browser chromium|firefox|webkit or a list (chromium,firefox,webkit) [--experiments ' +
  `${workloads.map((w) => w.meta.id).join(',')}] [--preset quick|default|thorough] [--quick] [--backends ${BACKEND_IDS.join(',')}] [--out FILE] [--param ID.KEY=VALUE ...] ` +
  '[--firefox-webgpu on|off] [--endpoint URL]\n' +
  `An --endpoint must be allowed by the lab's Content-Security-Policy: set ${CONNECT_ORIGINS_VARIABLE}=ORIGIN for the whole command.\n` +
  'Exits 1 when a backend fails or answers wrongly, 2 for bad input (options, parameters, experiment ids).\n';

interface BenchOptions {
  browsers: BrowserName[];
  request: SuiteRequest;
  out?: string;
  firefoxWebgpu: boolean;
  /** A URL for api-calls to call instead of the lab's own endpoint. */
  endpoint?: string;
}

function parseOptions(argv: string[]): BenchOptions | null {
  const parsed = parseCommandLine(
    argv,
    {
      options: {
        browser: { type: 'string', default: 'chromium' },
        experiments: { type: 'string' },
        quick: { type: 'boolean', default: false },
        preset: { type: 'string' },
        backends: { type: 'string' },
        out: { type: 'string' },
        param: { type: 'string', multiple: true, default: [] },
        'firefox-webgpu': { type: 'string', default: 'on' },
        endpoint: { type: 'string' },
      },
    },
    USAGE,
  );
  if (!parsed) return null;
  const { values } = parsed;
  const browsers = values.browser.split(',').map((b) => b.trim()) as BrowserName[];
  for (const b of browsers) {
    if (!ENGINES.includes(b)) throw new UsageError(`Unknown browser "${b}": use ${ENGINES.join(', ')}.`);
  }
  const experiments = values.experiments
    ? values.experiments.split(',').map((e) => e.trim()).filter(Boolean)
    : workloads.map((w) => w.meta.id);
  const params: Record<string, Record<string, number>> = {};
  for (const text of values.param) {
    const dot = text.indexOf('.');
    if (dot <= 0) throw new UsageError(`--param wants EXPERIMENT.KEY=VALUE, got "${text}".`);
    const id = text.slice(0, dot);
    params[id] = { ...params[id], ...parseParamText(text.slice(dot + 1)) };
  }
  if (!['on', 'off'].includes(values['firefox-webgpu'])) throw new UsageError('--firefox-webgpu takes on or off.');
  if (values.preset !== undefined && !(PRESETS as readonly string[]).includes(values.preset)) {
    throw new UsageError(`--preset takes ${PRESETS.join(', ')} (got "${values.preset}").`);
  }
  if (values.preset !== undefined && values.quick && values.preset !== 'quick') throw new UsageError('--quick and --preset disagree.');
  const preset: Preset = values.quick ? 'quick' : ((values.preset as Preset | undefined) ?? 'default');
  const backends = values.backends?.split(',').map((b) => b.trim());
  for (const backend of backends ?? []) {
    if (!isBackendId(backend)) throw new UsageError(`Unknown backend "${backend}": use ${BACKEND_IDS.join(', ')}.`);
  }
  return {
    browsers,
    request: {
      experiments,
      preset,
      params,
      ...(backends ? { backends: backends as BackendId[] } : {}),
    },
    ...(values.out ? { out: values.out } : {}),
    firefoxWebgpu: values['firefox-webgpu'] === 'on',
    ...(values.endpoint ? { endpoint: checkEndpoint(values.endpoint) } : {}),
  };
}

/**
 * Refuse a malformed endpoint here, before a browser starts, with the page's own message; and one the lab's
 * Content-Security-Policy would block: the bench's server is on a port of its own, so any endpoint is on
 * another origin and must be allowed when the lab is built and served.
 */
function checkEndpoint(url: string): string {
  let connectOrigins: readonly string[];
  try {
    setCustomEndpoint(url);
    connectOrigins = policyOptionsFromEnv().connectOrigins ?? [];
  } catch (error) {
    throw new UsageError(`--endpoint: ${(error as Error).message}`);
  }
  const { origin } = new URL(url);
  if (!connectOrigins.includes(origin)) {
    throw new UsageError(
      `--endpoint: the lab's Content-Security-Policy lets the page reach its own origin only; allow ${origin} when ` +
        `building and serving: ${CONNECT_ORIGINS_VARIABLE}=${origin} npm run bench -- --endpoint ${url} ...`,
    );
  }
  return url;
}

/** What one browser's run cost, in ms: start and page load, the run itself (checks included), closing. */
interface BrowserRunTimes {
  startMs: number;
  runMs: number;
  closeMs: number;
}

async function runOneBrowser(name: BrowserName, url: string, options: BenchOptions): Promise<{ results: Results; times: BrowserRunTimes }> {
  const launchedAt = performance.now();
  const browser = await launchBrowser(name, { firefoxWebgpu: options.firefoxWebgpu });
  let results: Results;
  let startMs: number;
  let runMs: number;
  let closeMs = 0;
  try {
    const page = await openLab(browser, url);
    startMs = performance.now() - launchedAt;
    // Through the page's API: an endpoint on this machine, given in the address, would wait for a person to confirm it.
    if (options.endpoint) await page.evaluate((endpoint) => window.parallelLab!.setEndpoint(endpoint), options.endpoint);
    results = await runSuiteInPage(page, options.request, (label) => process.stderr.write(`  [${name}] ${label}\n`));
    runMs = performance.now() - launchedAt - startMs;
    results.environment.runner = { ...browser.runner, headless: name !== 'webkit' };
  } finally {
    const closingAt = performance.now();
    await browser.close();
    closeMs = performance.now() - closingAt;
  }
  return { results: withDriverVersion(results, browser), times: { startMs, runMs, closeMs } };
}

/** "60.2 s wall time (...)": from the browser's start to the results, and where that time went. */
function describeSuiteTime(times: BrowserRunTimes, experimentsMs: number): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return (
    `${s(times.startMs + times.runMs)} wall time from the browser's start to the results (browser start and page load ` +
    `${s(times.startMs)}; the run ${s(times.runMs)}: experiments ${s(experimentsMs)}, the rest the busy-machine checks ` +
    `around them and the steps between them); closing the browser took ${s(times.closeMs)} more`
  );
}

/** Links longer than this go to a file rather than the terminal. */
const MAX_PRINTED_LINK_CHARS = 4_000;

/**
 * A link that opens the comparison in the compare view of the lab `npm start` serves: printed when short,
 * and always written as a small HTML page next to the --out file (or into the working directory).
 * The results ride in the fragment, which never reaches a server; timelines go first if it is too long.
 */
async function writeCompareLink(comparison: Comparison, out: string | undefined): Promise<void> {
  let link = await makeShareUrl(LAB_URL, comparison);
  if (!link.ok) link = await makeShareUrl(LAB_URL, comparison, { dropTimelines: true });
  if (!link.ok) {
    process.stderr.write(`No compare link: ${link.message} Import the --out file in the lab's compare view instead.\n`);
    return;
  }
  const page = out ? `${out.replace(/\.json$/i, '')}.html` : 'parallel-lab-comparison.html';
  const href = link.url.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
  await writeFile(
    page,
    `<!doctype html>\n<meta charset="utf-8">\n<title>Parallel Lab comparison</title>\n` +
      `<p>Start the lab with <code>npm start</code>, then open <a id="compare" href="${href}">this comparison in its compare view</a>.</p>\n`,
  );
  const where = link.url.length <= MAX_PRINTED_LINK_CHARS ? link.url : `the link in ${page}`;
  process.stdout.write(`\nCompare view (after npm start): ${where}\n`);
  process.stderr.write(`Wrote ${page}\n`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return EXIT_OK;
  // Refuse bad parameters before any browser starts: the page would refuse them too, a minute later.
  validateSuiteRequest(options.request);
  const server = await servePreview();
  const runs: Results[] = [];
  const problems: string[] = [];
  try {
    for (const name of options.browsers) {
      process.stderr.write(`Running ${options.request.experiments.join(', ')} in ${name} (${options.request.preset}) at ${server.url}\n`);
      const { results, times } = await runOneBrowser(name, server.url, options);
      const experimentsMs = results.experiments.reduce((sum, e) => sum + e.durationMs, 0);
      process.stderr.write(`${name}: the suite took ${describeSuiteTime(times, experimentsMs)}\n`);
      const validation = validateResults(results);
      if (!validation.ok) problems.push(`${name}: results do not match the schema: ${validation.errors.join('; ')}`);
      problems.push(...problemsIn(results).map((p) => `${name}: ${p}`));
      process.stdout.write(`\n${formatResultsTable(results)}\n`);
      // A warning, not a failure: the run is sound, its speedups are low for a reason outside it.
      const busy = busyWarning(results.environment);
      if (busy) process.stderr.write(`warning: ${name}: ${busy}\n`);
      runs.push(results);
    }
  } finally {
    await server.close();
  }
  const comparison: Comparison | undefined =
    runs.length > 1 ? { schema: COMPARISON_SCHEMA_ID, createdAt: new Date().toISOString(), runs } : undefined;
  if (options.out) {
    await writeFile(options.out, `${JSON.stringify(comparison ?? runs[0], null, 2)}\n`);
    process.stderr.write(`Wrote ${options.out}\n`);
  }
  if (comparison) await writeCompareLink(comparison, options.out);
  for (const p of problems) process.stderr.write(`error: ${p}\n`);
  return problems.length > 0 ? EXIT_FAILED_RUN : EXIT_OK;
}

runScript(main);
