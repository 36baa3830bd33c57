/**
 * Property-based tests of everything that reads input from strangers: the import, share links, URL options,
 * parameters and the echo endpoint's query. Each target runs FUZZ_RUNS cases (1,000 unless set) from one fixed
 * seed, printed at the start; set FUZZ_SEED to replay a failure (fast-check also prints the case's path).
 * Checked throughout: nothing throws, no prototype changes, every refusal comes within a second, and what is
 * accepted is what the viewer can render and what was sent.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isPrivateNetworkUrl, MAX_UNKNOWN_SHOWN, parseUrlOptions, unknownExperimentsMessage } from '../../src/app/url-options.ts';
import { parseEchoQuery } from '../../src/cli/echo-query.ts';
import { echoReply } from '../../src/cli/latency-endpoint.ts';
import { ParamError, parseNumberText, parseParamText, resolveParams } from '../../src/engine/params.ts';
import { validateSuiteRequest } from '../../src/engine/run-suite.ts';
import { elementReader } from '../../src/elements/element-reader.ts';
import { parseResultsText } from '../../src/results/import.ts';
import type { Results } from '../../src/results/schema.ts';
import { decodeShareFragment, encodeShareFragment } from '../../src/results/share-link.ts';
import { MAX_DELAY_MS, TOKEN_PATTERN } from '../../src/workloads/api-calls/protocol.ts';
import { UnknownExperimentError, workloads } from '../../src/workloads/registry.ts';
import { makeResults, measuredResult } from '../fixtures/make-results.ts';
import { renderOpened } from '../fixtures/render-viewer.ts';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20_261_126;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 1_000;
/** Longest a refusal may take, in ms. */
const MAX_REFUSAL_MS = 1_000;
const options = (runs = RUNS) => ({ seed: SEED, numRuns: runs, endOnFailure: true });
/** Per test: about 15 s on an idle 2-core machine for the largest target, several times that under load. */
const FUZZ_TIMEOUT = { timeout: 240_000 };

beforeAll(() => {
  console.log(`fuzz: seed ${SEED}, ${RUNS} cases per target (replay with FUZZ_SEED=${SEED})`);
});

/** Own property names of the built-in prototypes: any change means input reached one. */
function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
}
const PROTOTYPES = prototypeSnapshot();

function expectPrototypesIntact(): void {
  expect(prototypeSnapshot()).toBe(PROTOTYPES);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** A small seeded generator, so that each case's document is fixed by fast-check's choices. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid document with a second experiment and a scaling sweep, numbers drawn from `seed`. */
function baseDocument(seed: number): Results {
  const random = mulberry32(seed);
  const doc = makeResults(random);
  doc.experiments[0]!.results.push(measuredResult('workers', 1, 20 + random()), measuredResult('workers', 2, 10 + random()));
  doc.experiments.push({ ...structuredClone(doc.experiments[0]!), id: 'array-add', warnings: ['timer is coarse'] });
  return doc;
}

/** Every path in a JSON value: arrays of keys and indexes. */
function pathsOf(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

const specialValue = fc.oneof(
  fc.constantFrom(-1, 0, -0, 1e308, 5e-324, 2 ** 53 + 1, '', 'x'.repeat(2_001), null, true, false, [], {}, ['a', 'a'], [0, 0]),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 100 }),
  fc.double(),
);

type Mutation =
  | { kind: 'set'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'addKey'; at: number; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: specialValue }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('addKey' as const),
    at: fc.nat(),
    key: fc.oneof(fc.string({ maxLength: 90 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'k'.repeat(81))),
    value: specialValue,
  }),
);

