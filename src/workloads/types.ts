/** The contract every experiment implements: one folder under src/workloads, one line in the registry. */
import type { TaskSpan } from '../measure/timeline.ts';

/** The ways of running work that the lab compares, named as in the results JSON. */
export type BackendId = 'serial' | 'event-loop' | 'workers' | 'shared-memory' | 'webgpu' | 'gpujs';

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
  map<A, R>(kernel: KernelRef, args: readonly A[], signal: AbortSignal): Promise<MapOutcome<R>>;
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

/** An experiment: parameters, inputs with their reference answer, a way to run, and a check. */
export interface Workload<Prepared = unknown, Output = unknown> {
  meta: WorkloadMeta;
  params: readonly ParamSpec[];
  kernels: Record<string, Kernel<any, unknown>>;
  /** Fresh random inputs (never zeros) and the reference answer they must produce. */
  prepare(params: Params, random: () => number): Prepared;
  /** The work itself, identical in amount whatever the executor and lane count (strong scaling). */
  run(executor: TaskExecutor, prepared: Prepared, params: Params, signal: AbortSignal): Promise<RunOutput<Output>>;
  verify(output: Output, prepared: Prepared): Verification;
  /** Parameters worth recording beside the user's (derived sizes, the random inputs' seed values). */
  describe?(prepared: Prepared): Record<string, number | string>;
}
