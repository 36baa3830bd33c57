/** The contract every experiment implements: one folder under src/workloads, one line in the registry. */
import type { TaskSpan } from '../measure/timeline.ts';
import type { WorkerPool } from '../executors/worker-pool.ts';
import type { BackendResult } from '../results/schema.ts';

/** The ways of running work that the lab compares, named as in the results JSON. */
export type BackendId = 'serial' | 'event-loop' | 'workers' | 'shared-memory' | 'webgpu' | 'gpujs';

export const BACKEND_IDS: readonly BackendId[] = ['serial', 'event-loop', 'workers', 'shared-memory', 'webgpu', 'gpujs'];

/** Parameter presets: `quick` is for tests and a first look, `default` for numbers worth reporting. */
export type Preset = 'default' | 'quick';

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
  presets: Record<Preset, number>;
}

/** What the UI and the results say about an experiment. */
export interface WorkloadMeta {
  id: string;
  title: string;
  /** The row of the forum post this experiment mirrors. */
  postRow: string;
  /** What the browser's answer is, and how to read the charts. */
  summary: string;
  backends: readonly BackendId[];
  /** What `Configuration.size` means for this experiment, when it sweeps one (e.g. "matrix n", "payload bytes"). */
  sizeLabel?: string;
}

/**
 * One measured point: a backend at a lane count, optionally at a problem size and in a variant
 * (a naive or tiled shader, spawn-per-task or pooled workers, clone or transfer).
 */
export interface Configuration {
  backend: BackendId;
  workers: number;
  size?: number;
  variant?: string;
}

/** A function that does one task's work; it runs in the page or in any worker. */
export type Kernel<A = never, R = unknown> = (arg: A) => R | Promise<R>;

/** Names a kernel across threads: workers resolve it from the same registry as the page. */
export interface KernelRef {
  workload: string;
  kernel: string;
}

/** Runs a list of tasks over a number of lanes, the analogue of `executor.map(func, args)`. */
export interface TaskExecutor {
  readonly backend: BackendId;
  readonly laneCount: number;
  map<A, R>(kernel: KernelRef, args: readonly A[], signal: AbortSignal, transfer?: (arg: A) => Transferable[]): Promise<MapOutcome<R>>;
}

/** Results in task order, and when each task ran. */
export interface MapOutcome<R> {
  results: R[];
  spans: TaskSpan[];
}

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
   * The lane executor for this configuration: serial, event-loop, workers (structured clone),
   * or shared-memory (the same workers; arguments carrying SharedArrayBuffers are shared, not copied).
   */
  executor: TaskExecutor;
  /** The experiment's worker pool, started with `config.workers` workers for worker backends. */
  pool: WorkerPool;
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
  /** gpu.js mode or similar: which implementation actually ran. */
  mode?: string;
  /** Spans of the setup itself (compile, pipeline creation), drawn before the first sample's phases. */
  spans?: TaskSpan[];
}

/** Throughput figures reported next to the time. */
export interface Throughput {
  gbPerSecond?: number;
  gflops?: number;
}

/** An experiment: parameters, inputs with their reference answer, a way to run, and a check. */
export interface Workload<Prepared = unknown, Output = unknown, State = unknown> {
  meta: WorkloadMeta;
  params: readonly ParamSpec[];
  kernels: Record<string, Kernel<any, unknown>>;
  /** The configurations to measure; default: every backend in meta.backends, lane backends swept. */
  configurations?(params: Params, hardwareConcurrency: number, backends: readonly BackendId[]): Configuration[];
  /** Fresh random inputs (never zeros) and the reference answer they must produce, for one problem size. */
  prepare(params: Params, random: () => number, size: number | undefined): Prepared;
  /** Untimed per-configuration setup. */
  setup?(ctx: RunContext, prepared: Prepared): Promise<SetupOutcome<State>>;
  /**
   * Untimed, before every run: reset what setup made for reuse, e.g. poison an output buffer with NaN so a
   * run that writes nothing cannot pass the check on the last run's answer.
   */
  beforeRun?(prepared: Prepared, state: State): void;
  /** The work itself, identical in amount whatever the executor and lane count (strong scaling). */
  run(ctx: RunContext, prepared: Prepared, state: State): Promise<RunOutput<Output>>;
  /** Release what setup made (GPU buffers, spawned helpers). */
  teardown?(state: State): void | Promise<void>;
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
