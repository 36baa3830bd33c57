// C = A·B for square row-major float32 matrices, one invocation per element of C, reading A and B
// straight from storage: every element of A and B is fetched n times. The baseline for the tiled kernel.
// Bindings match src/workloads/dot-product/gpu.ts (the tiled kernel has the same ones).

struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(16, 16)
fn matmul(@builtin(global_invocation_id) id: vec3<u32>) {
  let n = params.n;
  let row = id.y;
  let col = id.x;
  // The grid is rounded up to whole workgroups: invocations past the edge have nothing to do.
  if (row >= n || col >= n) {
    return;
  }
  var sum = 0.0;
  for (var k = 0u; k < n; k++) {
    sum += a[row * n + k] * b[k * n + col];
  }
  c[row * n + col] = sum;
}
