// C = A·B for square row-major float32 matrices, tiled through workgroup memory.
// A 16×16 workgroup computes a 64×64 block of C. For each step of 16 along k, it stages a 64×16 tile
// of A and a 16×64 tile of B in workgroup memory; each invocation then accumulates its own 4×4 piece
// of C in registers (four vec4 rows). Every value loaded from storage is reused 64 times (the naive
// kernel reuses none), and each barrier is paid for 16 outputs per invocation instead of one.
// Bindings match src/workloads/dot-product/gpu.ts (the naive kernel has the same ones).

struct Params {
  n: u32,
}

// Edge of the workgroup and of the k step.
const TILE: u32 = 16u;
// Outputs per invocation along each edge (the vec4 width).
const PER_INVOCATION: u32 = 4u;
// Edge of the block of C one workgroup computes: TILE × PER_INVOCATION.
const BLOCK: u32 = 64u;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> tileA: array<array<f32, 16>, 64>;       // [row in block][k in step]
var<workgroup> tileB: array<array<vec4<f32>, 16>, 16>; // [k in step][column group of 4 in block]

/** b[row][col], or zero past the matrix edge. */
fn loadB(row: u32, col: u32, n: u32) -> f32 {
  if (row < n && col < n) {
    return b[row * n + col];
  }
  return 0.0;
}

@compute @workgroup_size(16, 16)
fn matmul(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
  let n = params.n;
  let rowBase = group.y * BLOCK;
  let colBase = group.x * BLOCK;
  // This invocation's rows and columns of C: four of each, adjacent.
  let row0 = rowBase + PER_INVOCATION * local.y;
  let col0 = colBase + PER_INVOCATION * local.x;
  var sum0 = vec4<f32>(0.0);
  var sum1 = vec4<f32>(0.0);
  var sum2 = vec4<f32>(0.0);
  var sum3 = vec4<f32>(0.0);
  // Every invocation runs every step, even past the matrix edge, so the barriers stay uniform;
  // loads past the edge read as zero and add nothing.
  let steps = (n + TILE - 1u) / TILE;
  for (var s = 0u; s < steps; s++) {
    let k0 = s * TILE;
    // A: 64 rows × 16 k, four rows per invocation, neighbours on neighbouring addresses.
    for (var i = 0u; i < PER_INVOCATION; i++) {
      let aRow = rowBase + local.y + TILE * i;
      let aCol = k0 + local.x;
      var aValue = 0.0;
      if (aRow < n && aCol < n) {
        aValue = a[aRow * n + aCol];
      }
      tileA[local.y + TILE * i][local.x] = aValue;
    }
    // B: 16 k × 64 columns, one vec4 of adjacent columns per invocation.
    let bRow = k0 + local.y;
    tileB[local.y][local.x] = vec4<f32>(
      loadB(bRow, col0, n),
      loadB(bRow, col0 + 1u, n),
      loadB(bRow, col0 + 2u, n),
      loadB(bRow, col0 + 3u, n),
    );
    workgroupBarrier();
    let r = PER_INVOCATION * local.y;
    for (var k = 0u; k < TILE; k++) {
      let bValues = tileB[k][local.x];
      sum0 += tileA[r][k] * bValues;
      sum1 += tileA[r + 1u][k] * bValues;
      sum2 += tileA[r + 2u][k] * bValues;
      sum3 += tileA[r + 3u][k] * bValues;
    }
    workgroupBarrier();
  }
  let sums = array<vec4<f32>, 4>(sum0, sum1, sum2, sum3);
  for (var i = 0u; i < PER_INVOCATION; i++) {
    let row = row0 + i;
    for (var j = 0u; j < PER_INVOCATION; j++) {
      let col = col0 + j;
      if (row < n && col < n) {
        c[row * n + col] = sums[i][j];
      }
    }
  }
}
