/**
 * npm run screenshot -- [--browser chromium|firefox|webkit] [--experiments id,id] [--width 1280]
 *                       [--color-scheme light|dark] [--out docs/summary.png]
 * Serves the production build, runs the quick preset in a headless browser through the page's own API, and
 * writes a PNG of the run's summary as the page shows it at the given width: the picture in the README.
 * Exits 1 when the run fails, 2 for bad input.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { validateSuiteRequest, type SuiteRequest } from '../engine/run-suite.ts';
import { workloads } from '../workloads/registry.ts';
import { ENGINES, launchBrowser, type BrowserName, type ColorScheme } from './browsers.ts';
import { EXIT_FAILED_RUN, EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';
import { problemsIn } from './report.ts';
import { openLab, runSuiteInPage } from './run-in-browser.ts';
import { servePreview } from './serve.ts';
import { pngSizePx, summaryScreenshot } from './summary-picture.ts';

/** Narrower than a small phone or wider than a large monitor is a typo, not a layout worth a picture. */
const WIDTH_RANGE_PX = [320, 3840] as const;

const USAGE =
  'Usage: npm run screenshot -- [--browser chromium|firefox|webkit] [--experiments ' +
  `${workloads.map((w) => w.meta.id).join(',')}] [--width 1280] [--color-scheme light|dark] [--out docs/summary.png]\n` +
  'Runs the quick preset (every experiment unless --experiments names some) and writes a PNG of the run summary.\n' +
  'Exits 1 when the run fails, 2 for bad input (options, experiment ids).\n';

interface ScreenshotOptions {
  browser: BrowserName;
  request: SuiteRequest;
  widthPx: number;
  colorScheme: ColorScheme;
  out: string;
}

function parseOptions(argv: string[]): ScreenshotOptions | null {
  const parsed = parseCommandLine(
    argv,
    {
      options: {
        browser: { type: 'string', default: 'chromium' },
        experiments: { type: 'string' },
        width: { type: 'string', default: '1280' },
        'color-scheme': { type: 'string', default: 'light' },
        out: { type: 'string', default: 'docs/summary.png' },
      },
    },
    USAGE,
  );
  if (!parsed) return null;
  const { values } = parsed;
  const browser = values.browser as BrowserName;
  if (!ENGINES.includes(browser)) throw new UsageError(`Unknown browser "${values.browser}": use ${ENGINES.join(', ')}.`);
  const widthPx = Number(values.width);
  if (!Number.isInteger(widthPx) || widthPx < WIDTH_RANGE_PX[0] || widthPx > WIDTH_RANGE_PX[1]) {
    throw new UsageError(`--width takes a whole number of CSS pixels from ${WIDTH_RANGE_PX[0]} to ${WIDTH_RANGE_PX[1]} (got "${values.width}").`);
  }
  const colorScheme = values['color-scheme'];
  if (colorScheme !== 'light' && colorScheme !== 'dark') throw new UsageError(`--color-scheme takes light or dark (got "${colorScheme}").`);
  if (browser === 'webkit' && colorScheme === 'dark') throw new UsageError('WebKit cannot show the dark theme here: its WebDriver cannot set prefers-color-scheme.');
  const experiments = values.experiments ? values.experiments.split(',').map((e) => e.trim()).filter(Boolean) : workloads.map((w) => w.meta.id);
  return { browser, request: { experiments, preset: 'quick' }, widthPx, colorScheme, out: values.out };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return EXIT_OK;
  // Unknown experiment ids are bad input: refused before a browser starts.
  validateSuiteRequest(options.request);
  const server = await servePreview();
  try {
    // Dark is chosen at launch; light is asked for too, so the picture does not depend on the machine's theme.
    const browser = await launchBrowser(options.browser, options.browser === 'webkit' ? {} : { colorScheme: options.colorScheme });
    try {
      const page = await openLab(browser, server.url);
      await page.setViewport(options.widthPx, 900);
      process.stderr.write(`Running ${options.request.experiments.join(', ')} in ${options.browser} (quick) at ${server.url}\n`);
      const results = await runSuiteInPage(page, options.request, (label) => process.stderr.write(`  ${label}\n`));
      const problems = problemsIn(results);
      if (problems.length > 0) {
        for (const p of problems) process.stderr.write(`error: ${p}\n`);
        process.stderr.write('No picture written: the summary of a failed run is not one to show.\n');
        return EXIT_FAILED_RUN;
      }
      const picture = await summaryScreenshot(page, options.widthPx);
      const size = pngSizePx(picture.png);
      await mkdir(dirname(options.out), { recursive: true });
      await writeFile(options.out, picture.png);
      process.stderr.write(`Wrote ${options.out}: ${size.widthPx} × ${size.heightPx} px, ${Math.round(picture.png.length / 1024)} KiB\n`);
      return EXIT_OK;
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
}

runScript(main);
