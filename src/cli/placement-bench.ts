/**
 * npm run bench:placement -- [--elements 16777216] [--rounds 10] [--runs 15]
 * Does a memory-bound run's speed depend on where its buffers landed? The lab's serial addition kernel, in
 * Node's V8 with no browser around it, adds the same three arrays round after round, then arrays made afresh
 * for every round (as a fresh set-up makes them), with other large arrays made and dropped between rounds
 * either way. Prints each round's median: same arrays that read alike while fresh ones do not mean the
 * buffers' placement decides, so a median's interval must count rounds, not only samples (see the README).
 * Exits 2 on bad options, 1 when an addition answers wrongly.
 */
import { parseNumberText } from '../engine/params.ts';
import { median } from '../measure/stats.ts';
import { addRange } from '../workloads/array-add/add.ts';
import { fillRandomNonZero } from '../workloads/shared/float32.ts';
import { EXIT_OK, parseCommandLine, runScript, UsageError } from './cli.ts';

const USAGE =
  'Usage: npm run bench:placement -- [--elements 16777216] [--rounds 10] [--runs 15]\n' +
  'Serial addition over the same arrays every round, then over fresh arrays each round: each round\'s median.\n';

/** A whole-number option within [min, max], or a UsageError naming it. */
function wholeOption(name: string, text: string, min: number, max: number): number {
  const value = parseNumberText(text);
  if (value === null || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} wants a whole number from ${min} to ${max}, got ${JSON.stringify(text)}.\n${USAGE.trimEnd()}`);
  }
  return value;
}

interface Arrays {
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
}

function freshArrays(elements: number): Arrays {
  return { a: fillRandomNonZero(new Float32Array(elements), Math.random), b: fillRandomNonZero(new Float32Array(elements), Math.random), c: new Float32Array(elements) };
}

/** One round: an untimed run (page faults, JIT), then `runs` timed ones; its median in ms. */
function roundMedianMs({ a, b, c }: Arrays, runs: number): number {
  const times: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const start = performance.now();
    addRange({ a, b, c, start: 0, end: a.length, repeats: 1 });
    if (run > 0) times.push(performance.now() - start);
  }
  // Spot checks at random places: a wrong sum fails the script.
  for (let k = 0; k < 64; k++) {
    const i = Math.floor(Math.random() * a.length);
    if (c[i] !== Math.fround(a[i]! + b[i]!)) throw new Error(`element ${i}: ${c[i]} is not ${a[i]} + ${b[i]}`);
  }
  return median(times);
}

/** Other large arrays made and dropped, as a suite's other configurations do between two set-ups. */
function churn(elements: number): void {
  for (let k = 0; k < 4; k++) new Float32Array(2 * elements).fill(k + 1);
}

function line(label: string, medians: number[]): string {
  const low = Math.min(...medians);
  const high = Math.max(...medians);
  return `${label.padEnd(24)} ${medians.map((ms) => ms.toFixed(1)).join(' ')}   (${low.toFixed(1)}-${high.toFixed(1)} ms, highest/lowest ${(high / low).toFixed(2)})\n`;
}

runScript(async () => {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    { options: { elements: { type: 'string', default: String(2 ** 24) }, rounds: { type: 'string', default: '10' }, runs: { type: 'string', default: '15' } } },
    USAGE,
  );
  if (!parsed) return EXIT_OK;
  const elements = wholeOption('elements', parsed.values.elements as string, 1_024, 2 ** 26);
  const rounds = wholeOption('rounds', parsed.values.rounds as string, 2, 100);
  const runs = wholeOption('runs', parsed.values.runs as string, 1, 1_000);
  process.stdout.write(`Serial addition of ${elements.toLocaleString('en')} float32 elements, ${runs} timed runs a round; each round's median, ms:\n`);
  const kept = freshArrays(elements);
  const same: number[] = [];
  for (let round = 0; round < rounds; round++) {
    same.push(roundMedianMs(kept, runs));
    churn(elements);
  }
  process.stdout.write(line('same arrays every round', same));
  const fresh: number[] = [];
  for (let round = 0; round < rounds; round++) {
    fresh.push(roundMedianMs(freshArrays(elements), runs));
    churn(elements);
  }
  process.stdout.write(line('fresh arrays each round', fresh));
  return EXIT_OK;
});
