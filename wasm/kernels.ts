// WebAssembly SIMD kernels for the wasm-simd backend, compiled twice from this one source: with plain
// 128-bit SIMD (f32x4.mul then f32x4.add) and with relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add
// where the processor has one). ASC_FEATURE_RELAXED_SIMD, a compile-time constant that
// `--enable relaxed-simd` turns on, picks the path; the other path is not compiled at all.
//
// Every worker instantiates this module over the same shared memory, so the module owns no memory of its
// own: no data segment, no start function and no global it writes. The caller lays out every byte:
// - pointers are byte offsets into the imported memory; float32 data needs 4-byte alignment to be
//   correct and 64-byte alignment (a cache line) to be fast;
// - `scratchPtr` areas are the only memory a kernel writes besides its output, one area per concurrent
//   call, `matmulScratchBytes(n)` bytes long, 64-byte aligned;
// - concurrent calls must write disjoint output ranges (rows for matmul, elements for add).

// Register block of the matmul microkernel: MR rows × NR columns of C held in MR × NR / 4 f32x4
// accumulators. x64 gives WebAssembly 15 usable vector registers. With a fused multiply-add, 6 × 8 needs
// 12 accumulators, 2 vectors of B and 1 of A: all 15. Without one, each product needs a register of its own
// before it is added, so 6 × 8 spills an accumulator to the stack on every step and 5 × 8 (10 + 2 + 1 + 1)
// is the largest block that fits.
const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
const NR: i32 = 8;

// Cache blocks. A KC-deep micro-panel of packed A (MR × KC values, 6 KiB at most) stays in the 32 KiB L1
// data cache while the microkernel sweeps the packed KC × NC block of B (256 KiB) from the 512 KiB L2; each
// micro-panel of B (KC × NR values, 8 KiB) is read from L2 once per MR rows. A is packed once per KC block,
// all of the call's rows at once, and reused across every NC block of columns.
// Measured on Zen 3 (see src/cli/wasm-kernels-bench.ts): KC 256 beats 128 (half the passes over C), and
// packing A as plain floats beats storing each value pre-broadcast to 16 bytes (4× the A traffic and cache
// footprint), although V8 then spends an extra address computation on each v128.load32_splat.
const KC: i32 = 256;
const NC: i32 = 256;
const F32_BYTES: i32 = 4;
const CACHE_LINE_BYTES: i32 = 64;

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(f32x4.mul(a, b), acc);
}

// @ts-ignore: decorator
@inline function roundUp(value: i32, multiple: i32): i32 {
  return (value + multiple - 1) / multiple * multiple;
}

/**
 * Bytes of scratch one matmul call needs at size n, whatever its rows: packed A (up to n rows × KC), packed B
 * (KC × NC) and an edge tile; 2.3 MiB at n = 2048.
 */
export function matmulScratchBytes(n: i32): i32 {
  return packedABytes(n) + packedBBytes(n) + roundUp(MR * NR * F32_BYTES, CACHE_LINE_BYTES);
}

// @ts-ignore: decorator
@inline function packedABytes(n: i32): i32 {
  return roundUp(roundUp(n, MR) * min(KC, n) * F32_BYTES, CACHE_LINE_BYTES);
}

// @ts-ignore: decorator
@inline function packedBBytes(n: i32): i32 {
  return roundUp(min(KC, n) * roundUp(min(NC, n), NR) * F32_BYTES, CACHE_LINE_BYTES);
}

/**
 * Rows [rowStart, rowEnd) of C = A·B for square row-major float32 n × n matrices at aPtr, bPtr and cPtr.
 * Writes only those rows of C and the scratch area, so calls on disjoint row ranges with distinct scratch
 * areas may run at the same time. Each C element sums over k in KC-long blocks, in increasing k.
 */
