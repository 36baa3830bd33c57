// WebAssembly SIMD kernels for the wasm-simd backend, compiled twice from this one source: with plain
// 128-bit SIMD (f32x4.mul then f32x4.add) and with relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add
// where the processor has one). ASC_FEATURE_RELAXED_SIMD, a compile-time constant that
// `--enable relaxed-simd` turns on, picks the path; the other path is not compiled at all.
//
// Every worker instantiates this module over the same shared memory, so the module owns no memory of its
// own: no data segment, no start function and no global it writes. The caller lays out every byte:
// - pointers are byte offsets into the imported memory; float32 data needs 4-byte alignment to be
//   correct and 64-byte alignment (a cache line) to be fast;
// - besides its output, a kernel writes only its `scratchPtr` area (one per concurrent call,
//   `matmulScratchBytes(n)` bytes, 64-byte aligned) and packMatmulB its share of the packed B area;
// - concurrent calls must write disjoint ranges: rows of C for matmul and matmulPackedB, rows of B for
//   packMatmulB, elements for add.
// The relaxed flavour's multiply-add is fused or not as the processor decides (x64 with FMA3 fuses): its
// products may differ from the plain flavour's in the last bits, and between machines, never within one.

// Register block of the matmul microkernel: MR rows × NR columns of C held in MR × NR / 4 f32x4
// accumulators. x64 gives WebAssembly 15 usable vector registers. With a fused multiply-add, 6 × 8 needs
// 12 accumulators, 2 vectors of B and 1 of A: all 15. Without one, each product needs a register of its own
// before it is added, so 6 × 8 spills an accumulator to the stack on every step and 5 × 8 (10 + 2 + 1 + 1)
// is the largest block that fits.
// On Zen 3 in V8 (Node 20), the relaxed 6 × 8 step (12 FMAs and 8 loads in 32 x64 instructions) runs at
// about the core's FMA peak; the plain 5 × 8 step (20 multiplies and adds and 7 loads in 38 instructions) is
// bound by instruction issue at about four fifths of it.
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
 * (KC × NC) and an edge tile; 2.3 MiB at n = 2048. matmulPackedB needs no more.
 */
export function matmulScratchBytes(n: i32): i32 {
  return packedABytes(n) + packedBBlockBytes(n) + roundUp(MR * NR * F32_BYTES, CACHE_LINE_BYTES);
}

// @ts-ignore: decorator
@inline function packedABytes(n: i32): i32 {
  return roundUp(roundUp(n, MR) * min(KC, n) * F32_BYTES, CACHE_LINE_BYTES);
}

// @ts-ignore: decorator
@inline function packedBBlockBytes(n: i32): i32 {
  return roundUp(min(KC, n) * roundUp(min(NC, n), NR) * F32_BYTES, CACHE_LINE_BYTES);
}

/**
 * Rows [rowStart, rowEnd) of C = A·B for square row-major float32 n × n matrices at aPtr, bPtr and cPtr.
 * Writes only those rows of C and the scratch area, so calls on disjoint row ranges with distinct scratch
 * areas may run at the same time. Each C element sums over k in increasing order, the same operations
 * whatever the row range: splitting the rows between lanes does not change a bit of the product.
 * Every call packs all of B again, n² values: for many calls on the same B (many lanes, or small row ranges)
 * packMatmulB once, then matmulPackedB.
 */
export function matmul(aPtr: usize, bPtr: usize, cPtr: usize, n: i32, rowStart: i32, rowEnd: i32, scratchPtr: usize): void {
  const rows = rowEnd - rowStart;
  if (rows <= 0 || n <= 0) return;
  const packedA = scratchPtr;
  const packedB = packedA + <usize>packedABytes(n);
  const tile = packedB + <usize>packedBBlockBytes(n);
  for (let pc = 0; pc < n; pc += KC) {
    const kc = min(KC, n - pc);
    packA(aPtr, n, rowStart, rows, pc, kc, packedA);
    for (let jc = 0; jc < n; jc += NC) {
      const nc = min(NC, n - jc);
      packBRows(bPtr, n, pc, pc + kc, pc, kc, jc, nc, packedB);
      multiplyBlock(packedA, packedB, cPtr, n, rowStart, rows, pc, kc, jc, nc, tile);
    }
  }
}

/** Bytes of B packed whole by packMatmulB: n rows, columns rounded up to NR; 16 MiB at n = 2048. */
export function matmulPackedBBytes(n: i32): i32 {
  return roundUp(n * roundUp(n, NR) * F32_BYTES, CACHE_LINE_BYTES);
}

/**
 * Pack rows [kStart, kEnd) of B into the whole-matrix layout matmulPackedB reads: KC-row slabs, each a row
 * of NR-column panels. Calls on disjoint row ranges write disjoint bytes, so lanes can pack B together, and
 * must all finish before any lane multiplies.
 */
export function packMatmulB(bPtr: usize, n: i32, packedBPtr: usize, kStart: i32, kEnd: i32): void {
  kStart = max(kStart, 0);
  kEnd = min(kEnd, n);
  for (let pc = kStart / KC * KC; pc < kEnd; pc += KC) {
    const kc = min(KC, n - pc);
    packBRows(bPtr, n, max(kStart, pc), min(kEnd, pc + kc), pc, kc, 0, n, packedBSlab(packedBPtr, n, pc));
  }
}

/**
 * matmul with B already packed whole by packMatmulB at packedBPtr (shared, read-only): the same blocks in the
 * same order, so the same result bit for bit, without packing n² values of B on every call.
 */
