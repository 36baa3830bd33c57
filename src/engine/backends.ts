/**
 * The backend table: every way of running work the lab compares, one row each. The backend id type, the
 * results schema's list, the CLI's validation and the lane sweeps all derive from this table; adding a
 * backend is one row here plus one implementation in each experiment that supports it.
 */
import { eventLoopExecutor } from '../executors/event-loop.ts';
import { serialExecutor } from '../executors/serial.ts';
import { workersExecutor } from '../executors/workers.ts';
import { sharedMemoryExecutor } from '../executors/shared-memory.ts';
import type { TaskExecutor } from '../executors/contract.ts';
import type { WorkerPool } from '../executors/worker-pool.ts';

/** The capabilities a backend may need, as detected in the page (see env/capabilities.ts). */
export interface Capabilities {
  workers: boolean;
  sharedArrayBuffer: boolean;
  crossOriginIsolated: boolean;
  webgpu: { available: boolean; reason?: string };
  /** WebAssembly 128-bit SIMD, and relaxed SIMD (fused multiply-add), as WebAssembly.validate answers. */
  wasmSimd: { simd: boolean; relaxedSimd: boolean };
}

/** What a backend's executor is made from. */
export interface ExecutorRequest {
  laneCount: number;
  pool: WorkerPool;
  signal: AbortSignal;
}

/** One row of the backend table. */
export interface BackendSpec {
  /** The name in results files, URLs and on the command line. */
  id: string;
  /** How the page names it. */
  label: string;
  /** The post's counterpart, in a few words. */
  analogue: string;
  /** Whether it runs on several lanes (workers or async tasks) and so is swept over lane counts. */
  lanes: boolean;
  /** Why it cannot run here, in words for the user, or undefined when it can. */
  unavailableReason(caps: Capabilities): string | undefined;
  /** The lane executor; worker backends start their pool's workers first. GPU backends drive the device themselves. */
  createExecutor(request: ExecutorRequest): Promise<TaskExecutor>;
}

const noWorkers = (caps: Capabilities) => (caps.workers ? undefined : 'Web Workers are not available in this browser.');

const noSharedMemory = (caps: Capabilities) =>
  noWorkers(caps) ??
  (caps.sharedArrayBuffer
    ? undefined
    : caps.crossOriginIsolated
      ? 'SharedArrayBuffer is not available in this browser.'
      : 'SharedArrayBuffer needs a cross-origin isolated page (COOP same-origin and COEP require-corp headers).');

/** Every backend, in the order the page shows them. */
export const BACKENDS = [
  {
    id: 'serial',
    label: 'serial',
    analogue: 'a plain loop',
    lanes: false,
    unavailableReason: () => undefined,
    createExecutor: async () => serialExecutor(),
  },
  {
    id: 'event-loop',
    label: 'event loop',
    analogue: 'threads under the GIL',
    lanes: true,
    unavailableReason: () => undefined,
    createExecutor: async ({ laneCount }) => eventLoopExecutor(laneCount),
  },
  {
    id: 'workers',
    label: 'workers',
    analogue: 'processes, data pickled',
    lanes: true,
    unavailableReason: noWorkers,
    createExecutor: async ({ laneCount, pool, signal }) => {
      await pool.ensure(laneCount, signal);
      return workersExecutor(pool, laneCount);
    },
  },
  {
    id: 'shared-memory',
    label: 'shared memory',
    analogue: 'threads on shared memory',
    lanes: true,
    unavailableReason: noSharedMemory,
    createExecutor: async ({ laneCount, pool, signal }) => {
      await pool.ensure(laneCount, signal);
      return sharedMemoryExecutor(pool, laneCount);
    },
  },
  {
    id: 'wasm-simd',
    label: 'WebAssembly SIMD',
    analogue: 'NumPy: native code that releases the GIL',
    lanes: true,
    unavailableReason: (caps) =>
      noSharedMemory(caps) ??
      (caps.wasmSimd.simd ? undefined : 'This browser has no WebAssembly 128-bit SIMD (WebAssembly.validate refused a v128 module).'),
    createExecutor: async ({ laneCount, pool, signal }) => {
      await pool.ensure(laneCount, signal);
      return sharedMemoryExecutor(pool, laneCount, 'wasm-simd');
    },
  },
  {
    id: 'webgpu',
    label: 'WebGPU',
    analogue: "NumPy's parallel dot product, on the GPU",
    lanes: false,
    unavailableReason: (caps) => (caps.webgpu.available ? undefined : (caps.webgpu.reason ?? 'WebGPU is not available.')),
    // GPU work is orchestrated from the main thread; the workload talks to the device itself.
    createExecutor: async () => serialExecutor('webgpu'),
  },
  {
    id: 'gpujs',
    label: 'gpu.js',
    analogue: 'a GPU library, as the post readers would reach for',
    lanes: false,
    // gpu.js always runs: on WebGPU, WebGL or, failing both, its CPU mode, which the result reports.
    unavailableReason: () => undefined,
    createExecutor: async () => serialExecutor('gpujs'),
  },
] as const satisfies readonly BackendSpec[];

/** The ways of running work that the lab compares, named as in the results JSON. */
export type BackendId = (typeof BACKENDS)[number]['id'];

/** Every backend id, in table order. */
export const BACKEND_IDS: readonly BackendId[] = BACKENDS.map((b) => b.id);

/** Whether a string names a backend of the table (for input from URLs, files and the command line). */
export function isBackendId(value: string): value is BackendId {
  return (BACKEND_IDS as readonly string[]).includes(value);
}

/** The table row of a backend. */
export function backendSpec(id: BackendId): BackendSpec {
  return BACKENDS.find((b) => b.id === id)!;
}

/** Why a backend cannot run here, or undefined when it can. */
export function unavailableReason(backend: BackendId, caps: Capabilities): string | undefined {
  return backendSpec(backend).unavailableReason(caps);
}

/** Whether a backend is swept over lane counts. */
export function isLaneBackend(backend: BackendId): boolean {
  return backendSpec(backend).lanes;
}

/** The lane executor for a backend that can run. */
export function createExecutor(backend: BackendId, laneCount: number, pool: WorkerPool, signal: AbortSignal): Promise<TaskExecutor> {
  return backendSpec(backend).createExecutor({ laneCount, pool, signal });
}