export function matmul(aPtr: usize, bPtr: usize, cPtr: usize, n: i32, rowStart: i32, rowEnd: i32, scratchPtr: usize): void {
  const rows = rowEnd - rowStart;
  if (rows <= 0 || n <= 0) return;
  const packedA = scratchPtr;
  const packedB = packedA + <usize>packedABytes(n);
  const tile = packedB + <usize>packedBBytes(n);
  const cRowBytes = <usize>n * F32_BYTES;
  for (let pc = 0; pc < n; pc += KC) {
    const kc = min(KC, n - pc);
    const accumulate = pc > 0;
    packA(aPtr, n, rowStart, rows, pc, kc, packedA);
    for (let jc = 0; jc < n; jc += NC) {
      const nc = min(NC, n - jc);
      packB(bPtr, n, pc, kc, jc, nc, packedB);
      for (let ir = 0; ir < rows; ir += MR) {
        const mr = min(MR, rows - ir);
        const aPanel = packedA + <usize>(ir * kc * F32_BYTES);
        const cRow = cPtr + <usize>(rowStart + ir) * cRowBytes + <usize>jc * F32_BYTES;
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bPanel = packedB + <usize>(jr * kc * F32_BYTES);
          const c = cRow + <usize>jr * F32_BYTES;
          if (mr == MR && nr == NR) {
            microkernel(aPanel, bPanel, kc, c, cRowBytes, accumulate);
          } else {
            microkernel(aPanel, bPanel, kc, tile, NR * F32_BYTES, false);
            mergeTile(tile, c, cRowBytes, mr, nr, accumulate);
          }
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function microkernel(aPanel: usize, bPanel: usize, kc: i32, c: usize, cRowBytes: usize, accumulate: bool): void {
  if (ASC_FEATURE_RELAXED_SIMD) microkernel6x8(aPanel, bPanel, kc, c, cRowBytes, accumulate);
  else microkernel5x8(aPanel, bPanel, kc, c, cRowBytes, accumulate);
}

/** The edge tiles: copy (or add) the valid mr × nr corner of a full MR × NR tile computed on zero padding. */
function mergeTile(tile: usize, c: usize, cRowBytes: usize, mr: i32, nr: i32, accumulate: bool): void {
  for (let r = 0; r < mr; r++) {
    const from = tile + <usize>(r * NR * F32_BYTES);
    const to = c + <usize>r * cRowBytes;
    for (let j = 0; j < nr; j++) {
      const offset = <usize>j * F32_BYTES;
      const value = load<f32>(from + offset);
      store<f32>(to + offset, accumulate ? load<f32>(to + offset) + value : value);
    }
  }
}

/**
 * Pack rows [rowFirst, rowFirst + rows) × columns [pc, pc + kc) of A as MR-row micro-panels: for each k, the
 * MR values of that column, contiguous; rows past the end are zeros.
 */
function packA(a: usize, n: i32, rowFirst: i32, rows: i32, pc: i32, kc: i32, packed: usize): void {
  const stepBytes = <usize>(MR * F32_BYTES);
  for (let ir = 0; ir < rows; ir += MR) {
    const mr = min(MR, rows - ir);
    for (let r = 0; r < MR; r++) {
      let to = packed + <usize>(r * F32_BYTES);
      const end = to + <usize>kc * stepBytes;
      if (r < mr) {
        let from = a + (<usize>(rowFirst + ir + r) * <usize>n + <usize>pc) * F32_BYTES;
        while (to < end) {
          store<f32>(to, load<f32>(from));
          from += F32_BYTES;
          to += stepBytes;
        }
      } else {
        while (to < end) {
          store<f32>(to, 0);
          to += stepBytes;
        }
      }
    }
    packed += <usize>kc * stepBytes;
  }
}

/**
 * Pack rows [pc, pc + kc) × columns [jc, jc + nc) of B as NR-column panels, each kc rows of NR contiguous
 * values; columns past the end are zeros.
 */
function packB(b: usize, n: i32, pc: i32, kc: i32, jc: i32, nc: i32, packed: usize): void {
  const rowBytes = <usize>n * F32_BYTES;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    let from = b + (<usize>pc * <usize>n + <usize>(jc + jr)) * F32_BYTES;
    const end = packed + <usize>(kc * NR * F32_BYTES);
    if (nr == NR) {
      while (packed < end) {
        v128.store(packed, v128.load(from));
        v128.store(packed, v128.load(from, 16), 16);
        from += rowBytes;
        packed += NR * F32_BYTES;
      }
    } else {
      while (packed < end) {
        for (let j = 0; j < NR; j++) {
          store<f32>(packed + <usize>(j * F32_BYTES), j < nr ? load<f32>(from + <usize>(j * F32_BYTES)) : 0);
        }
        from += rowBytes;
        packed += NR * F32_BYTES;
      }
    }
  }
}

// The microkernels. One k step: load NR values of B (two vectors), then for each of the MR rows broadcast its
// A value to four lanes (v128.load32_splat) and multiply-add it into that row's accumulators. Not unrolled
// over k: Binaryen then merges consecutive steps into one expression, the second step's loads come first,
// and V8 needs more than 15 registers and spills.

function microkernel6x8(aPanel: usize, bPanel: usize, kc: i32, c: usize, cRowBytes: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  const c1 = c + cRowBytes, c2 = c1 + cRowBytes, c3 = c2 + cRowBytes, c4 = c3 + cRowBytes, c5 = c4 + cRowBytes;
  if (accumulate) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c1); c11 = v128.load(c1, 16);
    c20 = v128.load(c2); c21 = v128.load(c2, 16);
    c30 = v128.load(c3); c31 = v128.load(c3, 16);
    c40 = v128.load(c4); c41 = v128.load(c4, 16);
    c50 = v128.load(c5); c51 = v128.load(c5, 16);
  }
  const bEnd = bPanel + <usize>(kc * 8 * F32_BYTES);
  while (bPanel < bEnd) {
    const b0 = v128.load(bPanel);
    const b1 = v128.load(bPanel, 16);
    const a0 = v128.load32_splat(aPanel);
    c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01);
    const a1 = v128.load32_splat(aPanel, 4);
    c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11);
    const a2 = v128.load32_splat(aPanel, 8);
    c20 = madd(a2, b0, c20); c21 = madd(a2, b1, c21);
    const a3 = v128.load32_splat(aPanel, 12);
    c30 = madd(a3, b0, c30); c31 = madd(a3, b1, c31);
    const a4 = v128.load32_splat(aPanel, 16);
    c40 = madd(a4, b0, c40); c41 = madd(a4, b1, c41);
    const a5 = v128.load32_splat(aPanel, 20);
    c50 = madd(a5, b0, c50); c51 = madd(a5, b1, c51);
    aPanel += 6 * F32_BYTES;
    bPanel += 8 * F32_BYTES;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
  v128.store(c4, c40); v128.store(c4, c41, 16);
  v128.store(c5, c50); v128.store(c5, c51, 16);
}