/** Apply mutations to a copy of `doc`, as JSON text. Keys go in through JSON so "__proto__" stays a key. */
function mutate(doc: Results, mutations: Mutation[]): string {
  const copy = structuredClone(doc) as unknown;
  let text: string | null = null;
  for (const m of mutations) {
    const paths = pathsOf(copy).filter((p) => p.length > 0);
    const path = paths[m.at % paths.length]!;
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], copy);
    const last = path[path.length - 1]!;
    if (m.kind === 'set') parent[last] = structuredClone(m.value);
    else if (m.kind === 'delete') Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
    else if (m.kind === 'duplicate') {
      if (Array.isArray(parent)) parent.push(structuredClone(parent[Number(last)]));
    } else {
      const target = parent[last];
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
        const inner = JSON.stringify(target);
        const added = `${JSON.stringify(m.key)}:${JSON.stringify(m.value ?? null)}`;
        parent[last] = JSON.parse(inner === '{}' ? `{${added}}` : `{${added},${inner.slice(1)}`);
      }
    }
  }
  text = JSON.stringify(copy);
  return text;
}

/** Checks on one import of `text`: never throws, prompt when refusing, and renders and keeps what it accepts. */
function checkImport(text: string): boolean {
  const started = performance.now();
  const outcome = parseResultsText(text);
  const elapsedMs = performance.now() - started;
  expectPrototypesIntact();
  if (!outcome.ok) {
    expect(elapsedMs).toBeLessThan(MAX_REFUSAL_MS);
    expect(outcome.message.length).toBeLessThan(4_000);
    return false;
  }
  // What is accepted is exactly what was sent, and the viewer renders every run of it.
  const parsed = JSON.parse(text.replace(/^\ufeff/, '')) as { runs?: Results[] };
  expect(outcome.runs).toEqual(outcome.kind === 'comparison' ? parsed.runs : [parsed]);
  for (const run of outcome.runs) expect(renderOpened(run)).toContain('data-testid="opened-run"');
  return true;
}

describe('fuzz: import', FUZZ_TIMEOUT, () => {
  it('mutated documents: never a throw, a prototype change, a slow refusal, or an accepted document the viewer cannot render', () => {
    let accepted = 0;
    let cases = 0;
    fc.assert(
      fc.property(fc.integer(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (seed, mutations) => {
        cases++;
        if (checkImport(mutate(baseDocument(seed), mutations))) accepted++;
      }),
      options(),
    );
    // Both paths taken often: refusals, and accepted documents that go through the viewer.
    expect(accepted).toBeGreaterThan(cases / 20);
    expect(accepted).toBeLessThan(cases * 0.95);
  });

  it('arbitrary text and JSON: never a throw or a prototype change, refused promptly', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 4 }),
      fc.constantFrom('[', '{"a":', '\ufeff', '\ufffd\ufffd{', '"\\u005f_proto__"', '{"__proto__":1}', '{"schema":"parallel-lab/results/v1"}'),
      fc.tuple(fc.nat({ max: 5_000 }), fc.constantFrom('[', '{"a":')).map(([n, open]) => open.repeat(n)),
    );
    fc.assert(
      fc.property(text, (t) => {
        checkImport(t);
      }),
      options(),
    );
  });
});

describe('fuzz: the results element reads as the lab does', FUZZ_TIMEOUT, () => {
  it("mutated documents: the element's reader (shipped JSON Schema, interpreted) gives the lab's outcome, word for word", () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (seed, mutations) => {
        const text = mutate(baseDocument(seed), mutations);
        expect(elementReader.parseResultsText(text)).toEqual(parseResultsText(text));
        expectPrototypesIntact();
      }),
      // A quarter of the cases: the interpreter is several times slower than the compiled check.
      options(Math.ceil(RUNS / 4)),
    );
  });
});

