import { describe, expect, it } from 'vitest';
import { ParamError, resolveParams } from '../../src/engine/params.ts';
import { workerCounts } from '../../src/engine/sweep.ts';
import { compileGpuJsKernel, destroyGpuJs } from '../../src/executors/gpujs.ts';
import { fillRandomNonZero } from '../../src/workloads/shared/float32.ts';
import { splitRange } from '../../src/workloads/shared/ranges.ts';
import {
  BINDINGS,
  describeRegisterShape,
  ENTRY_POINT,
  MATMUL_SHADERS,
  matmulLayout,
  OUTPUT_EDGE,
  registerBlock,
  registerShaderSource,
  registerShapeProblem,
  REGISTER_OUTPUTS_PER_INVOCATION,
  registerWorkgroupBytes,
  REGISTER_TILE_SHAPES,
  WORKGROUP_EDGE,
  type RegisterTileShape,
} from '../../src/workloads/dot-product/gpu.ts';
import { dotProduct, MAX_RELATIVE_ERROR } from '../../src/workloads/dot-product/index.ts';
import {
  matmulCopied,
  FULL_CHECK_MAX_N,
  matmulReference64,
  matmulReferenceSampled,
  matmulRows,
  maxRelativeError,
  multiplyRows,
  sampledRelativeError,
} from '../../src/workloads/dot-product/matmul.ts';
import { implementationOf, type BackendId } from '../../src/workloads/types.ts';
import { inProcessContext, runOnce } from '../fixtures/in-process-executor.ts';
import { bracketsBalance, reflectWgsl, reflectWgslFile } from '../fixtures/wgsl.ts';

const randomMatrix = (n: number) => fillRandomNonZero(new Float32Array(n * n), Math.random);

/** The plain triple loop in float32 storage, the order every blocked kernel must reproduce exactly. */
function naiveFloat32(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + a[i * n + k]! * b[k * n + j]!;
    }
  }
  return c;
}

describe('dot-product kernels', () => {
  it.each([1, 2, 7, 63, 64, 65, 67, 129])('blocked multiplyRows at n = %i equals the plain loop and the float64 reference', (n) => {
    const a = randomMatrix(n);
    const b = randomMatrix(n);
    const c = new Float32Array(n * n).fill(Number.NaN);
    multiplyRows(a, b, c, n);
    // Blocking changes the loop order but not the order of each element's sum over k: bit-identical.
    expect(c).toEqual(naiveFloat32(a, b, n));
    expect(maxRelativeError(c, matmulReference64(a, b, n))).toBeLessThan(1e-5);
  });

  it.each([
    [67, 3],
    [129, 3],
    [64, 3],
    [5, 8],
    [100, 7],
  ])('n = %i split into row blocks over %i workers: copied and shared blocks reassemble the product', (n, workers) => {
    const a = randomMatrix(n);
    const b = randomMatrix(n);
    const expected = naiveFloat32(a, b, n);
    const ranges = splitRange(0, n, Math.min(workers, n));
    expect(ranges.reduce((rows, r) => rows + r.end - r.start, 0)).toBe(n);

    const copied = new Float32Array(n * n);
    for (const r of ranges) {
      const block = matmulCopied(structuredClone({ aRows: a.slice(r.start * n, r.end * n), b, n }));
      expect(block).toHaveLength((r.end - r.start) * n);
      copied.set(block, r.start * n);
    }
    expect(copied).toEqual(expected);

    const share = (m: Float32Array) => {
      const s = new Float32Array(new SharedArrayBuffer(m.byteLength));
      s.set(m);
      return s;
    };
    const sa = share(a);
    const sb = share(b);
    const sc = new Float32Array(new SharedArrayBuffer(n * n * 4)).fill(Number.NaN);
    for (const r of [...ranges].reverse()) matmulRows({ a: sa, b: sb, c: sc, n, rowStart: r.start, rowEnd: r.end });
    expect(sc).toEqual(expected);
  });

  it('maxRelativeError is scale-free and NaN-proof', () => {
    const expected = new Float64Array([1, -4, 2]);
    expect(maxRelativeError(new Float32Array([1, -4, 2]), expected)).toBe(0);
    expect(maxRelativeError(new Float32Array([1, -4, 2.04]), expected)).toBeCloseTo(0.01, 6);
    expect(maxRelativeError(new Float32Array([Number.NaN, -4, 2]), expected)).toBeNaN();
    expect(maxRelativeError(new Float32Array([1, -4]), expected)).toBeNaN();
  });
});

