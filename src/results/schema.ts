/**
 * The results format, parallel-lab/results/v1: one definition gives the TypeScript types, the runtime
 * validator and the JSON Schema shipped in public/schema/ (kept identical by a unit test).
 */
import Type from 'typebox';
import { BACKEND_IDS, type BackendId } from '../engine/backends.ts';
import { RESULTS_SCHEMA_ID } from './documents.ts';

/** Bounds that keep a hostile or corrupt file from exhausting memory once parsed. */
const MAX_SAMPLES = 10_000;
const MAX_TIMELINE_BARS = 200_000;
const MAX_RESULTS = 1_000;
const MAX_EXPERIMENTS = 100;
const Text = (maxLength = 2_000) => Type.String({ maxLength });
const NonNegative = Type.Number({ minimum: 0 });
/** Longest key a record (params, fits, adapter fields) may have, in characters. */
export const MAX_KEY_CHARS = 80;
/**
 * A record whose keys are capped in the shipped JSON Schema too (`propertyNames`), not only in the TypeScript
 * type: TypeBox writes a record's key as `patternProperties: "^.*$"`, which alone would let a 5 MB key through.
 */
function KeyedRecord<V extends Type.TSchema>(value: V, options: { maxProperties: number; description?: string }) {
  return Type.Record(Type.String({ maxLength: MAX_KEY_CHARS }), value, {
    ...options,
    propertyNames: { maxLength: MAX_KEY_CHARS },
  } as Type.TObjectOptions);
}

/**
 * Backend ids, from the backend table: files written before a backend was added stay valid, since the list only
 * grows.
 */
export const BackendIdSchema = Type.Unsafe<BackendId>(
  Type.Union(
    BACKEND_IDS.map((id) => Type.Literal(id)),
    { description: `The way of running work: ${BACKEND_IDS.join(', ')}.` },
  ),
);

export const TimelineBarSchema = Type.Object(
  {
    lane: Type.Integer({ minimum: 0, maximum: 4_096 }),
    startMs: NonNegative,
    endMs: NonNegative,
    task: Type.Optional(Type.Integer({ minimum: 0 })),
    phase: Type.Optional(Text(40)),
  },
  { additionalProperties: false },
);

export const MeasuredResultSchema = Type.Object(
  {
    backend: BackendIdSchema,
    available: Type.Literal(true),
    workers: Type.Integer({ minimum: 1, maximum: 4_096, description: 'Lanes: workers, or concurrent async tasks.' }),
    size: Type.Optional(Type.Number({ minimum: 0, description: 'Problem size of a size sweep (see the experiment).' })),
    variant: Type.Optional(Text(40)),
    samplesMs: Type.Array(NonNegative, { maxItems: MAX_SAMPLES, description: 'Every timed sample, in order taken.' }),
    warmupMs: Type.Array(NonNegative, { maxItems: MAX_SAMPLES }),
    medianMs: NonNegative,
    ci95Ms: Type.Tuple([NonNegative, NonNegative], {
      description:
        'Distribution-free confidence interval of the median from order statistics; measured in rounds (each a ' +
        'fresh set-up), widened to hold every round\'s median, its coverage then 1 - 2^(1 - rounds).',
    }),
    ciCoverage: Type.Number({ minimum: 0, maximum: 1, description: 'Coverage the interval really has (over rounds: the rounds\' medians\' range).' }),
    precision: Type.Optional(
      Type.Number({ minimum: 0, maximum: 99, description: 'Half the 95% interval over the median: 0.03 means the median is known within ±3%.' }),
    ),
    roundMediansMs: Type.Optional(
      Type.Array(NonNegative, {
        maxItems: 64,
        description: 'Each round\'s median, in order (rounds: passes over the configurations, each a fresh set-up).',
      }),
    ),
    speedup: Type.Optional(Type.Number({ minimum: 0, description: 'Serial median over this median.' })),
    verified: Type.Literal(true, { description: 'Every sample matched the serial reference; a wrong answer is a failed result.' }),
    check: Type.Optional(Text()),
    compileMs: Type.Optional(
      Type.Number({ minimum: 0, description: 'Shader compilation and pipeline creation, measured apart from the samples.' }),
    ),
    mode: Type.Optional(Text(40)),
    note: Type.Optional(Text()),
    gbPerSecond: Type.Optional(NonNegative),
    gflops: Type.Optional(NonNegative),
    timeline: Type.Array(TimelineBarSchema, {
      maxItems: MAX_TIMELINE_BARS,
      description: 'Tasks of the median sample, in ms from its start, one lane per worker.',
    }),
    setupTimeline: Type.Optional(Type.Array(TimelineBarSchema, { maxItems: 1_000 })),
  },
  { additionalProperties: false },
);

