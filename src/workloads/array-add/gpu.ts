/// <reference types="vite/client" />
/**
 * array-add on WebGPU. Loaded only when the webgpu backend runs: it imports WGSL with `?raw`, which
 * only Vite understands, so the command line and the workers never load it.
 */
import type { TaskSpan } from '../../measure/timeline.ts';
import {
  createComputePipeline,
  createReadbackBuffer,
  createStorageBuffer,
  destroyBuffers,
  GpuResources,
  runTwoInputKernel,
  type TwoInputKernel,
  withErrorScopes,
} from '../../executors/webgpu.ts';
import shaderSource from './array-add.wgsl?raw';

/** Must match `@workgroup_size` in array-add.wgsl. */
export const WORKGROUP_SIZE = 256;

/** Elements per invocation step: the shader works on vec4<f32>. */
export const LANES_PER_VECTOR = 4;

/**
 * Cap on workgroups (262,144 invocations): enough to keep a large GPU's memory system busy, while each
 * invocation loops over several vec4s of a long array instead of one invocation per vec4. Launching
 * invocations has a cost, large on software GPUs: this cap made SwiftShader's dispatch 3× faster at 2^22.
 */
export const MAX_WORKGROUPS = 1_024;

/** The shader's entry point, and its bindings in order: the bind group is built from this list (the unit test reads the WGSL against it). */
export const ENTRY_POINT = 'add';
export const BINDINGS = ['a', 'b', 'c'] as const;

/** Everything one configuration keeps on the GPU between runs. */
export interface ArrayAddGpu extends TwoInputKernel {
  workgroups: number;
}

/** Compile the kernel and allocate buffers for arrays of `length` elements (untimed). */
export async function setupArrayAddGpu(
  device: GPUDevice,
  length: number,
  signal: AbortSignal,
): Promise<{ gpu: ArrayAddGpu; compileMs: number; spans: TaskSpan[] }> {
  const compiled = await createComputePipeline(device, { code: shaderSource, entryPoint: ENTRY_POINT, label: 'array-add' }, signal);
  const vectors = Math.ceil(length / LANES_PER_VECTOR);
  // Padded to whole vec4s; only `length` elements are uploaded and read back.
  const paddedBytes = vectors * LANES_PER_VECTOR * Float32Array.BYTES_PER_ELEMENT;
  const sizeBytes = length * Float32Array.BYTES_PER_ELEMENT;
  const owned = new GpuResources();
  try {
    const buffers = await withErrorScopes(
      device,
      'Allocating the array-add buffers',
      async () => ({
        a: owned.own(createStorageBuffer(device, paddedBytes, 'array-add a')),
        b: owned.own(createStorageBuffer(device, paddedBytes, 'array-add b')),
        c: owned.own(createStorageBuffer(device, paddedBytes, 'array-add c')),
        staging: owned.own(createReadbackBuffer(device, sizeBytes, 'array-add read-back')),
      }),
      signal,
    );
    const bindGroup = device.createBindGroup({
      label: 'array-add',
      layout: compiled.pipeline.getBindGroupLayout(0),
      entries: BINDINGS.map((name, binding) => ({ binding, resource: { buffer: buffers[name] } })),
    });
    const workgroups = Math.min(Math.ceil(vectors / WORKGROUP_SIZE), MAX_WORKGROUPS, device.limits.maxComputeWorkgroupsPerDimension);
    return {
      gpu: { device, pipeline: compiled.pipeline, bindGroup, workgroups, ...buffers },
      compileMs: compiled.compileMs,
      spans: [compiled.span],
    };
  } catch (error) {
    // An allocation out of memory or over a limit: the buffers made before it go too, not at the experiment's end.
    owned.release();
    throw error;
  }
}

/** One timed run: upload a and b, add them `repeats` times, read c back; each phase is a span. */
export function runArrayAddGpu(
  gpu: ArrayAddGpu,
  a: Float32Array,
  b: Float32Array,
  repeats: number,
  signal: AbortSignal,
): Promise<{ output: Float32Array; spans: TaskSpan[] }> {
  return runTwoInputKernel(
    gpu,
    a,
    b,
    {
      label: 'array-add',
      doing: 'Adding the arrays on the GPU',
      waitingFor: 'the additions',
      dispatch: (pass) => {
        for (let r = 0; r < repeats; r++) pass.dispatchWorkgroups(gpu.workgroups);
      },
    },
    signal,
  );
}

/** Free the buffers; the device belongs to the experiment and outlives this configuration. */
export function teardownArrayAddGpu(gpu: ArrayAddGpu): void {
  destroyBuffers(gpu.a, gpu.b, gpu.c, gpu.staging);
}