describe('dot-product reference: whole up to FULL_CHECK_MAX_N, sampled rows and columns above', () => {
  const product = (n: number) => {
    const a = fillRandomNonZero(new Float32Array(n * n), Math.random);
    const b = fillRandomNonZero(new Float32Array(n * n), Math.random);
    const c = new Float32Array(n * n);
    multiplyRows(a, b, c, n);
    return { a, b, c };
  };

  it('at small n the whole product is the reference, and the error matches the whole-matrix measure', () => {
    const n = 20 + Math.floor(Math.random() * 40);
    const { a, b, c } = product(n);
    const reference = matmulReferenceSampled(a, b, n, Math.random);
    expect(reference.whole).toBe(true);
    expect(reference.rows).toHaveLength(n);
    const whole = matmulReference64(a, b, n);
    expect(sampledRelativeError(c, reference)).toBeCloseTo(maxRelativeError(c, whole), 12);
  });

  it('above it: the first and last rows and columns always, others at random, each exactly the float64 values', () => {
    const n = FULL_CHECK_MAX_N + 1 + Math.floor(Math.random() * 40);
    const { a, b, c } = product(n);
    const reference = matmulReferenceSampled(a, b, n, Math.random);
    expect(reference.whole).toBe(false);
    for (const picked of [reference.rows, reference.columns]) {
      expect(picked[0]).toBe(0);
      expect(picked.at(-1)).toBe(n - 1);
      expect(new Set(picked).size).toBe(picked.length);
      expect(picked.length).toBeGreaterThanOrEqual(8);
    }
    const whole = matmulReference64(a, b, n);
    const r = 1 + Math.floor(Math.random() * (reference.rows.length - 1));
    const j = Math.floor(Math.random() * n);
    expect(reference.rowValues[r * n + j]).toBeCloseTo(whole[reference.rows[r]! * n + j]!, 9);
    const k = Math.floor(Math.random() * reference.columns.length);
    const i = Math.floor(Math.random() * n);
    expect(reference.columnValues[k * n + i]).toBeCloseTo(whole[i * n + reference.columns[k]!]!, 9);
    expect(sampledRelativeError(c, reference)).toBeLessThan(MAX_RELATIVE_ERROR / 10);

    // A wrong element in a checked row or column is caught; a NaN anywhere (an unwritten, poisoned element) too.
    const wrong = c.slice();
    wrong[reference.rows[r]! * n + j] = wrong[reference.rows[r]! * n + j]! + 4 * MAX_RELATIVE_ERROR * reference.largest;
    expect(sampledRelativeError(wrong, reference)).toBeGreaterThan(MAX_RELATIVE_ERROR);
    const wrongColumn = c.slice();
    wrongColumn[i * n + reference.columns[k]!] = Number.POSITIVE_INFINITY;
    expect(sampledRelativeError(wrongColumn, reference)).toBeNaN();
    const unwritten = c.slice();
    unwritten[Math.floor(Math.random() * n * n)] = Number.NaN;
    expect(sampledRelativeError(unwritten, reference)).toBeNaN();
    expect(sampledRelativeError(c.subarray(1), reference)).toBeNaN();
  });
});

