/**
 * npm run presets-compare -- [--browser chromium|firefox|webkit] [--experiments id,id] [--out FILE]
 * Runs the default preset and then the thorough one in the same browser session, and prints, for each headline
 * figure, the default's value beside the thorough run's value and 95% range at the same size: whether the
 * minute-long answer agrees with the one worth publishing. Exits 1 when a default figure falls outside the
 * thorough range, 2 on bad input.
 */
import { writeFile } from 'node:fs/promises';
import { comparePresets } from '../analysis/preset-agreement.ts';
import { validateSuiteRequest, type SuiteRequest } from '../engine/run-suite.ts';
import type { Results } from '../results/schema.ts';
import { workloads } from '../workloads/registry.ts';
import type { Preset } from '../workloads/types.ts';
import { ENGINES, launchBrowser, type BrowserName } from './browsers.ts';
import { EXIT_FAILED_RUN, EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';
import { openLab, runSuiteInPage } from './run-in-browser.ts';
import { servePreview } from './serve.ts';

const USAGE =
  'Usage: npm run presets-compare -- [--browser chromium|firefox|webkit] [--experiments id,id] [--out FILE]\n' +
  'Runs the default and the thorough preset in one browser session and compares their headline figures.\n';

function parseOptions(argv: string[]) {
  const parsed = parseCommandLine(
    argv,
    { options: { browser: { type: 'string', default: 'chromium' }, experiments: { type: 'string' }, out: { type: 'string' } } },
    USAGE,
  );
  if (!parsed) return null;
  const { values } = parsed;
  const browser = values.browser as BrowserName;
  if (!ENGINES.includes(browser)) throw new UsageError(`Unknown browser "${values.browser}": use ${ENGINES.join(', ')}.`);
  const experiments = values.experiments ? values.experiments.split(',').map((e) => e.trim()).filter(Boolean) : workloads.map((w) => w.meta.id);
  return { browser, experiments, ...(values.out ? { out: values.out } : {}) };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return EXIT_OK;
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
  const rows = comparePresets(runs.default!, runs.thorough!);
  const env = runs.default!.environment;
  const lines = [
    `${env.browser.name} ${env.browser.version.split('.')[0]}: default ${(wallMs.default! / 1000).toFixed(1)} s, thorough ${(wallMs.thorough! / 1000).toFixed(1)} s`,
    '',
    '| figure | default (95% range) | thorough (95% range) | inside |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.label} | ${r.defaultText} | ${r.thoroughText} | ${r.inside === undefined ? '' : r.inside ? 'yes' : 'no'} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (options.out) await writeFile(options.out, `${JSON.stringify({ default: runs.default, thorough: runs.thorough }, null, 2)}\n`);
  const outside = rows.filter((r) => r.inside === false).length;
  if (outside > 0) process.stderr.write(`${outside} default figure${outside === 1 ? '' : 's'} fell outside the thorough range.\n`);
  return outside > 0 ? EXIT_FAILED_RUN : EXIT_OK;
}

runScript(main);
