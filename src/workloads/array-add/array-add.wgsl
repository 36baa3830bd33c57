// c = a + b, element-wise in float32: the post's NumPy `a + b` on the GPU.
// Four elements per step as vec4 (16-byte loads and stores: the work is all memory traffic). The
// buffers are padded to a whole number of vec4s; the padding holds zeros and is never read back.
// Bindings match src/workloads/array-add/gpu.ts.

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;

// A grid-stride loop: the dispatch is capped (MAX_WORKGROUPS in gpu.ts), so on a long array each
// invocation handles several vec4s, a whole grid apart.
@compute @workgroup_size(256)
fn add(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let count = arrayLength(&c);
  let stride = groups.x * 256u;
  for (var i = id.x; i < count; i += stride) {
    c[i] = a[i] + b[i];
  }
}