describe('dot-product sizes and configurations', () => {
  it.each([1, 2, 4])('with %i cores: every WebGPU variant at every size, lanes swept at the largest', (cores) => {
    const params = resolveParams(dotProduct, 'quick', { compareKernels: 1 });
    const configs = dotProduct.configurations!(params, cores, dotProduct.meta.backends);
    const sizes = [64, 128, 256];
    expect([...new Set(configs.map((c) => c.size))]).toEqual(sizes);
    for (const size of sizes) {
      const at = configs.filter((c) => c.size === size);
      expect(at.filter((c) => c.backend === 'serial')).toHaveLength(1);
      expect(at.filter((c) => c.backend === 'webgpu').map((c) => c.variant)).toEqual(['register', 'tiled', 'naive']);
      expect(at.filter((c) => c.backend === 'gpujs')).toHaveLength(1);
      for (const lanes of ['workers', 'shared-memory'] as BackendId[]) {
        const counts = at.filter((c) => c.backend === lanes).map((c) => c.workers).sort((x, y) => x - y);
        expect(counts).toEqual(size === 256 ? workerCounts(cores) : [cores]);
      }
    }
  });

  it('without compareKernels only the register-tiled WGSL kernel runs, at every size', () => {
    const params = resolveParams(dotProduct, 'default');
    expect(params.compareKernels).toBe(0);
    const configs = dotProduct.configurations!(params, 2, dotProduct.meta.backends);
    const gpu = configs.filter((c) => c.backend === 'webgpu');
    expect(gpu.length).toBe(new Set(configs.map((c) => c.size)).size);
    expect(new Set(gpu.map((c) => c.variant))).toEqual(new Set(['register']));
  });

  it.each([
    [{ maxN: 4_096 }, /maxN must be between 8 and 2,048/],
    [{ minN: 4 }, /minN must be between 8/],
    [{ maxN: 100.5 }, /whole number/],
  ])('refuses %j before allocating anything', (overrides, message) => {
    expect(() => resolveParams(dotProduct, 'default', overrides)).toThrow(ParamError);
    expect(() => resolveParams(dotProduct, 'default', overrides)).toThrow(message);
  });
});

describe('dot-product workload on the CPU backends', () => {
  it.each([
    ['serial', 1, 67],
    ['workers', 3, 67],
    ['shared-memory', 3, 129],
    ['workers', 4, 3],
    ['shared-memory', 2, 65],
  ] as Array<[BackendId, number, number]>)('%s × %i at n = %i: verified, and a wrong element is caught', async (backend, workers, n) => {
    const params = resolveParams(dotProduct, 'quick');
    const prepared = dotProduct.prepare(params, Math.random, n);
    const { output, check } = await runOnce(dotProduct, { backend, workers, size: n }, params, prepared);
    expect(check.ok, check.detail).toBe(true);
    const maxAbs = prepared.reference.largest;
    const index = Math.floor(Math.random() * n * n);
    output[index] = output[index]! + 4 * MAX_RELATIVE_ERROR * maxAbs;
    expect(dotProduct.verify(output, prepared).ok).toBe(false);
    output[index] = Number.NaN;
    expect(dotProduct.verify(output, prepared).ok).toBe(false);
  });

  it.each(['serial', 'shared-memory'] as BackendId[])(
    '%s reuses one output across runs, poisoned before each: a run that wrote nothing would fail the check',
    async (backend) => {
      const params = resolveParams(dotProduct, 'quick');
      const size = 33;
      const prepared = dotProduct.prepare(params, Math.random, size);
      const implementation = implementationOf(dotProduct, backend);
      const ctx = inProcessContext({ backend, workers: 2, size }, params);
      const { state } = await implementation.setup!(ctx, prepared);
      implementation.beforeRun!(prepared, state);
      const first = await implementation.run(ctx, prepared, state);
      expect(dotProduct.verify(first.output, prepared).ok).toBe(true);
      implementation.beforeRun!(prepared, state);
      // The buffer the last run filled is now NaN: its old answer cannot pass for a new one.
      expect(dotProduct.verify(first.output, prepared).ok).toBe(false);
      const second = await implementation.run(ctx, prepared, state);
      expect(dotProduct.verify(second.output, prepared).ok).toBe(true);
    },
  );

  it('reports 2n³ flops', () => {
    const prepared = dotProduct.prepare(resolveParams(dotProduct, 'quick'), Math.random, 10);
    expect(dotProduct.throughput!(prepared, 1).gflops).toBeCloseTo(2e-3, 12);
  });
});

describe('dot-product on gpu.js, in Node (no GPU: its CPU backend)', () => {
  it.each([1, 17, 67])('n = %i: flat inputs of n×n, output flattened back, within tolerance', async (n) => {
    const params = resolveParams(dotProduct, 'quick');
    const prepared = dotProduct.prepare(params, Math.random, n);
    // The workload's own kernel and settings, but gpu.js forced onto its CPU backend.
    const kernel = await compileGpuJsKernel({
      source: `function matmul(a, b) {
  let sum = 0;
  for (let k = 0; k < this.constants.n; k++) {
    sum += a[this.thread.y][k] * b[k][this.thread.x];
  }
  return sum;
}`,
      settings: () => ({ output: [n, n], constants: { n }, loopMaxIterations: n, precision: 'single' }),
      firstArgs: (GPU) => [GPU.input(prepared.a, [n, n]), GPU.input(prepared.b, [n, n])],
      signal: new AbortController().signal,
      mode: 'cpu',
    });
    try {
      expect(kernel.mode).toBe('cpu');
      const rows = kernel.firstResult as Float32Array[];
      const flat = new Float32Array(n * n);
      rows.forEach((row, i) => flat.set(row, i * n));
      expect(dotProduct.verify(flat, prepared).ok).toBe(true);
    } finally {
      await destroyGpuJs(kernel.gpu);
    }
  });
});

