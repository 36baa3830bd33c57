/** Types of the module build/wasm-kernels-plugin.ts generates from wasm/kernels.ts at build time. */
declare module 'virtual:wasm-kernels' {
  /** The kernels built with plain 128-bit SIMD (f32x4.mul then f32x4.add): every SIMD browser runs it. */
  export const simd: Uint8Array<ArrayBuffer>;
  /** The same kernels built with relaxed SIMD (f32x4.relaxed_madd): faster where the browser validates it. */
  export const relaxedSimd: Uint8Array<ArrayBuffer>;
}
