// C = A·B for square row-major float32 matrices, register-tiled: each invocation accumulates a block of
// 16 rows × 8 columns of C in 32 vec4 registers, fed from vec4 tiles of A and B that the whole workgroup
// stages in workgroup memory with cooperative loads, one barrier pair per step along k. Each value read
// from workgroup memory serves 8 (A) or 16 (B) multiply-adds, and each value staged from storage serves
// every invocation in its row (A) or column (B) of the workgroup.
//
// Why so large a block: on the software GPUs this lab meets most (SwiftShader, lavapipe) every load from
// workgroup memory whose address differs between invocations is gathered one invocation at a time, and
// arithmetic is cheap beside it; 16 × 8 halves the loads per multiply-add of 8 × 8 or 16 × 4. The
// accumulators are written out one by one because compilers keep a fixed set of variables in registers,
// but not always an array indexed in a loop.
//
// Layout: every matrix is stored with rows padded to whole vec4s (ceil(n / 4) vec4s per row), the padding
// zero, so a vec4 that starts inside a row never reaches into the next one. Loads past the last row, or
// past the padded row, read as zero, and stores there are skipped: any n ≥ 1 works.
//
// The workgroup shape and the step along k below are one candidate of several: gpu.ts rewrites those three
// constants to build each, and keeps the fastest at set-up. Bindings match gpu.ts too (the other
// dot-product kernels have the same ones, over arrays of f32).

struct Params {
  n: u32,
}

// Invocations along a row of the workgroup: each owns two vec4 columns, WORKGROUP_COLUMNS vec4s apart.
const WORKGROUP_COLUMNS: u32 = 8u;
// Invocations along a column of the workgroup: each owns ROWS_PER_INVOCATION adjacent rows.
const WORKGROUP_ROWS: u32 = 4u;
// Length of one step along k: a BLOCK_ROWS × TILE_K tile of A and a TILE_K × (4 · BLOCK_VECTORS) tile of B.
const TILE_K: u32 = 32u;

// The register block, written out below (accLeft0..15, accRight0..15): not a shape parameter.
const ROWS_PER_INVOCATION: u32 = 16u;
const VECTORS_PER_INVOCATION: u32 = 2u;

const VEC: u32 = 4u;
const BLOCK_ROWS: u32 = WORKGROUP_ROWS * ROWS_PER_INVOCATION;
const BLOCK_VECTORS: u32 = WORKGROUP_COLUMNS * VECTORS_PER_INVOCATION;
const TILE_K_VECTORS: u32 = TILE_K / VEC;
const INVOCATIONS: u32 = WORKGROUP_COLUMNS * WORKGROUP_ROWS;
// vec4 loads each invocation makes per step; gpu.ts only builds shapes where these divide exactly.
const A_LOADS: u32 = BLOCK_ROWS * TILE_K_VECTORS / INVOCATIONS;
const B_LOADS: u32 = TILE_K * BLOCK_VECTORS / INVOCATIONS;

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> tileA: array<array<vec4<f32>, TILE_K_VECTORS>, BLOCK_ROWS>;  // [row in block][k / 4 in step]
var<workgroup> tileB: array<array<vec4<f32>, BLOCK_VECTORS>, TILE_K>;       // [k in step][column / 4 in block]

/** One row of this invocation's block into C, each vec4 only where it lies inside the matrix. */
fn storeRow(n: u32, stride: u32, row: u32, colLeft: u32, left: vec4<f32>, right: vec4<f32>) {
  if (row >= n) {
    return;
  }
  if (colLeft < stride) {
    c[row * stride + colLeft] = left;
  }
  let colRight = colLeft + WORKGROUP_COLUMNS;
  if (colRight < stride) {
    c[row * stride + colRight] = right;
  }
}

