/** Every script in src/cli: --help, exit 2 for bad input of any kind, 1 for a failed run. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT_BAD_INPUT, EXIT_FAILED_RUN, exitCodeFor, parseCommandLine, UsageError } from '../../src/cli/cli.ts';
import { ParamError } from '../../src/engine/params.ts';
import { workloadById } from '../../src/workloads/registry.ts';
import { experimentResult, makeResults, measuredResult } from '../fixtures/make-results.ts';

/** The scripts people run (package.json's scripts and the benches the README names). */
const SCRIPTS = [
  'bench',
  'figures',
  'bare-reference',
  'check-bundle',
  'presets-compare',
  'screenshot',
  'dispatch-costs',
  'wasm-kernels-bench',
  'placement-bench',
  'webgpu-matmul-bench',
  'webgpu-matmul-dawn',
  'write-schema',
];

/**
 * Run a script in this process as `tsx src/cli/<script>.ts ...args` would: a fresh copy of the module, with
 * process.exit and the output streams caught. Faster than a child process per case, and the same code.
 */
async function run(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  let code: number | undefined;
  const argv = process.argv;
  process.argv = ['node', `src/cli/${script}.ts`, ...args];
  const exit = vi.spyOn(process, 'exit').mockImplementation(((value?: number) => {
    code ??= value ?? 0;
  }) as never);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => ((out.stdout += String(chunk)), true)) as never);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => ((out.stderr += String(chunk)), true)) as never);
  try {
    vi.resetModules();
    await import(`../../src/cli/${script}.ts`);
    await expect.poll(() => code, { timeout: 60_000 }).toBeDefined();
  } finally {
    process.argv = argv;
    exit.mockRestore();
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return { code: code!, ...out };
}

describe('exit-code policy', () => {
  it('bad input of any kind is 2, anything else 1', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(EXIT_BAD_INPUT);
    expect(exitCodeFor(new ParamError('x'))).toBe(EXIT_BAD_INPUT);
    expect(exitCodeFor(Object.assign(new TypeError('x'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }))).toBe(EXIT_BAD_INPUT);
    let unknown: unknown;
    try {
      workloadById(`nope-${Math.random()}`);
    } catch (error) {
      unknown = error;
    }
    expect(exitCodeFor(unknown)).toBe(EXIT_BAD_INPUT);
    expect(exitCodeFor(new Error('a backend failed'))).toBe(EXIT_FAILED_RUN);
    expect(exitCodeFor(new RangeError('out of memory'))).toBe(EXIT_FAILED_RUN);
  });

  it('parseCommandLine: --help gives null, an unknown option a UsageError with the usage', () => {
    const usage = `Usage: test ${Math.random()}\n`;
    expect(parseCommandLine(['--', '--help'], { options: {} }, usage)).toBeNull();
    expect(() => parseCommandLine(['--bogus'], { options: {} }, usage)).toThrow(UsageError);
    expect(() => parseCommandLine(['--bogus'], { options: {} }, usage)).toThrow(usage.trim());
    expect(parseCommandLine(['--', 'a.json'], { options: {}, allowPositionals: true }, usage)!.positionals).toEqual(['a.json']);
  });
});

// Importing a script compiles what it imports: seconds each on a loaded 2-core machine.
describe.each(SCRIPTS)('npm script %s', { timeout: 120_000 }, (script) => {
  it('--help prints its usage and exits 0; an unknown option exits 2', async () => {
    const help = await run(script, ['--help']);
    const bogus = await run(script, ['--no-such-option']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: /);
    expect(bogus.code, bogus.stderr).toBe(EXIT_BAD_INPUT);
    expect(bogus.stderr).toMatch(/no-such-option/);
  });
});

describe('figures', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'figures-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a missing file, or one that is not results, exits 2 saying which', async () => {
    const missing = join(dir, `missing-${Math.random()}.json`);
    const junk = join(dir, 'junk.json');
    await writeFile(junk, '{"not": "results"}');
    const a = await run('figures', [missing]);
    const b = await run('figures', [junk]);
    const none = await run('figures', []);
    expect(a.code).toBe(EXIT_BAD_INPUT);
    expect(a.stderr).toContain(missing);
    expect(b.code).toBe(EXIT_BAD_INPUT);
    expect(b.stderr).toMatch(/no "schema" field/);
    expect(none.code).toBe(EXIT_BAD_INPUT);
  });
});

