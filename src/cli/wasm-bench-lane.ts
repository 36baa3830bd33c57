/**
 * One lane of the wasm-simd tuning benchmark (src/cli/wasm-kernels-bench.ts): a Node worker thread that runs
 * the same worker-side kernels a browser worker would, one task per message, and answers with the result.
 */
import { parentPort } from 'node:worker_threads';
import {
  wasmAddRange,
  wasmMatmulPackedBRows,
  wasmMatmulRows,
  wasmPackMatmulB,
  wasmSumRange,
  type WasmAddRange,
  type WasmMatmulPackedBRows,
  type WasmMatmulRows,
  type WasmPackMatmulB,
  type WasmSumRange,
} from '../workloads/shared/wasm-kernels.ts';

/** A task for a lane: which kernel, and its argument as the page would post it. */
export type LaneTask =
  | { kernel: 'matmul'; arg: WasmMatmulRows }
  | { kernel: 'packMatmulB'; arg: WasmPackMatmulB }
  | { kernel: 'matmulPackedB'; arg: WasmMatmulPackedBRows }
  | { kernel: 'add'; arg: WasmAddRange }
  | { kernel: 'sumRange'; arg: WasmSumRange };

/** A lane's answer: the kernel's result (a BigInt for sumRange), or its error message. */
export type LaneReply = { ok: true; result: bigint | undefined } | { ok: false; message: string };

function run(task: LaneTask): bigint | undefined {
  switch (task.kernel) {
    case 'matmul':
      wasmMatmulRows(task.arg);
      return undefined;
    case 'packMatmulB':
      wasmPackMatmulB(task.arg);
      return undefined;
    case 'matmulPackedB':
      wasmMatmulPackedBRows(task.arg);
      return undefined;
    case 'add':
      wasmAddRange(task.arg);
      return undefined;
    case 'sumRange':
      return wasmSumRange(task.arg);
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (task: LaneTask) => {
    try {
      port.postMessage({ ok: true, result: run(task) } satisfies LaneReply);
    } catch (error) {
      port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) } satisfies LaneReply);
    }
  });
  port.postMessage('ready');
}
