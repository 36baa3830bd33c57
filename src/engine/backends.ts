/** Which backends can run here, and the executor for each. A missing capability is a result, not a crash. */
import { eventLoopExecutor } from '../executors/event-loop.ts';
import { serialExecutor } from '../executors/serial.ts';
import { workersExecutor } from '../executors/workers.ts';
import { sharedMemoryExecutor } from '../executors/shared-memory.ts';
import type { WorkerPool } from '../executors/worker-pool.ts';
import type { BackendId, TaskExecutor } from '../workloads/types.ts';

/** The capabilities a backend may need, as detected in the page (see env/capabilities.ts). */
export interface Capabilities {
  workers: boolean;
  sharedArrayBuffer: boolean;
  crossOriginIsolated: boolean;
  webgpu: { available: boolean; reason?: string };
}

/** Why a backend cannot run here, or undefined when it can. */
export function unavailableReason(backend: BackendId, caps: Capabilities): string | undefined {
  switch (backend) {
    case 'serial':
    case 'event-loop':
      return undefined;
    case 'workers':
      return caps.workers ? undefined : 'Web Workers are not available in this browser.';
    case 'shared-memory':
      if (!caps.workers) return 'Web Workers are not available in this browser.';
      if (!caps.sharedArrayBuffer) {
        return caps.crossOriginIsolated
          ? 'SharedArrayBuffer is not available in this browser.'
          : 'SharedArrayBuffer needs a cross-origin isolated page (COOP same-origin and COEP require-corp headers).';
      }
      return undefined;
    case 'webgpu':
      return caps.webgpu.available ? undefined : (caps.webgpu.reason ?? 'WebGPU is not available.');
    case 'gpujs':
      // gpu.js always runs: on WebGPU, WebGL or, failing both, its CPU mode, which the result reports.
      return undefined;
  }
}

/** The lane executor for a backend that can run; worker backends start their pool first. */
export async function createExecutor(
  backend: BackendId,
  laneCount: number,
  pool: WorkerPool,
  signal: AbortSignal,
): Promise<TaskExecutor> {
  switch (backend) {
    case 'serial':
      return serialExecutor();
    case 'event-loop':
      return eventLoopExecutor(laneCount);
    case 'workers':
      await pool.ensure(laneCount, signal);
      return workersExecutor(pool, laneCount);
    case 'shared-memory':
      await pool.ensure(laneCount, signal);
      return sharedMemoryExecutor(pool, laneCount);
    case 'webgpu':
    case 'gpujs':
      // GPU work is orchestrated from the main thread; the workload talks to the device itself.
      return serialExecutor();
  }
}
