/** The WebGPU device an experiment shares, with feature detection and device-loss handling. */

/** Throws a user-facing reason when WebGPU cannot be used; returns an adapter otherwise. */
export async function assertWebGpuAdapter(): Promise<GPUAdapter> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) {
    throw new Error(
      globalThis.isSecureContext === false
        ? 'WebGPU needs a secure context (https or localhost).'
        : 'WebGPU is not available in this browser (navigator.gpu is missing).',
    );
  }
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('WebGPU is present but no adapter was found (no usable GPU or driver, or it is blocklisted).');
  return adapter;
}

/**
 * Creates the device on first use. A lost device is forgotten, so the next configuration gets a fresh one,
 * and the loss is reported as the reason the running configuration failed.
 */
export class GpuDeviceHolder {
  private device: Promise<GPUDevice> | undefined;
  /** Why the last device was lost, if it was. */
  lostReason: string | undefined;

  get(): Promise<GPUDevice> {
    this.device ??= this.create();
    // A failed creation is not cached: the next caller tries again and gets its own reason.
    this.device.catch(() => (this.device = undefined));
    return this.device;
  }

  private async create(): Promise<GPUDevice> {
    const adapter = await assertWebGpuAdapter();
    const device = await adapter.requestDevice({
      // Large storage buffers for big arrays and matrices, up to what this adapter allows.
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
      // Optional: kernels time themselves on the GPU's clock only where the adapter offers it (see webgpu.ts).
      requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    });
    this.lostReason = undefined;
    void device.lost.then((info) => {
      this.lostReason = `The GPU device was lost (${info.reason}): ${info.message || 'no message'}`;
      this.device = undefined;
    });
    return device;
  }

  /** Destroy the device, if any; the experiment is over. */
  async destroy(): Promise<void> {
    const pending = this.device;
    this.device = undefined;
    if (pending) (await pending.catch(() => undefined))?.destroy();
  }
}