describe('fuzz: share links', FUZZ_TIMEOUT, () => {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
  let fragment = '';
  let original: Results;

  beforeAll(async () => {
    original = baseDocument(SEED);
    const made = await encodeShareFragment(original);
    if (!made.ok) throw new Error(made.message);
    fragment = made.fragment;
  });

  const damage = fc.array(
    fc.record({ kind: fc.constantFrom('replace', 'insert', 'delete', 'cut'), at: fc.nat(), char: fc.constantFrom(...ALPHABET) }),
    { minLength: 1, maxLength: 3 },
  );

  it('a damaged link is refused or decodes to the very same document, never to other numbers', async () => {
    await fc.assert(
      fc.asyncProperty(damage, async (changes) => {
        let link = fragment;
        for (const c of changes) {
          const at = 5 + (c.at % Math.max(1, link.length - 5));
          if (c.kind === 'replace') link = link.slice(0, at) + c.char + link.slice(at + 1);
          else if (c.kind === 'insert') link = link.slice(0, at) + c.char + link.slice(at);
          else if (c.kind === 'delete') link = link.slice(0, at) + link.slice(at + 1);
          else link = link.slice(0, at);
        }
        const started = performance.now();
        const outcome = await decodeShareFragment(link);
        expectPrototypesIntact();
        if (outcome.ok) expect(outcome.runs).toEqual([original]);
        else {
          expect(performance.now() - started).toBeLessThan(MAX_REFUSAL_MS);
          expect(outcome.message).toMatch(/damaged|cannot read|no shared results|newer version/);
        }
      }),
      options(),
    );
  });

  it('arbitrary fragments never throw', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.tuple(fc.constantFrom('#r=1.', '#r=2.', '#r=2.00000000.', 'r=', '#x=1&r=2.'), fc.string({ maxLength: 300 })).map(([a, b]) => a + b),
    );
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        const outcome = await decodeShareFragment(t);
        expectPrototypesIntact();
        if (outcome.ok) for (const run of outcome.runs) renderOpened(run);
      }),
      options(),
    );
  });
});

describe('fuzz: URL options', FUZZ_TIMEOUT, () => {
  const known = new Set(workloads.map((w) => w.meta.id));
  const key = fc.constantFrom('experiments', 'experiment', 'preset', 'embed', 'autorun', 'endpoint', '__proto__', 'x');
  const value = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.constantFrom('0', 'false', 'NO', 'Off', 'cpu-heavy,nope', 'quick', 'http://169.254.169.254/', 'https://example.com/'),
  );
  const query = fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`);

  it('never throw; known experiments only; off means off; a short message about unknown ids', () => {
    fc.assert(
      fc.property(fc.oneof(query, fc.string({ maxLength: 200 })), (search) => {
        const parsed = parseUrlOptions(search);
        expectPrototypesIntact();
        for (const id of parsed.experiments) expect(known.has(id)).toBe(true);
        expect(parsed.unknown.length).toBeLessThanOrEqual(MAX_UNKNOWN_SHOWN);
        expect(unknownExperimentsMessage(parsed).length).toBeLessThan(1_000);
        const embed = new URLSearchParams(search).get('embed');
        if (embed !== null && ['0', 'false', 'no', 'off'].includes(embed.trim().toLowerCase())) expect(parsed.embed).toBe(false);
        if (parsed.endpoint !== undefined) expect(typeof isPrivateNetworkUrl(parsed.endpoint)).toBe('boolean');
      }),
      options(),
    );
  });

  it('every loopback, private and link-local IPv4 address is caught, however the URL writes it', () => {
    const privateAddress = fc.oneof(
      fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
    );
    const form = fc.constantFrom('dotted', 'integer', 'hex', 'mapped');
    fc.assert(
      fc.property(privateAddress, form, fc.nat(65_535), (octets, how, port) => {
        const n = octets.reduce((acc, o) => acc * 256 + o, 0);
        const host =
          how === 'dotted' ? octets.join('.') : how === 'integer' ? String(n) : how === 'hex' ? `0x${n.toString(16)}` : `[::ffff:${octets.join('.')}]`;
        expect(isPrivateNetworkUrl(`http://${host}:${port}/x`)).toBe(true);
      }),
      options(),
    );
  });
});