export function matmulPackedB(aPtr: usize, packedBPtr: usize, cPtr: usize, n: i32, rowStart: i32, rowEnd: i32, scratchPtr: usize): void {
  const rows = rowEnd - rowStart;
  if (rows <= 0 || n <= 0) return;
  const packedA = scratchPtr;
  const tile = packedA + <usize>packedABytes(n) + <usize>packedBBlockBytes(n);
  for (let pc = 0; pc < n; pc += KC) {
    const kc = min(KC, n - pc);
    packA(aPtr, n, rowStart, rows, pc, kc, packedA);
    const slab = packedBSlab(packedBPtr, n, pc);
    for (let jc = 0; jc < n; jc += NC) {
      // The block of columns [jc, jc + nc) starts at panel jc / NR of the slab, kc × NR values a panel.
      multiplyBlock(packedA, slab + <usize>jc * <usize>kc * F32_BYTES, cPtr, n, rowStart, rows, pc, kc, jc, min(NC, n - jc), tile);
    }
  }
}

/** Where the slab of rows [pc, pc + KC) starts in the whole packed B: every slab before it is KC rows deep. */
// @ts-ignore: decorator
@inline function packedBSlab(packedBPtr: usize, n: i32, pc: i32): usize {
  return packedBPtr + <usize>pc * <usize>roundUp(n, NR) * F32_BYTES;
}

/**
 * C[rows, jc..jc+nc) += (or =, on the first k block) packed A (the rows × kc block) · packed B (the kc × nc
 * block): MR × NR tiles in register, rows outer so each A micro-panel stays in L1 while B streams from L2.
 */
function multiplyBlock(packedA: usize, packedB: usize, cPtr: usize, n: i32, rowStart: i32, rows: i32, pc: i32, kc: i32, jc: i32, nc: i32, tile: usize): void {
  const accumulate = pc > 0;
  const cRowBytes = <usize>n * F32_BYTES;
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
        // An edge tile goes through a full-size tile in scratch, with the same operations in the same order as
        // a full one: every C element gets the same bits however the rows are split between calls.
        // Zeros around the corner copied in, so the lanes computed and thrown away hold no stale denormals.
        const tileRowBytes = <usize>(NR * F32_BYTES);
        if (accumulate) {
          memory.fill(tile, 0, MR * NR * F32_BYTES);
          copyTile(c, cRowBytes, tile, tileRowBytes, mr, nr);
        }
        microkernel(aPanel, bPanel, kc, tile, tileRowBytes, accumulate);
        copyTile(tile, tileRowBytes, c, cRowBytes, mr, nr);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function microkernel(aPanel: usize, bPanel: usize, kc: i32, c: usize, cRowBytes: usize, accumulate: bool): void {
  if (ASC_FEATURE_RELAXED_SIMD) microkernel6x8(aPanel, bPanel, kc, c, cRowBytes, accumulate);
  else microkernel5x8(aPanel, bPanel, kc, c, cRowBytes, accumulate);
}

/** Copy a rows × columns corner of one tile of floats to another, each with its own row stride. */
function copyTile(from: usize, fromRowBytes: usize, to: usize, toRowBytes: usize, rows: i32, columns: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < columns; j++) {
      const offset = <usize>(j * F32_BYTES);
      store<f32>(to + offset, load<f32>(from + offset));
    }
    from += fromRowBytes;
    to += toRowBytes;
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
 * Copy rows [kFrom, kTo) × columns [jc, jc + nc) of B into a packed block whose first row is pc and which is
 * kc rows deep: NR-column panels of kc × NR contiguous values, columns past the end zero. Reads B row by row
 * and writes two rows at a time, so each 64-byte line of a panel is written whole: going panel by panel
 * instead reads B down its columns, 4 KiB apart at n = 1024, which maps every line to the same cache set.
 */
function packBRows(b: usize, n: i32, kFrom: i32, kTo: i32, pc: i32, kc: i32, jc: i32, nc: i32, block: usize): void {
  const rowBytes = <usize>n * F32_BYTES;
  const panelBytes = <usize>(kc * NR * F32_BYTES);
  const fullPanels = nc / NR;
  const edgeColumns = nc - fullPanels * NR;
  let k = kFrom;
  while (k < kTo) {
    const pair = k + 1 < kTo;
    let from = b + (<usize>k * <usize>n + <usize>jc) * F32_BYTES;
    let to = block + <usize>((k - pc) * NR * F32_BYTES);
    if (pair) {
      for (let p = 0; p < fullPanels; p++) {
        v128.store(to, v128.load(from));
        v128.store(to, v128.load(from, 16), 16);
        v128.store(to, v128.load(from + rowBytes), 32);
        v128.store(to, v128.load(from + rowBytes, 16), 48);
        from += NR * F32_BYTES;
        to += panelBytes;
      }
    } else {
      for (let p = 0; p < fullPanels; p++) {
        v128.store(to, v128.load(from));
        v128.store(to, v128.load(from, 16), 16);
        from += NR * F32_BYTES;
        to += panelBytes;
      }
    }
    if (edgeColumns > 0) {
      const rowsNow = pair ? 2 : 1;
      for (let r = 0; r < rowsNow; r++) {
        for (let j = 0; j < NR; j++) {
          const value: f32 = j < edgeColumns ? load<f32>(from + <usize>r * rowBytes + <usize>(j * F32_BYTES)) : 0;
          store<f32>(to + <usize>((r * NR + j) * F32_BYTES), value);
        }
      }
    }
    k += pair ? 2 : 1;
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
