// C = A·B for square row-major float32 matrices, register-tiled: each invocation accumulates a block of
// ROWS_PER_INVOCATION rows × 4 columns of C in registers (one vec4 per row), fed from vec4 tiles of A and B
// that the whole workgroup stages in workgroup memory with cooperative loads, one barrier pair per step
// along k. A staged value of A serves WORKGROUP_COLUMNS invocations, one of B WORKGROUP_ROWS; a value read
// from workgroup memory serves 4 (A) or ROWS_PER_INVOCATION (B) multiply-adds.
//
// Layout: every matrix is stored with rows padded to whole vec4s (ceil(n / 4) vec4s per row), the padding
// zero, so a vec4 that starts inside a row never reaches into the next one. Loads past the last row, or
// past the padded row, read as zero, and stores there are skipped: any n ≥ 1 works.
//
// The tile shape below is one of several: src/workloads/dot-product/gpu.ts rewrites the four shape
// constants to build each candidate and keeps the fastest at set-up (a software GPU that pays dearly for
// each barrier wants few, busy invocations; one that vectorises across invocations wants many). Bindings
// match that file too (the other dot-product kernels have the same ones, over arrays of f32).

struct Params {
  n: u32,
}

// Invocations along a row of the workgroup: each owns one vec4 column of the block of C.
const WORKGROUP_COLUMNS: u32 = 16u;
// Invocations along a column of the workgroup: each owns ROWS_PER_INVOCATION adjacent rows.
const WORKGROUP_ROWS: u32 = 16u;
// Rows of C per invocation, one vec4 accumulator each.
const ROWS_PER_INVOCATION: u32 = 4u;
// Length of one step along k: a BLOCK_ROWS × TILE_K tile of A and a TILE_K × (4 · WORKGROUP_COLUMNS) tile of B.
const TILE_K: u32 = 16u;

const VEC: u32 = 4u;
const BLOCK_ROWS: u32 = WORKGROUP_ROWS * ROWS_PER_INVOCATION;
const TILE_K_VECTORS: u32 = TILE_K / VEC;
const INVOCATIONS: u32 = WORKGROUP_COLUMNS * WORKGROUP_ROWS;
// vec4 loads each invocation makes per step; gpu.ts only builds shapes where these divide exactly.
const A_LOADS: u32 = BLOCK_ROWS * TILE_K_VECTORS / INVOCATIONS;
const B_LOADS: u32 = TILE_K * WORKGROUP_COLUMNS / INVOCATIONS;

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> tileA: array<array<vec4<f32>, TILE_K_VECTORS>, BLOCK_ROWS>;  // [row in block][k / 4 in step]
var<workgroup> tileB: array<array<vec4<f32>, WORKGROUP_COLUMNS>, TILE_K>;   // [k in step][column / 4 in block]

@compute @workgroup_size(WORKGROUP_COLUMNS, WORKGROUP_ROWS)
fn matmul(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_id) local: vec3<u32>,
  @builtin(local_invocation_index) index: u32,
) {
  let n = params.n;
  let stride = (n + VEC - 1u) / VEC;
  let rowBase = group.y * BLOCK_ROWS;
  let vectorBase = group.x * WORKGROUP_COLUMNS;
  // Zero-initialised; indexed only by loops with constant bounds, which compilers unroll into registers.
  var acc: array<vec4<f32>, ROWS_PER_INVOCATION>;
  let localRow = ROWS_PER_INVOCATION * local.y;
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
      let tileRow = slot / WORKGROUP_COLUMNS;
      let tileVector = slot % WORKGROUP_COLUMNS;
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
      // Four rows of the B tile (k .. k + 3) at this invocation's four columns...
      let k = VEC * kVector;
      let b0 = tileB[k][local.x];
      let b1 = tileB[k + 1u][local.x];
      let b2 = tileB[k + 2u][local.x];
      let b3 = tileB[k + 3u][local.x];
      // ...times A at (row, k .. k + 3), one vec4 per row: four multiply-adds of vec4 per load.
      for (var i = 0u; i < ROWS_PER_INVOCATION; i++) {
        let aValues = tileA[localRow + i][kVector];
        acc[i] += b0 * aValues.x + b1 * aValues.y + b2 * aValues.z + b3 * aValues.w;
      }
    }
    workgroupBarrier();
  }
  let col = vectorBase + local.x;
  for (var i = 0u; i < ROWS_PER_INVOCATION; i++) {
    let row = rowBase + localRow + i;
    if (row < n && col < stride) {
      c[row * stride + col] = acc[i];
    }
  }
}