describe.each(Object.keys(MATMUL_SHADERS))('matmul-%s.wgsl', (variant) => {
  const shader = reflectWgslFile(`src/workloads/dot-product/matmul-${variant}.wgsl`);

  it('has balanced brackets and the one entry point the code names', () => {
    expect(bracketsBalance(shader.source)).toBe(true);
    expect(shader.computeEntryPoints.map((e) => e.name)).toEqual([ENTRY_POINT]);
  });

  it('declares exactly the bindings the bind group is built from', () => {
    expect(shader.bindings.map((b) => [b.group, b.binding, b.name])).toEqual(BINDINGS.map((name, i) => [0, i, name]));
    expect(shader.bindings.map((b) => b.addressSpace)).toEqual(['storage, read', 'storage, read', 'storage, read_write', 'uniform']);
  });
});

describe.each(['tiled', 'naive'] as const)('matmul-%s.wgsl', (variant) => {
  const shader = reflectWgslFile(`src/workloads/dot-product/matmul-${variant}.wgsl`);

  it('runs the 16×16 workgroup the code dispatches for', () => {
    expect(shader.computeEntryPoints[0]!.workgroupSize).toEqual([WORKGROUP_EDGE, WORKGROUP_EDGE]);
  });

  it('checks bounds, so n need not be a multiple of the tile', () => {
    expect(shader.source).toMatch(/row\s*<\s*n\s*&&\s*col\s*<\s*n|row\s*>=\s*n\s*\|\|\s*col\s*>=\s*n/);
  });
});

describe('matmul-register-direct.wgsl', () => {
  const file = reflectWgslFile('src/workloads/dot-product/matmul-register-direct.wgsl');
  const constant = (name: string) => Number(file.source.match(new RegExp(`const ${name}: u32 = (\\d+)u;`))?.[1]);

  it('keeps the register block of the staged kernel, reading A and B from storage with no workgroup memory or barrier', () => {
    const { rows, columns } = REGISTER_OUTPUTS_PER_INVOCATION;
    expect(constant('ROWS_PER_INVOCATION')).toBe(rows);
    expect(constant('VECTORS_PER_INVOCATION') * 4).toBe(columns);
    expect(file.source).not.toMatch(/var<workgroup>|workgroupBarrier/);
    expect(file.bindings.map((b) => b.name)).toEqual([...BINDINGS]);
    expect(file.bindings.slice(0, 3).map((b) => b.type)).toEqual(['array<vec4<f32>>', 'array<vec4<f32>>', 'array<vec4<f32>>']);
    const declared = [...file.source.matchAll(/var (acc\w+) = vec4<f32>\(0\.0\);/g)].map((m) => m[1]!);
    expect(declared).toHaveLength((rows * columns) / 4);
    for (const name of declared) {
      expect(file.source.match(new RegExp(`\\b${name} \\+=`, 'g')), name).toHaveLength(1);
      expect(file.source.match(new RegExp(`\\b${name}\\b`, 'g')), name).toHaveLength(3);
    }
  });

  it('clamps every load inside the matrix and checks every store, so any n ≥ 1 works', () => {
    // Loads: 16 rows of A and 4 rows of B clamped to the last row, two columns of B to the last vec4.
    expect(file.source.match(/min\(rowBase \+ \d+u, last\)/g)).toHaveLength(16);
    expect(file.source.match(/min\(k( \+ \du)?, last\) \* stride/g)).toHaveLength(4);
    expect(file.source.match(/, stride - 1u\)/g)).toHaveLength(2);
    expect(file.source).toMatch(/if \(row >= n\)/);
    expect(file.source).toMatch(/if \(colLeft < stride\)/);
    expect(file.source).toMatch(/if \(colRight < stride\)/);
  });

  it("the file's own constants are the unstaged candidate shape (k 0)", () => {
    expect(REGISTER_TILE_SHAPES).toContainEqual({ workgroupColumns: constant('WORKGROUP_COLUMNS'), workgroupRows: constant('WORKGROUP_ROWS'), tileK: 0 });
  });
});