function microkernel5x8(aPanel: usize, bPanel: usize, kc: i32, c: usize, cRowBytes: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  const c1 = c + cRowBytes, c2 = c1 + cRowBytes, c3 = c2 + cRowBytes, c4 = c3 + cRowBytes;
  if (accumulate) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c1); c11 = v128.load(c1, 16);
    c20 = v128.load(c2); c21 = v128.load(c2, 16);
    c30 = v128.load(c3); c31 = v128.load(c3, 16);
    c40 = v128.load(c4); c41 = v128.load(c4, 16);
  }
  const bEnd = bPanel + <usize>(kc * 8 * F32_BYTES);
  while (bPanel < bEnd) {
    const b0 = v128.load(bPanel);
    const b1 = v128.load(bPanel, 16);
    const a0 = v128.load32_splat(aPanel);
    c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01);
    const a1 = v128.load32_splat(aPanel, 4);
    c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11);
    const a2 = v128.load32_splat(aPanel, 8);
    c20 = madd(a2, b0, c20); c21 = madd(a2, b1, c21);
    const a3 = v128.load32_splat(aPanel, 12);
    c30 = madd(a3, b0, c30); c31 = madd(a3, b1, c31);
    const a4 = v128.load32_splat(aPanel, 16);
    c40 = madd(a4, b0, c40); c41 = madd(a4, b1, c41);
    aPanel += 5 * F32_BYTES;
    bPanel += 8 * F32_BYTES;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
  v128.store(c4, c40); v128.store(c4, c41, 16);
}

