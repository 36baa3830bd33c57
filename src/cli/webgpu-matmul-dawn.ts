/**
 * npm run bench:dawn -- [--sizes 1024,2048,4096] [--variants register,tiled,naive] [--samples 5] [--out FILE]
 *                       [--dawn backend=vulkan ...]
 * The dot-product WGSL kernels on Dawn, the WebGPU implementation inside Chromium, through its Node bindings
 * (the `webgpu` package: `npm install --no-save webgpu`, not one of the lab's dependencies). For a machine with
 * a real GPU and no browser: the same shaders, the same set-up (the register kernel's tile-shape trial
 * included) and the same timing as `webgpu-matmul-bench.ts` gives in a page, every product checked as the lab
 * checks it, on the adapter Dawn picks (its name printed first). `npm run bench:dawn` builds this script for
 * Node with Vite (the shaders are imported as text) and runs it. Exits 2 on bad input, 1 when a run fails or
 * a product is wrong.
 */
import { writeFile } from 'node:fs/promises';
import { parseNumberText } from '../engine/params.ts';
import type { MatmulVariant } from '../workloads/dot-product/gpu.ts';
import { MAX_RELATIVE_ERROR } from '../workloads/dot-product/matmul.ts';
import { EXIT_FAILED_RUN, EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';
import { formatKernelRow, KERNEL_TABLE_HEADER, type KernelRow } from './matmul-table.ts';

const VARIANTS: readonly MatmulVariant[] = ['register', 'tiled', 'naive'];

interface Options {
  sizes: number[];
  variants: MatmulVariant[];
  samples: number;
  /** Dawn's own options, as its `create()` takes them (e.g. backend=vulkan, adapter=NAME). */
  dawnFlags: string[];
  out?: string;
}

const USAGE =
  'Usage: npm run bench:dawn -- [--sizes 1024,2048,4096] [--variants register,tiled,naive] [--samples 5] [--out FILE]\n' +
  '                             [--dawn backend=vulkan] [--dawn adapter=NAME]\n' +
  'Needs the webgpu package (Dawn for Node): npm install --no-save webgpu\n';

function parseOptions(argv: string[]): Options | null {
  const parsed = parseCommandLine(
    argv,
    {
      options: {
        sizes: { type: 'string', default: '1024,2048,4096' },
        variants: { type: 'string', default: VARIANTS.join(',') },
        samples: { type: 'string', default: '5' },
        out: { type: 'string' },
        dawn: { type: 'string', multiple: true, default: [] },
      },
    },
    USAGE,
  );
  if (!parsed) return null;
  const { values } = parsed;
  const sizes = values.sizes.split(',').map((part) => parseNumberText(part) ?? NaN);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 8_192)) throw new UsageError(`--sizes wants whole numbers from 1 to 8192, got "${values.sizes}".`);
  const samples = parseNumberText(values.samples) ?? NaN;
  if (!Number.isInteger(samples) || samples < 1 || samples > 100) throw new UsageError(`--samples wants 1 to 100, got "${values.samples}".`);
  const variants = values.variants.split(',').map((s) => s.trim()) as MatmulVariant[];
  for (const v of variants) if (!VARIANTS.includes(v)) throw new UsageError(`Unknown variant "${v}": use ${VARIANTS.join(', ')}.`);
  for (const flag of values.dawn) if (!/^[a-z-]+=\S+$/.test(flag)) throw new UsageError(`--dawn wants KEY=VALUE (e.g. backend=vulkan), got "${flag}".`);
  return { sizes, variants, samples, dawnFlags: values.dawn, ...(values.out !== undefined ? { out: values.out } : {}) };
}

/** Dawn's `navigator.gpu` and WebGPU globals (GPUBufferUsage and the rest), installed where the lab's code looks for them. */
async function installDawn(flags: readonly string[]): Promise<GPU> {
  let dawn: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    // A name in a variable: the package is optional, so neither the type checker nor the bundler looks for it.
    const name = 'webgpu';
    dawn = (await import(/* @vite-ignore */ name)) as typeof dawn;
  } catch (error) {
    throw new Error(`Dawn's Node bindings are not installed (npm install --no-save webgpu): ${error instanceof Error ? error.message : String(error)}`);
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([...flags]);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

async function main(options: Options): Promise<number> {
  const gpu = await installDawn(options.dawnFlags);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no WebGPU adapter (no GPU driver it can use).');
  // GPUAdapterInfo's fields are getters: copied out, so the results file holds them.
  const info = { vendor: adapter.info.vendor, architecture: adapter.info.architecture, device: adapter.info.device, description: adapter.info.description };
  process.stdout.write(
    `Dawn adapter: ${[info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ')}; ` +
      `timestamp-query: ${adapter.features.has('timestamp-query') ? 'yes' : 'no'}\n\n${KERNEL_TABLE_HEADER}\n`,
  );
  // Imported once the globals are in place: the kernels' module reads GPUBufferUsage and friends.
  const { benchmarkOnGpu } = await import('../workloads/dot-product/gpu-harness.ts');
  const rows: KernelRow[] = [];
  for (const n of options.sizes) {
    for (const variant of options.variants) {
      const report = await benchmarkOnGpu({ variant, n, samples: options.samples });
      const row = { engine: 'dawn', ...report };
      rows.push(row);
      process.stdout.write(`${formatKernelRow(row)}\n`);
    }
  }
  process.stdout.write([...new Set(rows.map((r) => `  ${r.variant} n=${r.n}: ${r.note}\n`))].join(''));
  if (options.out) await writeFile(options.out, `${JSON.stringify({ adapter: info, rows }, null, 2)}\n`);
  const wrong = rows.filter((r) => !(r.relativeError <= MAX_RELATIVE_ERROR));
  for (const r of wrong) process.stderr.write(`${r.variant} at n = ${r.n}: relative error ${r.relativeError}, over ${MAX_RELATIVE_ERROR}.\n`);
  return wrong.length > 0 ? EXIT_FAILED_RUN : EXIT_OK;
}

runScript(async () => {
  const options = parseOptions(process.argv.slice(2));
  return options ? await main(options) : EXIT_OK;
});