describe('matmul-register.wgsl', () => {
  const file = reflectWgslFile('src/workloads/dot-product/matmul-register.wgsl');
  const constant = (source: string, name: string) => Number(source.match(new RegExp(`const ${name}: u32 = (\\d+)u;`))?.[1]);
  /** The limits every WebGPU device has at least. */
  const defaultLimits = {
    maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256,
    maxComputeWorkgroupSizeY: 256,
    maxComputeWorkgroupStorageSize: 16_384,
  } as GPUSupportedLimits;

  it('reads and writes whole vec4s, staged in two workgroup tiles between one barrier pair per step', () => {
    expect(file.bindings.slice(0, 3).map((b) => b.type)).toEqual(['array<vec4<f32>>', 'array<vec4<f32>>', 'array<vec4<f32>>']);
    expect(file.source).toMatch(/var<workgroup>\s+tileA\s*:\s*array<array<vec4<f32>,\s*TILE_K_VECTORS>,\s*BLOCK_ROWS>/);
    expect(file.source).toMatch(/var<workgroup>\s+tileB\s*:\s*array<array<vec4<f32>,\s*BLOCK_VECTORS>,\s*TILE_K>/);
    expect(file.source.match(/workgroupBarrier\(\)/g)).toHaveLength(2);
  });

  it('writes out exactly the register block gpu.ts dispatches for: one vec4 accumulator per row and column vector', () => {
    const { rows, columns } = REGISTER_OUTPUTS_PER_INVOCATION;
    expect(constant(file.source, 'ROWS_PER_INVOCATION')).toBe(rows);
    expect(constant(file.source, 'VECTORS_PER_INVOCATION') * 4).toBe(columns);
    const declared = [...file.source.matchAll(/var (acc\w+) = vec4<f32>\(0\.0\);/g)].map((m) => m[1]!);
    expect(declared).toHaveLength((rows * columns) / 4);
    for (const name of declared) {
      // Each accumulator is added to once per k vector and stored once.
      expect(file.source.match(new RegExp(`\\b${name} \\+=`, 'g')), name).toHaveLength(1);
      expect(file.source.match(new RegExp(`\\b${name}\\b`, 'g')), name).toHaveLength(3);
    }
  });

  it('checks every load and store against n and the padded row, so any n ≥ 1 works', () => {
    expect(file.source).toMatch(/if \(row < n && kVector < stride\)/);
    expect(file.source).toMatch(/if \(row < n && colVector < stride\)/);
    expect(file.source).toMatch(/if \(row >= n\)/);
    expect(file.source).toMatch(/if \(colLeft < stride\)/);
    expect(file.source).toMatch(/if \(colRight < stride\)/);
    expect(file.source).toMatch(/let stride = \(n \+ VEC - 1u\) \/ VEC;/);
  });

  it("the file's own constants are one of the candidate shapes", () => {
    const own = {
      workgroupColumns: constant(file.source, 'WORKGROUP_COLUMNS'),
      workgroupRows: constant(file.source, 'WORKGROUP_ROWS'),
      tileK: constant(file.source, 'TILE_K'),
    };
    expect(REGISTER_TILE_SHAPES).toContainEqual(own);
  });

  it.each(REGISTER_TILE_SHAPES.map((shape) => [describeRegisterShape(shape), shape] as const))(
    '%s: fits any WebGPU device, and its source says so',
    (name, shape) => {
      expect(registerShapeProblem(shape, defaultLimits)).toBeUndefined();
      expect(registerWorkgroupBytes(shape)).toBeLessThanOrEqual(defaultLimits.maxComputeWorkgroupStorageSize);
      const shader = reflectWgsl(registerShaderSource(shape));
      expect(bracketsBalance(shader.source)).toBe(true);
      expect(shader.computeEntryPoints).toEqual([{ name: ENTRY_POINT, workgroupSize: [shape.workgroupColumns, shape.workgroupRows] }]);
      expect(shader.bindings.map((b) => b.name)).toEqual([...BINDINGS]);
      // k 0 is the unstaged kernel, which has no step along k and no workgroup memory.
      expect(constant(shader.source, 'TILE_K')).toBe(shape.tileK === 0 ? Number.NaN : shape.tileK);
      expect(/var<workgroup>/.test(shader.source)).toBe(shape.tileK > 0);
      expect(registerBlock(shape)).toEqual({
        rows: shape.workgroupRows * REGISTER_OUTPUTS_PER_INVOCATION.rows,
        columns: shape.workgroupColumns * REGISTER_OUTPUTS_PER_INVOCATION.columns,
      });
      // The results schema keeps at most 40 characters of mode.
      expect(name.length).toBeLessThanOrEqual(40);
    },
  );

  it('refuses shapes whose tiles do not split evenly, or that exceed the limits', () => {
    expect(registerShapeProblem({ workgroupColumns: 8, workgroupRows: 4, tileK: -4 }, defaultLimits)).toMatch(/positive integer/);
    expect(registerShapeProblem({ workgroupColumns: 16, workgroupRows: 16, tileK: 0 }, defaultLimits)).toBeUndefined();
    expect(registerShapeProblem({ workgroupColumns: 32, workgroupRows: 16, tileK: 0 }, defaultLimits)).toMatch(/invocations exceed/);
    expect(registerShapeProblem({ workgroupColumns: 8, workgroupRows: 4, tileK: 6 }, defaultLimits)).toMatch(/vec4/);
    expect(registerShapeProblem({ workgroupColumns: 16, workgroupRows: 16, tileK: 4 }, defaultLimits)).toMatch(/split evenly/);
    expect(registerShapeProblem({ workgroupColumns: 32, workgroupRows: 16, tileK: 32 }, defaultLimits)).toMatch(/invocations exceed/);
    expect(registerShapeProblem({ workgroupColumns: 8, workgroupRows: 4, tileK: 64 }, defaultLimits)).toMatch(/bytes of workgroup memory/);
    expect(registerShapeProblem({ workgroupColumns: 8, workgroupRows: 4, tileK: 64 })).toBeUndefined();
  });

  it('refuses a source that lost one of the shape constants', () => {
    const staged = REGISTER_TILE_SHAPES.find((shape) => shape.tileK > 0)!;
    const unstaged = REGISTER_TILE_SHAPES.find((shape) => shape.tileK === 0)!;
    const noTileK = registerShaderSource(staged).replace(/const TILE_K: u32 = \d+u;/, '');
    expect(() => registerShaderSource(staged, noTileK)).toThrow(/TILE_K/);
    const noRows = registerShaderSource(unstaged).replace(/const WORKGROUP_ROWS: u32 = \d+u;/, '');
    expect(() => registerShaderSource(unstaged, noRows)).toThrow(/WORKGROUP_ROWS/);
  });

  it.each([1, 3, 4, 17, 100, 130])('pads rows of n = %i to whole vec4s (the other variants keep them as they are)', (n) => {
    const layout = matmulLayout('register', n);
    expect(layout.columns).toBe(n);
    expect(layout.strideFloats % 4).toBe(0);
    expect(layout.strideFloats - n).toBeLessThan(4);
    expect(matmulLayout('tiled', n).strideFloats).toBe(n);
  });
});

describe('matmul-tiled.wgsl', () => {
  const { source } = reflectWgslFile('src/workloads/dot-product/matmul-tiled.wgsl');
  const constant = (name: string) => Number(source.match(new RegExp(`const ${name}: u32 = (\\d+)u;`))?.[1]);

  it('stages a 64×16 tile of A and a 16×64 tile of B (as 16×16 vec4) in workgroup memory, between two barriers', () => {
    expect(source).toMatch(/var<workgroup>\s+tileA\s*:\s*array<array<f32,\s*16>,\s*64>/);
    expect(source).toMatch(/var<workgroup>\s+tileB\s*:\s*array<array<vec4<f32>,\s*16>,\s*16>/);
    expect(source.match(/workgroupBarrier\(\)/g)).toHaveLength(2);
  });

  it('covers the tile of C the code dispatches for: TILE × PER_INVOCATION = BLOCK', () => {
    expect(constant('TILE')).toBe(WORKGROUP_EDGE);
    expect(constant('TILE') * constant('PER_INVOCATION')).toBe(constant('BLOCK'));
    expect(constant('BLOCK')).toBe(OUTPUT_EDGE.tiled);
    expect(OUTPUT_EDGE.naive).toBe(WORKGROUP_EDGE);
  });
});