describe('bench refuses bad input with 2 before any browser starts', { timeout: 120_000 }, () => {
  it.each([
    [['--param', 'cpu-heavy.n=_'], /n must be a number/],
    [['--param', 'cpu-heavy.n=5e12'], /n must be between/],
    [['--experiments', 'no-such-experiment'], /Unknown experiment "no-such-experiment"/],
    [['--param', 'no-such-experiment.n=1'], /Unknown experiment "no-such-experiment"/],
    [['--preset', 'slow'], /--preset takes/],
    [['--endpoint', 'ftp://api.example.com/ping'], /--endpoint: "ftp:\/\/api\.example\.com\/ping" is not an http or https URL/],
    // The lab's policy lets the page reach its own origin only, unless the build and server allow more.
    [['--endpoint', 'https://api.example.com/ping'], /PARALLEL_LAB_CONNECT_SRC=https:\/\/api\.example\.com npm run bench/],
  ])('%j', async (args, message) => {
    const outcome = await run('bench', args);
    expect(outcome.code).toBe(EXIT_BAD_INPUT);
    expect(outcome.stderr).toMatch(message);
  });
});

describe('bare refuses bad input with 2 before any browser starts', { timeout: 120_000 }, () => {
  it.each([
    [['--kernel', 'asm'], /--kernel takes js or wasm, got "asm"/],
    [['--n', '1.5'], /--n wants a whole number of elements/],
    [['--repeats', '0'], /--repeats wants a whole number/],
    [['--browser', 'lynx'], /Unknown browser "lynx"/],
  ])('%j', async (args, message) => {
    const outcome = await run('bare-reference', args);
    expect(outcome.code).toBe(EXIT_BAD_INPUT);
    expect(outcome.stderr).toMatch(message);
  });
});

describe('screenshot refuses bad input with 2 before any browser starts', { timeout: 120_000 }, () => {
  it.each([
    [['--width', '10'], /--width takes a whole number/],
    [['--width', '1280.5'], /--width takes a whole number/],
    [['--color-scheme', 'sepia'], /--color-scheme takes light or dark/],
    [['--browser', 'webkit', '--color-scheme', 'dark'], /WebKit cannot show the dark theme/],
    [['--browser', 'lynx'], /Unknown browser "lynx"/],
    [['--experiments', 'no-such-experiment'], /Unknown experiment "no-such-experiment"/],
  ])('%j', async (args, message) => {
    const outcome = await run('screenshot', args);
    expect(outcome.code).toBe(EXIT_BAD_INPUT);
    expect(outcome.stderr).toMatch(message);
  });
});

describe('presets-compare --from judges a saved comparison, and refuses what is not one with 2', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'presets-compare-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a missing file, a file without both runs, or --from with --out exits 2 saying why', async () => {
    const missing = join(dir, `missing-${Math.random()}.json`);
    const half = join(dir, 'half.json');
    await writeFile(half, JSON.stringify({ default: makeResults(), thorough: { not: 'results' } }));
    const a = await run('presets-compare', ['--from', missing]);
    const b = await run('presets-compare', ['--from', half]);
    const c = await run('presets-compare', ['--from', half, '--out', join(dir, 'x.json')]);
    expect([a.code, b.code, c.code]).toEqual([EXIT_BAD_INPUT, EXIT_BAD_INPUT, EXIT_BAD_INPUT]);
    expect(a.stderr).toContain(missing);
    expect(b.stderr).toMatch(/its thorough run is not a results document/);
    expect(c.stderr).toMatch(/--from judges a saved comparison again/);
  });

  it('two saved runs that agree print every figure judged inside, and exit 0', async () => {
    const saved = join(dir, 'agree.json');
    const serialMs = 100 + Math.random() * 50;
    const run1 = { ...makeResults(), experiments: [experimentResult('cpu-heavy', [measuredResult('serial', 1, serialMs), measuredResult('shared-memory', 2, serialMs / (1.8 + Math.random() / 10))])] };
    await writeFile(saved, JSON.stringify({ default: run1, thorough: run1, wallMs: { default: 41_000 + Math.random() * 1e4, thorough: 8e5 } }));
    const outcome = await run('presets-compare', ['--from', saved]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/: default \d+\.\d s, thorough 800\.0 s/);
    expect(outcome.stdout).toMatch(/\| yes \|/);
    expect(outcome.stdout).not.toMatch(/\| no \|/);
  });
});
