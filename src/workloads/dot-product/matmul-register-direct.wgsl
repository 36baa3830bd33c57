// C = A·B for square row-major float32 matrices, register-blocked like matmul-register.wgsl (each invocation
// accumulates 16 rows × 8 columns of C in 32 vec4 registers) but with no workgroup memory and no barrier:
// every invocation reads its rows of A and its two vec4 columns of B straight from storage. On a real GPU the
// staged kernel should win (each value it stages serves a whole row or column of the workgroup); on the
// software GPUs this lab meets most (SwiftShader, lavapipe), where every workgroup-memory load whose address
// differs between invocations is gathered one invocation at a time and SwiftShader switches coroutines at
// every barrier, reading storage directly can be the faster. gpu.ts offers it to the set-up trial as one more
// shape (k 0: nothing staged), so each device keeps whichever runs faster there.
//
// Layout as in matmul-register.wgsl: rows padded to whole vec4s with zeros. Loads are clamped inside the
// matrix instead of branched: a clamped row of A only feeds a row of C that is never stored, and a clamped
// row of B (past n, in the last vec4 of k when n is not a multiple of 4) meets a zero of A's padding.
// The workgroup shape below is one candidate of several: gpu.ts rewrites those two constants to build each.
// Bindings match gpu.ts.

struct Params {
  n: u32,
}

// Invocations along a row of the workgroup: each owns two vec4 columns, WORKGROUP_COLUMNS vec4s apart.
const WORKGROUP_COLUMNS: u32 = 8u;
// Invocations along a column of the workgroup: each owns ROWS_PER_INVOCATION adjacent rows.
const WORKGROUP_ROWS: u32 = 4u;

// The register block, written out below (accLeft0..15, accRight0..15): not a shape parameter.
const ROWS_PER_INVOCATION: u32 = 16u;
const VECTORS_PER_INVOCATION: u32 = 2u;

