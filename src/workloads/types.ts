/**
 * The contract every experiment implements: a description (plain data), kernels (pure functions, the only
 * thing workers import) and one implementation per backend it supports. One folder under src/workloads.
 */
import type { BackendId } from '../engine/backends.ts';
import type { TaskExecutor } from '../executors/contract.ts';
import type { TaskSpan } from '../measure/timeline.ts';
import type { WorkerPool } from '../executors/worker-pool.ts';
import type { BackendResult } from '../results/schema.ts';
import type { Configuration } from '../engine/sweep.ts';

export type { BackendId } from '../engine/backends.ts';
export type { Kernel, MapOutcome, TaskExecutor } from '../executors/contract.ts';
export type { KernelRef } from './kernels.ts';

/**
 * Parameter presets: `quick` for tests and a first look, `default` for what "Run all" does, `thorough` for
 * numbers worth publishing (more samples, tighter precision, larger sizes).
 */
export type Preset = 'quick' | 'default' | 'thorough';

/** Every preset, in the order the UI offers them. */
export const PRESETS: readonly Preset[] = ['quick', 'default', 'thorough'];

/** Parameter values are plain numbers so that they round-trip through URLs, JSON and the command line. */
export type Params = Record<string, number>;

/** One adjustable, validated parameter of an experiment. */
export interface ParamSpec {
  key: string;
  label: string;
  description: string;
  min: number;
  max: number;
  integer: boolean;
  unit?: string;
  /** A value per preset; `thorough` falls back to `default` where it is not given. */
  presets: { quick: number; default: number; thorough?: number };
}

/** What the UI and the results say about an experiment. */
export interface WorkloadMeta {
  id: string;
  title: string;
  /** The row of the forum post this experiment mirrors. */
  postRow: string;
  /** What the browser's answer is, and how to read the charts. */
  summary: string;
  /** The backends this experiment runs, in the order shown; each has an entry in the workload's implementations. */
  backends: readonly BackendId[];
  /** What `Configuration.size` means for this experiment, when it sweeps one (e.g. "matrix n", "payload bytes"). */
  sizeLabel?: string;
}

/** One measured point: a backend at a lane count, optionally at a problem size and in a variant. */
export type { Configuration } from '../engine/sweep.ts';

/** The outcome of checking a backend's answer against the serial reference. */
export interface Verification {
  ok: boolean;
  detail: string;
}

/** What one timed run of a workload produced. */
export interface RunOutput<O> {
  output: O;
  spans: TaskSpan[];
}

/** Everything a workload may use to run one configuration. */
export interface RunContext {
  config: Configuration;
  params: Params;
  signal: AbortSignal;
  /**
   * The lane executor for this configuration, from the backend table: serial, event-loop, workers
   * (structured clone), or the same workers on shared memory (shared-memory, wasm-simd).
   */
  executor: TaskExecutor;
  /** The experiment's worker pool, started with `config.workers` workers for worker backends. */
  pool: WorkerPool;
  /** Cores the sweep plans for: the measured usable figure where the browser reports more than the machine has. */
  cores: number;
  /** The GPU device, created on first use and shared by the experiment; rejects with a reason when unavailable. */
  gpuDevice(): Promise<GPUDevice>;
}

/** Per-configuration preparation done outside the timed region (shader compilation, pipelines, buffers). */
export interface SetupOutcome<S> {
  state: S;
  /** Time spent compiling and building pipelines: reported apart, never inside a sample. */
  compileMs?: number;
  /** Something worth recording about how this backend ran (e.g. which gpu.js mode). */
  note?: string;
  /** Which implementation actually ran: gpu.js's mode, the WebAssembly SIMD flavour, the chosen tile shape. */
  mode?: string;
  /** Spans of the setup itself (compile, pipeline creation), drawn before the first sample's phases. */
  spans?: TaskSpan[];
}

/** Throughput figures reported next to the time. */
export interface Throughput {
  gbPerSecond?: number;
  gflops?: number;
}

/**
 * How one backend runs one experiment: set-up, the timed run and tear-down. An experiment supplies one per
 * backend it supports; adding a backend to an experiment is adding one of these.
 */
export interface BackendImplementation<Prepared, Output, State = void> {
  /** Variants measured for this backend (e.g. naive and tiled shaders); one unnamed variant by default. */
  variants?: readonly string[];
  /** Untimed per-configuration setup. */
  setup?(ctx: RunContext, prepared: Prepared): Promise<SetupOutcome<State>>;
  /**
   * Untimed, before every run: reset what setup made for reuse, e.g. poison an output buffer with NaN so a
   * run that writes nothing cannot pass the check on the last run's answer.
   */
  beforeRun?(prepared: Prepared, state: State): void;
  /** The work itself, identical in amount whatever the executor and lane count (strong scaling). */
  run(ctx: RunContext, prepared: Prepared, state: State): Promise<RunOutput<Output>>;
  /** Release what setup made (GPU buffers, spawned helpers, shared memories). */
  teardown?(state: State): void | Promise<void>;
}

/** An experiment's implementations, keyed by backend. */
export type Implementations<Prepared, Output> = {
  readonly [B in BackendId]?: BackendImplementation<Prepared, Output, any>;
};

/** An experiment: parameters, inputs with their reference answer, one implementation per backend, and a check. */
export interface Workload<Prepared = unknown, Output = unknown> {
  meta: WorkloadMeta;
  params: readonly ParamSpec[];
  implementations: Implementations<Prepared, Output>;
  /** The configurations to measure; default: every backend in meta.backends, lane backends swept. */
  configurations?(params: Params, hardwareConcurrency: number, backends: readonly BackendId[]): Configuration[];
  /**
   * For size sweeps: work grows as size^workExponent (3 for a matrix product, 1 for an addition), so the engine
   * can project the next size's run time and stop a backend's sweep before a run takes too long.
   */
  sizeGrowth?: { workExponent: number };
  /** Fresh random inputs (never zeros) and the reference answer they must produce, for one problem size. */
  prepare(params: Params, random: () => number, size: number | undefined): Prepared;
  verify(output: Output, prepared: Prepared): Verification;
  /** Throughput of one run that took `durationMs` on these inputs. */
  throughput?(prepared: Prepared, durationMs: number): Throughput;
  /** Parameters worth recording beside the user's (derived sizes, the random inputs' seed values). */
  describe?(prepared: Prepared): Record<string, number | string>;
  /**
   * Figures drawn from all of the experiment's results once they are in (a break-even size, say), recorded
   * as the experiment's `derived` figures; null where the data hold none. It may also add a `note` to results.
   */
  summarize?(results: BackendResult[], params: Params): Record<string, number | string | null>;
}

/** The implementation of `backend` in `workload`, or a clear error when the experiment does not declare it. */
export function implementationOf<P, O>(workload: Workload<P, O>, backend: BackendId): BackendImplementation<P, O, any> {
  const implementation = workload.implementations[backend];
  if (!implementation) throw new RangeError(`Experiment "${workload.meta.id}" has no "${backend}" implementation.`);
  return implementation;
}

/** The variants a backend measures in an experiment: its declared ones, or one unnamed. */
export function variantsOf(workload: Workload<any, any>, backend: BackendId): ReadonlyArray<string | undefined> {
  const variants = workload.implementations[backend]?.variants;
  return variants && variants.length > 0 ? variants : [undefined];
}