export const UnavailableResultSchema = Type.Object(
  {
    backend: BackendIdSchema,
    available: Type.Literal(false),
    workers: Type.Optional(Type.Integer({ minimum: 1, maximum: 4_096 })),
    size: Type.Optional(Type.Number({ minimum: 0 })),
    variant: Type.Optional(Text(40)),
    reason: Text(),
    skipped: Type.Optional(
      Type.Boolean({ description: 'Available, but not measured at this size: the size sweep stopped before it (see reason).' }),
    ),
  },
  { additionalProperties: false },
);

export const FailedResultSchema = Type.Object(
  {
    backend: BackendIdSchema,
    available: Type.Literal(true),
    workers: Type.Integer({ minimum: 1, maximum: 4_096 }),
    size: Type.Optional(Type.Number({ minimum: 0 })),
    variant: Type.Optional(Text(40)),
    verified: Type.Literal(false),
    error: Text(),
    samplesMs: Type.Array(NonNegative, { maxItems: MAX_SAMPLES, description: 'Samples taken before the failure.' }),
  },
  { additionalProperties: false, description: 'A backend that ran and failed: it threw, or its answer was wrong.' },
);

export const ResultSchema = Type.Union([MeasuredResultSchema, FailedResultSchema, UnavailableResultSchema]);

export const AmdahlFitSchema = Type.Object(
  {
    serialFraction: Type.Number({ minimum: 0, maximum: 1 }),
    serialFractionCi95: Type.Tuple([Type.Number(), Type.Number()]),
    r2: Type.Union([Type.Number({ maximum: 1 }), Type.Null()], {
      description: 'Goodness of fit; null when the speedups do not vary beyond their own noise (a flat curve).',
    }),
    oneLaneSpeedup: Type.Number({
      minimum: 0,
      description: 'Speedup over serial at one lane: the fit is on speedups relative to one lane, drawn scaled by this.',
    }),
    fittedWorkers: Type.Array(Type.Integer({ minimum: 1 }), {
      maxItems: 64,
      description: 'Worker counts used in the fit: those up to the reported core count.',
    }),
  },
  { additionalProperties: false },
);