const VEC: u32 = 4u;
const BLOCK_ROWS: u32 = WORKGROUP_ROWS * ROWS_PER_INVOCATION;
const BLOCK_VECTORS: u32 = WORKGROUP_COLUMNS * VECTORS_PER_INVOCATION;

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

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
) {
  let n = params.n;
  let stride = (n + VEC - 1u) / VEC;
  let last = n - 1u;
  let rowBase = group.y * BLOCK_ROWS + ROWS_PER_INVOCATION * local.y;
  let colLeft = group.x * BLOCK_VECTORS + local.x;
  let left = min(colLeft, stride - 1u);
  let right = min(colLeft + WORKGROUP_COLUMNS, stride - 1u);
  let row0 = min(rowBase + 0u, last);
  let row1 = min(rowBase + 1u, last);
  let row2 = min(rowBase + 2u, last);
  let row3 = min(rowBase + 3u, last);
  let row4 = min(rowBase + 4u, last);
  let row5 = min(rowBase + 5u, last);
  let row6 = min(rowBase + 6u, last);
  let row7 = min(rowBase + 7u, last);
  let row8 = min(rowBase + 8u, last);
  let row9 = min(rowBase + 9u, last);
  let row10 = min(rowBase + 10u, last);
  let row11 = min(rowBase + 11u, last);
  let row12 = min(rowBase + 12u, last);
  let row13 = min(rowBase + 13u, last);
  let row14 = min(rowBase + 14u, last);
  let row15 = min(rowBase + 15u, last);
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
  for (var kVector = 0u; kVector < stride; kVector++) {
    // Rows k .. k + 3 of B at this invocation's two vec4 columns, as the columns of a matrix:
    // bLeft * a = B[k][..] a.x + B[k + 1][..] a.y + B[k + 2][..] a.z + B[k + 3][..] a.w.
    let k = VEC * kVector;
    let k0 = min(k, last) * stride;
    let k1 = min(k + 1u, last) * stride;
    let k2 = min(k + 2u, last) * stride;
    let k3 = min(k + 3u, last) * stride;
    let bLeft = mat4x4<f32>(b[k0 + left], b[k1 + left], b[k2 + left], b[k3 + left]);
    let bRight = mat4x4<f32>(b[k0 + right], b[k1 + right], b[k2 + right], b[k3 + right]);
    // Then A at (row, k .. k + 3), one vec4 per row.
    let a0 = a[row0 * stride + kVector];
    accLeft0 += bLeft * a0;
    accRight0 += bRight * a0;
    let a1 = a[row1 * stride + kVector];
    accLeft1 += bLeft * a1;
    accRight1 += bRight * a1;
    let a2 = a[row2 * stride + kVector];
    accLeft2 += bLeft * a2;
    accRight2 += bRight * a2;
    let a3 = a[row3 * stride + kVector];
    accLeft3 += bLeft * a3;
    accRight3 += bRight * a3;
    let a4 = a[row4 * stride + kVector];
    accLeft4 += bLeft * a4;
    accRight4 += bRight * a4;
    let a5 = a[row5 * stride + kVector];
    accLeft5 += bLeft * a5;
    accRight5 += bRight * a5;
    let a6 = a[row6 * stride + kVector];
    accLeft6 += bLeft * a6;
    accRight6 += bRight * a6;
    let a7 = a[row7 * stride + kVector];
    accLeft7 += bLeft * a7;
    accRight7 += bRight * a7;
    let a8 = a[row8 * stride + kVector];
    accLeft8 += bLeft * a8;
    accRight8 += bRight * a8;
    let a9 = a[row9 * stride + kVector];
    accLeft9 += bLeft * a9;
    accRight9 += bRight * a9;
    let a10 = a[row10 * stride + kVector];
    accLeft10 += bLeft * a10;
    accRight10 += bRight * a10;
    let a11 = a[row11 * stride + kVector];
    accLeft11 += bLeft * a11;
    accRight11 += bRight * a11;
    let a12 = a[row12 * stride + kVector];
    accLeft12 += bLeft * a12;
    accRight12 += bRight * a12;
    let a13 = a[row13 * stride + kVector];
    accLeft13 += bLeft * a13;
    accRight13 += bRight * a13;
    let a14 = a[row14 * stride + kVector];
    accLeft14 += bLeft * a14;
    accRight14 += bRight * a14;
    let a15 = a[row15 * stride + kVector];
    accLeft15 += bLeft * a15;
    accRight15 += bRight * a15;
  }
  storeRow(n, stride, rowBase + 0u, colLeft, accLeft0, accRight0);
  storeRow(n, stride, rowBase + 1u, colLeft, accLeft1, accRight1);
  storeRow(n, stride, rowBase + 2u, colLeft, accLeft2, accRight2);
  storeRow(n, stride, rowBase + 3u, colLeft, accLeft3, accRight3);
  storeRow(n, stride, rowBase + 4u, colLeft, accLeft4, accRight4);
  storeRow(n, stride, rowBase + 5u, colLeft, accLeft5, accRight5);
  storeRow(n, stride, rowBase + 6u, colLeft, accLeft6, accRight6);
  storeRow(n, stride, rowBase + 7u, colLeft, accLeft7, accRight7);
  storeRow(n, stride, rowBase + 8u, colLeft, accLeft8, accRight8);
  storeRow(n, stride, rowBase + 9u, colLeft, accLeft9, accRight9);
  storeRow(n, stride, rowBase + 10u, colLeft, accLeft10, accRight10);
  storeRow(n, stride, rowBase + 11u, colLeft, accLeft11, accRight11);
  storeRow(n, stride, rowBase + 12u, colLeft, accLeft12, accRight12);
  storeRow(n, stride, rowBase + 13u, colLeft, accLeft13, accRight13);
  storeRow(n, stride, rowBase + 14u, colLeft, accLeft14, accRight14);
  storeRow(n, stride, rowBase + 15u, colLeft, accLeft15, accRight15);
}