/**
 * c[i] = a[i] + b[i] for element indices i in [start, end) of float32 arrays at aPtr, bPtr and cPtr, all of
 * it `repeats` times over (the post repeats `a + b`). One IEEE float32 addition per element: bit-exact.
 */
export function add(aPtr: usize, bPtr: usize, cPtr: usize, start: i32, end: i32, repeats: i32): void {
  if (end <= start) return;
  const first = <usize>start * F32_BYTES;
  const count = <usize>(end - start);
  const blocksEnd = first + (count & ~15) * F32_BYTES;
  const vectorsEnd = first + (count & ~3) * F32_BYTES;
  const last = <usize>end * F32_BYTES;
  for (let r = 0; r < repeats; r++) {
    let i = first;
    while (i < blocksEnd) {
      const a = aPtr + i, b = bPtr + i, c = cPtr + i;
      v128.store(c, f32x4.add(v128.load(a), v128.load(b)));
      v128.store(c, f32x4.add(v128.load(a, 16), v128.load(b, 16)), 16);
      v128.store(c, f32x4.add(v128.load(a, 32), v128.load(b, 32)), 32);
      v128.store(c, f32x4.add(v128.load(a, 48), v128.load(b, 48)), 48);
      i += 64;
    }
    while (i < vectorsEnd) {
      v128.store(cPtr + i, f32x4.add(v128.load(aPtr + i), v128.load(bPtr + i)));
      i += 16;
    }
    while (i < last) {
      store<f32>(cPtr + i, load<f32>(aPtr + i) + load<f32>(bPtr + i));
      i += F32_BYTES;
    }
  }
}

/**
 * The sum of the integers in [start, end), counted one by one as the post's `for i in range(n): count += i`.
 * Takes doubles so JavaScript passes plain numbers (integers below 2^31); returns an i64, a BigInt in
 * JavaScript. Eight integers a step in four i64x2 accumulators: what a compiler does to that loop.
 */
export function sumRange(start: f64, end: f64): i64 {
  let i = <i64>start;
  const stop = <i64>end;
  if (stop <= i) return 0;
  let sum0 = i64x2(0, 0), sum1 = i64x2(0, 0), sum2 = i64x2(0, 0), sum3 = i64x2(0, 0);
  const base = i64x2.splat(i);
  let index0 = i64x2.add(base, i64x2(0, 1));
  let index1 = i64x2.add(base, i64x2(2, 3));
  let index2 = i64x2.add(base, i64x2(4, 5));
  let index3 = i64x2.add(base, i64x2(6, 7));
  const eight = i64x2.splat(8);
  const vectorStop = i + ((stop - i) & ~7);
  while (i < vectorStop) {
    sum0 = i64x2.add(sum0, index0);
    sum1 = i64x2.add(sum1, index1);
    sum2 = i64x2.add(sum2, index2);
    sum3 = i64x2.add(sum3, index3);
    index0 = i64x2.add(index0, eight);
    index1 = i64x2.add(index1, eight);
    index2 = i64x2.add(index2, eight);
    index3 = i64x2.add(index3, eight);
    i += 8;
  }
  const sum = i64x2.add(i64x2.add(sum0, sum1), i64x2.add(sum2, sum3));
  let total = i64x2.extract_lane(sum, 0) + i64x2.extract_lane(sum, 1);
  while (i < stop) {
    total += i;
    i++;
  }
  return total;
}