@compute @workgroup_size(WORKGROUP_COLUMNS, WORKGROUP_ROWS)
fn matmul(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_id) local: vec3<u32>,
  @builtin(local_invocation_index) index: u32,
) {
  let n = params.n;
  let stride = (n + VEC - 1u) / VEC;
  let rowBase = group.y * BLOCK_ROWS;
  let vectorBase = group.x * BLOCK_VECTORS;
  let localRow = ROWS_PER_INVOCATION * local.y;
  var accLeft0 = vec4<f32>(0.0);
  var accRight0 = vec4<f32>(0.0);
  var accLeft1 = vec4<f32>(0.0);
  var accRight1 = vec4<f32>(0.0);
  var accLeft2 = vec4<f32>(0.0);
  var accRight2 = vec4<f32>(0.0);
  var accLeft3 = vec4<f32>(0.0);
  var accRight3 = vec4<f32>(0.0);
  var accLeft4 = vec4<f32>(0.0);
  var accRight4 = vec4<f32>(0.0);
  var accLeft5 = vec4<f32>(0.0);
  var accRight5 = vec4<f32>(0.0);
  var accLeft6 = vec4<f32>(0.0);
  var accRight6 = vec4<f32>(0.0);
  var accLeft7 = vec4<f32>(0.0);
  var accRight7 = vec4<f32>(0.0);
  var accLeft8 = vec4<f32>(0.0);
  var accRight8 = vec4<f32>(0.0);
  var accLeft9 = vec4<f32>(0.0);
  var accRight9 = vec4<f32>(0.0);
  var accLeft10 = vec4<f32>(0.0);
  var accRight10 = vec4<f32>(0.0);
  var accLeft11 = vec4<f32>(0.0);
  var accRight11 = vec4<f32>(0.0);
  var accLeft12 = vec4<f32>(0.0);
  var accRight12 = vec4<f32>(0.0);
  var accLeft13 = vec4<f32>(0.0);
  var accRight13 = vec4<f32>(0.0);
  var accLeft14 = vec4<f32>(0.0);
  var accRight14 = vec4<f32>(0.0);
  var accLeft15 = vec4<f32>(0.0);
  var accRight15 = vec4<f32>(0.0);
  // Every invocation runs every step, even past the matrix edge, so the barriers stay uniform.
  let steps = (n + TILE_K - 1u) / TILE_K;
  for (var kStep = 0u; kStep < steps; kStep++) {
    let kVectorBase = kStep * TILE_K_VECTORS;
    // Cooperative loads: consecutive invocations fetch consecutive vec4s of a row.
    for (var i = 0u; i < A_LOADS; i++) {
      let slot = index + i * INVOCATIONS;
      let tileRow = slot / TILE_K_VECTORS;
      let tileVector = slot % TILE_K_VECTORS;
      let row = rowBase + tileRow;
      let kVector = kVectorBase + tileVector;
      var value = vec4<f32>(0.0);
      if (row < n && kVector < stride) {
        value = a[row * stride + kVector];
      }
      tileA[tileRow][tileVector] = value;
    }
    for (var i = 0u; i < B_LOADS; i++) {
      let slot = index + i * INVOCATIONS;
      let tileRow = slot / BLOCK_VECTORS;
      let tileVector = slot % BLOCK_VECTORS;
      let row = kStep * TILE_K + tileRow;
      let colVector = vectorBase + tileVector;
      var value = vec4<f32>(0.0);
      if (row < n && colVector < stride) {
        value = b[row * stride + colVector];
      }
      tileB[tileRow][tileVector] = value;
    }
    workgroupBarrier();
    for (var kVector = 0u; kVector < TILE_K_VECTORS; kVector++) {
      // Rows k .. k + 3 of the B tile at this invocation's two vec4 columns, as the columns of a matrix:
      // bLeft * a = B[k][..] a.x + B[k + 1][..] a.y + B[k + 2][..] a.z + B[k + 3][..] a.w.
      let k = VEC * kVector;
      let left = local.x;
      let right = local.x + WORKGROUP_COLUMNS;
      let bLeft = mat4x4<f32>(tileB[k][left], tileB[k + 1u][left], tileB[k + 2u][left], tileB[k + 3u][left]);
      let bRight = mat4x4<f32>(tileB[k][right], tileB[k + 1u][right], tileB[k + 2u][right], tileB[k + 3u][right]);
      // Then A at (row, k .. k + 3), one vec4 per row.
      let a0 = tileA[localRow + 0u][kVector];
      accLeft0 += bLeft * a0;
      accRight0 += bRight * a0;
      let a1 = tileA[localRow + 1u][kVector];
      accLeft1 += bLeft * a1;
      accRight1 += bRight * a1;
      let a2 = tileA[localRow + 2u][kVector];
      accLeft2 += bLeft * a2;
      accRight2 += bRight * a2;
      let a3 = tileA[localRow + 3u][kVector];
      accLeft3 += bLeft * a3;
      accRight3 += bRight * a3;
      let a4 = tileA[localRow + 4u][kVector];
      accLeft4 += bLeft * a4;
      accRight4 += bRight * a4;
      let a5 = tileA[localRow + 5u][kVector];
      accLeft5 += bLeft * a5;
      accRight5 += bRight * a5;
      let a6 = tileA[localRow + 6u][kVector];
      accLeft6 += bLeft * a6;
      accRight6 += bRight * a6;
      let a7 = tileA[localRow + 7u][kVector];
      accLeft7 += bLeft * a7;
      accRight7 += bRight * a7;
      let a8 = tileA[localRow + 8u][kVector];
      accLeft8 += bLeft * a8;
      accRight8 += bRight * a8;
      let a9 = tileA[localRow + 9u][kVector];
      accLeft9 += bLeft * a9;
      accRight9 += bRight * a9;
      let a10 = tileA[localRow + 10u][kVector];
      accLeft10 += bLeft * a10;
      accRight10 += bRight * a10;
      let a11 = tileA[localRow + 11u][kVector];
      accLeft11 += bLeft * a11;
      accRight11 += bRight * a11;
      let a12 = tileA[localRow + 12u][kVector];
      accLeft12 += bLeft * a12;
      accRight12 += bRight * a12;
      let a13 = tileA[localRow + 13u][kVector];
      accLeft13 += bLeft * a13;
      accRight13 += bRight * a13;
      let a14 = tileA[localRow + 14u][kVector];
      accLeft14 += bLeft * a14;
      accRight14 += bRight * a14;
      let a15 = tileA[localRow + 15u][kVector];
      accLeft15 += bLeft * a15;
      accRight15 += bRight * a15;
    }
    workgroupBarrier();
  }
  let colLeft = vectorBase + local.x;
  storeRow(n, stride, rowBase + localRow + 0u, colLeft, accLeft0, accRight0);
  storeRow(n, stride, rowBase + localRow + 1u, colLeft, accLeft1, accRight1);
  storeRow(n, stride, rowBase + localRow + 2u, colLeft, accLeft2, accRight2);
  storeRow(n, stride, rowBase + localRow + 3u, colLeft, accLeft3, accRight3);
  storeRow(n, stride, rowBase + localRow + 4u, colLeft, accLeft4, accRight4);
  storeRow(n, stride, rowBase + localRow + 5u, colLeft, accLeft5, accRight5);
  storeRow(n, stride, rowBase + localRow + 6u, colLeft, accLeft6, accRight6);
  storeRow(n, stride, rowBase + localRow + 7u, colLeft, accLeft7, accRight7);
  storeRow(n, stride, rowBase + localRow + 8u, colLeft, accLeft8, accRight8);
  storeRow(n, stride, rowBase + localRow + 9u, colLeft, accLeft9, accRight9);
  storeRow(n, stride, rowBase + localRow + 10u, colLeft, accLeft10, accRight10);
  storeRow(n, stride, rowBase + localRow + 11u, colLeft, accLeft11, accRight11);
  storeRow(n, stride, rowBase + localRow + 12u, colLeft, accLeft12, accRight12);
  storeRow(n, stride, rowBase + localRow + 13u, colLeft, accLeft13, accRight13);
  storeRow(n, stride, rowBase + localRow + 14u, colLeft, accLeft14, accRight14);
  storeRow(n, stride, rowBase + localRow + 15u, colLeft, accLeft15, accRight15);
}
