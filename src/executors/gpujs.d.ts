/**
 * The part of gpu.js's browser build that the lab uses. The package's own typings describe its Node entry
 * (and pull in DOM and WebGL types that workers do not have), so the bundled browser file gets this instead.
 */
declare module 'gpu.js/dist/gpu-browser.js' {
  /** A compiled kernel as gpu.js returns it: callable, with the backend that actually runs it on `.kernel`. */
  export interface GpuJsKernelRun {
    (...args: unknown[]): unknown;
    kernel: object & { fallbackReason?: string | null };
  }

  /** Settings of `gpu.createKernel` that the lab passes. */
  export interface GpuJsKernelSettings {
    output: number[];
    constants?: Record<string, number>;
    loopMaxIterations?: number;
    precision?: 'single' | 'unsigned';
    tactic?: 'speed' | 'balanced' | 'precision';
    dynamicOutput?: boolean;
  }

  export interface GpuJsInstance {
    mode: string;
    createKernel(source: string, settings: GpuJsKernelSettings): GpuJsKernelRun;
    destroy(): Promise<void>;
  }

  /** Kernel classes, exported so the running backend can be told by instanceof (names do not survive minifying). */
  export interface GpuJsStatic {
    new (settings?: { mode?: string }): GpuJsInstance;
    readonly isGPUSupported: boolean;
    readonly isWebGL2Supported: boolean;
    readonly isWebGPUSupported: boolean;
    input(value: Float32Array, size: number[]): unknown;
    GPU: GpuJsStatic;
    WebGPUKernel: abstract new (...args: never[]) => object;
    WebGL2Kernel: abstract new (...args: never[]) => object;
    WebGLKernel: abstract new (...args: never[]) => object;
    HeadlessGLKernel: abstract new (...args: never[]) => object;
    WebAssemblyKernel: abstract new (...args: never[]) => object;
    CPUKernel: abstract new (...args: never[]) => object;
  }

  const GPU: GpuJsStatic;
  export default GPU;
}
