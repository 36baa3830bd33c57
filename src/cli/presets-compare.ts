/**
 * npm run presets-compare -- [--browser chromium|firefox|webkit] [--experiments id,id] [--out FILE] | --from FILE
 * Runs the default preset and then the thorough one in the same browser session, and prints, for each headline
 * figure, the default's value beside the thorough run's value and 95% range at the same size: whether the
 * minute-long answer agrees with the one worth publishing. `--from` judges a file `--out` wrote again, without
 * a browser. Exits 1 when a default figure falls outside the thorough range, 2 on bad input.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { comparePresets } from '../analysis/preset-agreement.ts';
import { validateSuiteRequest, type SuiteRequest } from '../engine/run-suite.ts';
import type { Results } from '../results/schema.ts';
import { validateResults } from '../results/validate.ts';
import { workloads } from '../workloads/registry.ts';
import type { Preset } from '../workloads/types.ts';
import { ENGINES, launchBrowser, type BrowserName } from './browsers.ts';
import { EXIT_FAILED_RUN, EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';
import { openLab, runSuiteInPage } from './run-in-browser.ts';
import { servePreview } from './serve.ts';

const USAGE =
  'Usage: npm run presets-compare -- [--browser chromium|firefox|webkit] [--experiments id,id] [--out FILE]\n' +
  '       npm run presets-compare -- --from FILE\n' +
  'Runs the default and the thorough preset in one browser session and compares their headline figures;\n' +
  '--from compares the two runs of a file --out wrote, without running anything.\n';

function parseOptions(argv: string[]) {
  const parsed = parseCommandLine(
    argv,
    { options: { browser: { type: 'string', default: 'chromium' }, experiments: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' } } },
    USAGE,
  );
  if (!parsed) return null;
  const { values } = parsed;
  if (values.from !== undefined && (values.out !== undefined || values.experiments !== undefined)) {
    throw new UsageError(`--from judges a saved comparison again: it takes no --out or --experiments.\n${USAGE.trimEnd()}`);
  }
  const browser = values.browser as BrowserName;
  if (!ENGINES.includes(browser)) throw new UsageError(`Unknown browser "${values.browser}": use ${ENGINES.join(', ')}.`);
  const experiments = values.experiments ? values.experiments.split(',').map((e) => e.trim()).filter(Boolean) : workloads.map((w) => w.meta.id);
  return { browser, experiments, ...(values.out ? { out: values.out } : {}), ...(values.from !== undefined ? { from: values.from } : {}) };
}

/** Both runs of a file `--out` wrote, each checked against the results schema, or a UsageError saying why not. */
async function readSaved(path: string): Promise<{ runs: Record<'default' | 'thorough', Results>; wallMs: Partial<Record<Preset, number>> }> {
  let saved: unknown;
  try {
    saved = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
  const run = (preset: 'default' | 'thorough'): Results => {
    const checked = validateResults((saved as Record<string, unknown> | null)?.[preset]);
    if (!checked.ok) throw new UsageError(`${path}: its ${preset} run is not a results document: ${checked.errors.join('; ')}`);
    return checked.value;
  };
  const runs = { default: run('default'), thorough: run('thorough') };
  const wall = (saved as { wallMs?: Record<string, unknown> }).wallMs;
  const wallMs: Partial<Record<Preset, number>> = {};
  for (const preset of ['default', 'thorough'] as const) {
    const ms = wall?.[preset];
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) wallMs[preset] = ms;
  }
  return { runs, wallMs };
}

/** Print the two runs' figures side by side; the count of default figures outside the thorough range. */
function printComparison(runs: Record<'default' | 'thorough', Results>, wallMs: Partial<Record<Preset, number>>): number {
  const rows = comparePresets(runs.default, runs.thorough);
  const env = runs.default.environment;
  const wall = (preset: Preset) => (wallMs[preset] !== undefined ? `${(wallMs[preset] / 1000).toFixed(1)} s` : 'time not recorded');
  const lines = [
    `${env.browser.name} ${env.browser.version.split('.')[0]}: default ${wall('default')}, thorough ${wall('thorough')}`,
    '',
    '| figure | default (95% range) | thorough (95% range) | inside |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.label} | ${r.defaultText} | ${r.thoroughText} | ${r.inside === undefined ? '' : r.inside ? 'yes' : 'no'} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const outside = rows.filter((r) => r.inside === false).length;
  if (outside > 0) process.stderr.write(`${outside} default figure${outside === 1 ? '' : 's'} fell outside the thorough range.\n`);
  return outside;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return EXIT_OK;
  if (options.from !== undefined) {
    const saved = await readSaved(options.from);
    return printComparison(saved.runs, saved.wallMs) > 0 ? EXIT_FAILED_RUN : EXIT_OK;
  }
  const request = (preset: Preset): SuiteRequest => ({ experiments: options.experiments, preset });
  validateSuiteRequest(request('thorough'));
  const server = await servePreview();
  const runs: Partial<Record<Preset, Results>> = {};
  const wallMs: Partial<Record<Preset, number>> = {};
  try {
    const browser = await launchBrowser(options.browser, { firefoxWebgpu: true });
    try {
      const page = await openLab(browser, server.url);
      for (const preset of ['default', 'thorough'] as const) {
        process.stderr.write(`Running the ${preset} preset in ${options.browser}\n`);
        const start = performance.now();
        runs[preset] = await runSuiteInPage(page, request(preset), (label) => process.stderr.write(`  [${preset}] ${label}\n`));
        wallMs[preset] = performance.now() - start;
      }
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
  const both = { default: runs.default!, thorough: runs.thorough! };
  if (options.out) await writeFile(options.out, `${JSON.stringify({ ...both, wallMs }, null, 2)}\n`);
  return printComparison(both, wallMs) > 0 ? EXIT_FAILED_RUN : EXIT_OK;
}

runScript(main);