describe('fuzz: parameters', FUZZ_TIMEOUT, () => {
  it('the number parser never throws; what it reads is finite and written in plain decimal', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^[-+0-9_.eExob]{0,12}$/)), (text) => {
        const value = parseNumberText(text);
        if (value === null) return;
        expect(Number.isFinite(value)).toBe(true);
        expect(text.trim()).toMatch(/^[+-]?[0-9_.]+([eE][+-]?[0-9]+)?$/);
        expect(text).not.toMatch(/__|^_|_$|0[xob]/i);
      }),
      options(),
    );
  });

  it('reads back every finite number as JavaScript writes it, and integers grouped with underscores', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.nat({ max: Number.MAX_SAFE_INTEGER }), (x, n) => {
        expect(parseNumberText(String(x))).toBe(x === 0 ? 0 : x);
        expect(parseNumberText(n.toLocaleString('en-US').replaceAll(',', '_'))).toBe(n);
      }),
      options(),
    );
  });

  it('any overrides from a page script: valid parameters in range, or a ParamError', () => {
    const workload = fc.constantFrom(...workloads);
    const overrides = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.dictionary(fc.constantFrom('n', 'tasks', 'minLength', 'maxLength', 'minN', 'maxN', 'requests', '__proto__'), fc.oneof(fc.anything({ maxDepth: 1 }), fc.double())),
    );
    fc.assert(
      fc.property(workload, fc.constantFrom('quick', 'default', 'thorough', 'slow'), overrides, (w, preset, given) => {
        try {
          const params = resolveParams(w, preset as never, given);
          for (const spec of w.params) {
            expect(params[spec.key]).toBeGreaterThanOrEqual(spec.min);
            expect(params[spec.key]).toBeLessThanOrEqual(spec.max);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ParamError);
        }
        expectPrototypesIntact();
      }),
      options(),
    );
  });

  it('any run request and any key=value text: accepted, or refused with a ParamError or an unknown experiment, never a TypeError', () => {
    const request = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.record(
        {
          experiments: fc.oneof(fc.array(fc.constantFrom(...workloads.map((w) => w.meta.id), 'nope', '')), fc.anything({ maxDepth: 1 })),
          preset: fc.oneof(fc.constantFrom('quick', 'default', 'thorough'), fc.anything({ maxDepth: 1 })),
          params: fc.anything({ maxDepth: 3 }),
          backends: fc.oneof(fc.array(fc.constantFrom('serial', 'workers', 'quantum')), fc.anything({ maxDepth: 1 })),
          watchdogFloorMs: fc.oneof(fc.integer({ min: -1, max: 700_000 }), fc.double(), fc.anything({ maxDepth: 1 })),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(request, fc.string({ maxLength: 60 }), (r, text) => {
        for (const attempt of [() => validateSuiteRequest(r as never), () => parseParamText(text)]) {
          try {
            attempt();
          } catch (error) {
            expect(error instanceof ParamError || error instanceof UnknownExperimentError, String(error)).toBe(true);
          }
        }
        expectPrototypesIntact();
      }),
      options(),
    );
  });
});

describe('fuzz: the echo endpoint', FUZZ_TIMEOUT, () => {
  it('one parser: any query is answered 200 with a bounded, whole delay or refused 400, never a throw', () => {
    const delay = fc.oneof(fc.string({ maxLength: 12 }), fc.nat({ max: 20_000 }).map(String), fc.constantFrom('', ' 1', '1e3', '-0', '0x10', '1_0'));
    const token = fc.oneof(fc.stringMatching(/^[0-9a-f]{0,70}$/), fc.string({ maxLength: 20 }));
    fc.assert(
      fc.property(token, fc.option(delay), fc.string({ maxLength: 40 }), (t, d, junk) => {
        const params = new URLSearchParams(junk);
        params.set('token', t);
        if (d !== null) params.set('delayMs', d);
        const query = parseEchoQuery(params);
        const reply = echoReply('GET', new URL(`http://localhost/api/echo?${params}`));
        if (query.ok) {
          expect(query.token).toMatch(TOKEN_PATTERN);
          expect(Number.isInteger(query.delayMs) && query.delayMs >= 0 && query.delayMs <= MAX_DELAY_MS).toBe(true);
          expect(reply.status).toBe(200);
          expect(reply.delayMs).toBe(query.delayMs);
        } else {
          expect(reply.status).toBe(400);
          expect(JSON.parse(reply.body)).toEqual({ error: query.message });
        }
      }),
      options(),
    );
  });
});
