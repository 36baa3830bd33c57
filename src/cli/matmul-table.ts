/** The table both matrix-kernel benches print: one line per kernel, size and engine (a browser, or Dawn in Node). */
import type { KernelBenchReport } from '../workloads/dot-product/gpu-harness.ts';

/** One line of the table: a variant at one n (and, with --shape, one shape) on one engine. */
export interface KernelRow extends KernelBenchReport {
  engine: string;
}

/** GFLOP/s of an n × n matrix product (2n³ operations) that took `ms`. */
export const matmulGflops = (n: number, ms: number | undefined) => (ms === undefined ? undefined : (2 * n ** 3) / (ms * 1e6));
const format = (value: number | undefined, digits: number) => (value === undefined ? '–' : value.toFixed(digits));

/**
 * Columns: median wall ms and its GFLOP/s, median GPU kernel ms and its GFLOP/s, the fastest sample's GFLOP/s,
 * compile ms, the checked relative error (the lab accepts up to 1e-3), the shape.
 */
export function formatKernelRow(row: KernelRow): string {
  return [
    row.engine.padEnd(9),
    row.variant.padEnd(9),
    String(row.n).padStart(5),
    format(row.medianWallMs, 1).padStart(9),
    format(matmulGflops(row.n, row.medianWallMs), 3).padStart(8),
    format(row.medianGpuKernelMs, 1).padStart(9),
    format(matmulGflops(row.n, row.medianGpuKernelMs), 3).padStart(8),
    format(matmulGflops(row.n, row.minGpuKernelMs ?? row.minWallMs), 3).padStart(8),
    format(row.compileMs, 0).padStart(8),
    row.relativeError.toExponential(1).padStart(8),
    `  ${row.mode ?? ''}`,
  ].join(' ');
}

/** The header over formatKernelRow's columns. */
export const KERNEL_TABLE_HEADER = `${'engine'.padEnd(9)} ${'variant'.padEnd(9)} ${'n'.padStart(5)} ${'wall ms'.padStart(9)} ${'GFLOP/s'.padStart(8)} ${'GPU ms'.padStart(9)} ${'GFLOP/s'.padStart(8)} ${'best'.padStart(8)} ${'compile'.padStart(8)} ${'error'.padStart(8)}   shape`;
