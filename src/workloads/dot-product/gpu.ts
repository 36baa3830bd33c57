/// <reference types="vite/client" />
/**
 * dot-product on WebGPU, as a tiled kernel (workgroup memory) and a naive one kept beside it as the
 * baseline. Loaded only when the webgpu backend runs: WGSL comes in with Vite's `?raw`.
 */
import type { TaskSpan } from '../../measure/timeline.ts';
import {
  createComputePipeline,
  createReadbackBuffer,
  createStorageBuffer,
  createUniformU32,
  destroyBuffers,
  runTwoInputKernel,
  type TwoInputKernel,
  withErrorScopes,
} from '../../executors/webgpu.ts';
import naiveSource from './matmul-naive.wgsl?raw';
import tiledSource from './matmul-tiled.wgsl?raw';

/** The webgpu backend's variants, each a WGSL file with entry point `matmul` and the same bindings. */
export const MATMUL_SHADERS = { tiled: tiledSource, naive: naiveSource } as const;
export type MatmulVariant = keyof typeof MATMUL_SHADERS;

/** Must match `@workgroup_size(16, 16)` in both shaders (and TILE in the tiled one). */
export const WORKGROUP_EDGE = 16;

/** Edge of the tile of C one workgroup computes: one element per invocation (naive), 4×4 (tiled, BLOCK). */
export const OUTPUT_EDGE: Record<MatmulVariant, number> = { tiled: 64, naive: 16 };

/** Both shaders' entry point, and their bindings in order: the bind group is built from this list (the unit test reads the WGSL against it). */
export const ENTRY_POINT = 'matmul';
export const BINDINGS = ['a', 'b', 'c', 'params'] as const;

/** Everything one configuration keeps on the GPU between runs. */
export interface MatmulGpu extends TwoInputKernel {
  params: GPUBuffer;
  workgroups: number;
}

/** Compile the variant's kernel and allocate buffers for n×n matrices (untimed). */
export async function setupMatmulGpu(
  device: GPUDevice,
  n: number,
  variant: MatmulVariant,
  signal: AbortSignal,
): Promise<{ gpu: MatmulGpu; compileMs: number; spans: TaskSpan[] }> {
  const code = MATMUL_SHADERS[variant];
  if (!code) throw new RangeError(`Unknown dot-product WebGPU variant "${variant}". Known: ${Object.keys(MATMUL_SHADERS).join(', ')}.`);
  const compiled = await createComputePipeline(device, { code, entryPoint: ENTRY_POINT, label: `matmul-${variant}` }, signal);
  const sizeBytes = n * n * Float32Array.BYTES_PER_ELEMENT;
  const buffers = await withErrorScopes(
    device,
    'Allocating the dot-product buffers',
    async () => ({
      a: createStorageBuffer(device, sizeBytes, 'matmul A'),
      b: createStorageBuffer(device, sizeBytes, 'matmul B'),
      c: createStorageBuffer(device, sizeBytes, 'matmul C'),
      params: createUniformU32(device, [n], 'matmul params'),
      staging: createReadbackBuffer(device, sizeBytes, 'matmul read-back'),
    }),
    signal,
  );
  const bindGroup = device.createBindGroup({
    label: `matmul-${variant}`,
    layout: compiled.pipeline.getBindGroupLayout(0),
    entries: BINDINGS.map((name, binding) => ({ binding, resource: { buffer: buffers[name] } })),
  });
  return {
    gpu: { device, pipeline: compiled.pipeline, bindGroup, workgroups: Math.ceil(n / OUTPUT_EDGE[variant]), ...buffers },
    compileMs: compiled.compileMs,
    spans: [compiled.span],
  };
}

/** One timed run: upload A and B, dispatch, read C back; each phase is a span. */
export function runMatmulGpu(
  gpu: MatmulGpu,
  a: Float32Array,
  b: Float32Array,
  signal: AbortSignal,
): Promise<{ output: Float32Array; spans: TaskSpan[] }> {
  return runTwoInputKernel(
    gpu,
    a,
    b,
    {
      label: 'matmul',
      doing: 'Multiplying the matrices on the GPU',
      waitingFor: 'the matrix product',
      dispatch: (pass) => pass.dispatchWorkgroups(gpu.workgroups, gpu.workgroups),
    },
    signal,
  );
}

/** Free the buffers; the device belongs to the experiment and outlives this configuration. */
export function teardownMatmulGpu(gpu: MatmulGpu): void {
  destroyBuffers(gpu.a, gpu.b, gpu.c, gpu.params, gpu.staging);
}
