/**
 * npx tsx src/cli/webgpu-matmul-bench.ts --browser chromium,firefox --sizes 512,1024 [--variants register,tiled,naive]
 *                                        [--samples 3] [--shape 8x4k32 ...] [--out FILE]
 * GFLOP/s of the dot-product WebGPU kernels alone, in real headless browsers: each variant is set up as the
 * lab sets it up (the register kernel's tile-shape trial included, untimed), warmed up once, then timed as
 * the lab times a sample (upload, dispatch, read-back), with the GPU's own kernel time beside it where the
 * browser offers timestamp queries. `--shape` measures the register kernel at each given shape alone, no
 * trial (WxHkK: workgroup columns × rows, step along k). Exits 2 on bad input, 1 when a run fails.
 * Columns: median wall ms and its GFLOP/s (what the lab reports), median GPU kernel ms and its GFLOP/s,
 * the GFLOP/s of the fastest sample (by GPU time where there is one: the least disturbed by a busy
 * machine), set-up compile ms, and the shape the register kernel ran.
 */
import { writeFile } from 'node:fs/promises';
import type { MatmulVariant, RegisterTileShape } from '../workloads/dot-product/gpu.ts';
import { parseNumberText } from '../engine/params.ts';
import { BROWSERS, launchBrowser, type BrowserName } from './browsers.ts';
import { formatKernelRow, KERNEL_TABLE_HEADER, type KernelRow } from './matmul-table.ts';
import { EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';
import { openKernelPage } from './kernel-page.ts';
import { serveSource } from './serve.ts';

const VARIANTS: readonly MatmulVariant[] = ['register', 'tiled', 'naive'];

interface Options {
  browsers: BrowserName[];
  sizes: number[];
  variants: MatmulVariant[];
  samples: number;
  shapes: RegisterTileShape[];
  out?: string;
}

const USAGE =
  'Usage: npx tsx src/cli/webgpu-matmul-bench.ts [--browser chromium,firefox] [--sizes 512,1024] ' +
  '[--variants register,tiled,naive] [--samples 3] [--shape 8x4k32 ...] [--out FILE]\n';

/** "8x4k32" → a workgroup of 8 × 4 invocations, k step 32. */
export function parseShape(text: string): RegisterTileShape {
  const match = /^(\d+)[x×](\d+)k(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`--shape wants COLUMNSxROWSkK (e.g. 8x4k32), got "${text}".`);
  return { workgroupColumns: Number(match[1]), workgroupRows: Number(match[2]), tileK: Number(match[3]) };
}

function parseList<T extends string>(text: string, known: readonly T[], what: string): T[] {
  const items = text.split(',').map((s) => s.trim()) as T[];
  for (const item of items) if (!known.includes(item)) throw new UsageError(`Unknown ${what} "${item}": use ${known.join(', ')}.`);
  return items;
}

function parseOptions(argv: string[]): Options | null {
  const parsed = parseCommandLine(
    argv,
    {
      options: {
      browser: { type: 'string', default: 'chromium,firefox' },
      sizes: { type: 'string', default: '512,1024' },
      variants: { type: 'string', default: VARIANTS.join(',') },
      samples: { type: 'string', default: '3' },
      shape: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
      },
    },
    USAGE,
  );
  if (!parsed) return null;
  const { values } = parsed;
  const sizes = values.sizes.split(',').map((part) => parseNumberText(part) ?? NaN);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 4_096)) throw new UsageError(`--sizes wants whole numbers from 1 to 4096, got "${values.sizes}".`);
  const samples = parseNumberText(values.samples) ?? NaN;
  if (!Number.isInteger(samples) || samples < 1 || samples > 100) throw new UsageError(`--samples wants 1 to 100, got "${values.samples}".`);
  return {
    browsers: parseList(values.browser, BROWSERS, 'browser'),
    sizes,
    variants: parseList(values.variants, VARIANTS, 'variant'),
    samples,
    shapes: values.shape.map(parseShape),
    ...(values.out !== undefined ? { out: values.out } : {}),
  };
}

async function main(options: Options): Promise<number> {
  const server = await serveSource();
  const rows: KernelRow[] = [];
  try {
    for (const browserName of options.browsers) {
      const browser = await launchBrowser(browserName);
      try {
        const kernels = await openKernelPage(browser, server.url);
        process.stdout.write(`\n${KERNEL_TABLE_HEADER}\n`);
        for (const n of options.sizes) {
          for (const variant of options.variants) {
            const shapeRuns: Array<RegisterTileShape[] | undefined> =
              variant === 'register' && options.shapes.length > 0 ? options.shapes.map((shape) => [shape]) : [undefined];
            for (const shapes of shapeRuns) {
              const report = await kernels.benchmark({ variant, n, samples: options.samples, ...(shapes ? { shapes } : {}) });
              const row = { engine: browserName, ...report };
              rows.push(row);
              process.stdout.write(`${formatKernelRow(row)}\n`);
            }
          }
        }
        const notes = [...new Set(rows.filter((r) => r.engine === browserName).map((r) => `${r.variant} n=${r.n}: ${r.note}`))];
        process.stdout.write(notes.map((note) => `  ${note}\n`).join(''));
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  if (options.out) await writeFile(options.out, `${JSON.stringify(rows, null, 2)}\n`);
  return 0;
}

runScript(async () => {
  const options = parseOptions(process.argv.slice(2));
  return options ? await main(options) : EXIT_OK;
});