export const ExperimentSchema = Type.Object(
  {
    id: Text(80),
    title: Type.Optional(Text(200)),
    preset: Type.Union([Type.Literal('quick'), Type.Literal('default'), Type.Literal('thorough'), Type.Literal('custom')]),
    params: KeyedRecord(Type.Union([Type.Number(), Type.String({ maxLength: 200 })]), {
      maxProperties: 64,
    }),
    startedAt: Type.String({ format: 'date-time' }),
    durationMs: NonNegative,
    results: Type.Array(ResultSchema, { maxItems: MAX_RESULTS }),
    amdahl: KeyedRecord(AmdahlFitSchema, { maxProperties: 64 }),
    derived: Type.Optional(
      KeyedRecord(Type.Union([Type.Number(), Type.String({ maxLength: 400 }), Type.Null()]), {
        maxProperties: 64,
        description: 'Figures computed from the results, e.g. break-even task sizes; null where none exists.',
      }),
    ),
    sizeSweep: Type.Optional(
      Type.Object(
        {
          sizes: Type.Array(Type.Number({ minimum: 0 }), { maxItems: 64, description: 'Sizes at which anything was measured.' }),
          stopped: KeyedRecord(Text(), {
            maxProperties: 64,
            description: 'Why each backend\'s sizes stopped growing, where they stopped before the largest.',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    warnings: Type.Optional(Type.Array(Text(), { maxItems: 32, description: 'Why these timings may mislead.' })),
    error: Type.Optional(Text()),
  },
  { additionalProperties: false },
);

export const EnvironmentSchema = Type.Object(
  {
    userAgent: Text(1_000),
    browser: Type.Object({ name: Text(80), version: Text(80) }, { additionalProperties: false }),
    os: Type.Optional(Text(120)),
    hardwareConcurrency: Type.Integer({ minimum: 1, maximum: 4_096 }),
    usableCores: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 4_096,
        description:
          'Cores\' worth of full-speed work a short CPU-bound loop got on as many workers as reported cores (at most 16) ' +
          'at once, against one undisturbed worker; measured before the experiments.',
      }),
    ),
    usableCoresAfter: Type.Optional(
      Type.Number({ minimum: 0, maximum: 4_096, description: 'The same check, measured after the experiments.' }),
    ),
    busy: Type.Optional(
      Type.Boolean({
        description:
          'Either check found under 80% of the throughput the cores should give, and not because the machine has fewer ' +
          'cores than reported: something else was using them, so speedups are understated.',
      }),
    ),
    scalingCores: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 4_096,
        description:
          'Core count the worker sweeps and Amdahl fits planned for: the reported count, or the measured one when the ' +
          'browser reported clearly more cores than the machine has.',
      }),
    ),
    crossOriginIsolated: Type.Boolean(),
    isolatedBy: Type.Optional(
      Type.Union([Type.Literal('headers'), Type.Literal('service-worker')], {
        description: "Where an isolated page's COOP/COEP headers came from: the server, or the lab's service worker on a host that sets none.",
      }),
    ),
    sharedArrayBuffer: Type.Boolean(),
    timerResolutionMs: NonNegative,
    webgpu: Type.Object(
      {
        available: Type.Boolean(),
        reason: Type.Optional(Text()),
        adapter: Type.Optional(
          KeyedRecord(Type.Union([Type.String({ maxLength: 400 }), Type.Number(), Type.Boolean()]), {
            maxProperties: 64,
          }),
        ),
      },
      { additionalProperties: false },
    ),
    wasm: Type.Optional(
      Type.Object(
        { simd: Type.Boolean(), relaxedSimd: Type.Boolean() },
        { additionalProperties: false, description: 'WebAssembly 128-bit SIMD and relaxed SIMD, as WebAssembly.validate answered.' },
      ),
    ),
    webgl: Type.Object(
      { available: Type.Boolean(), renderer: Type.Optional(Text(400)), reason: Type.Optional(Text()) },
      { additionalProperties: false },
    ),
    runner: Type.Optional(
      KeyedRecord(Type.Union([Type.String({ maxLength: 400 }), Type.Number(), Type.Boolean()]), {
        maxProperties: 32,
        description: 'How a headless run launched the browser (driver, flags, prefs).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ResultsSchema = Type.Object(
  {
    schema: Type.Literal(RESULTS_SCHEMA_ID),
    createdAt: Type.String({ format: 'date-time' }),
    app: Type.Object({ name: Text(80), version: Text(40) }, { additionalProperties: false }),
    environment: EnvironmentSchema,
    experiments: Type.Array(ExperimentSchema, { maxItems: MAX_EXPERIMENTS }),
    cancelled: Type.Optional(Type.Boolean()),
  },
  {
    title: 'Parallel Lab results',
    additionalProperties: false,
  },
);

export type BackendIdValue = Type.Static<typeof BackendIdSchema>;
export type TimelineBarRecord = Type.Static<typeof TimelineBarSchema>;
export type MeasuredResult = Type.Static<typeof MeasuredResultSchema>;
export type FailedResult = Type.Static<typeof FailedResultSchema>;
export type UnavailableResult = Type.Static<typeof UnavailableResultSchema>;
export type BackendResult = Type.Static<typeof ResultSchema>;
export type AmdahlFitRecord = Type.Static<typeof AmdahlFitSchema>;
export type ExperimentResult = Type.Static<typeof ExperimentSchema>;
export type EnvironmentReport = Type.Static<typeof EnvironmentSchema>;
export type Results = Type.Static<typeof ResultsSchema>;

/** The JSON Schema document as shipped (draft-07: TypeBox writes tuples as `items` arrays). */
export function resultsJsonSchema(): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(ResultsSchema)) };
}
