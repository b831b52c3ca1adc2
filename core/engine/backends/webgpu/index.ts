/**
 * The WebGPU backend's entry point. Dawn is loaded on the first call (dynamic import inside
 * device.ts), so importing this module costs nothing on the CPU path.
 *
 * @example
 *   const gpu = await createWebGPUBackend();
 *   console.log(gpu.adapterInfo()); // { backend: 'vulkan', vendor: …, limits: { … } }
 *   // … use it as the engine's backend …
 *   gpu.destroy(); // the process can then exit
 */
import type { WebGPUDeviceOptions } from './device.js';
import type { WebGPUBackend, WebGPUBackendOptions } from './webgpu-backend.js';

export type { WebGPUBackend, WebGPUBackendOptions, WebGPUMemoryInfo } from './webgpu-backend.js';
export type { WebGPUDeviceOptions } from './device.js';

export type CreateWebGPUBackendOptions = WebGPUDeviceOptions & WebGPUBackendOptions;

/**
 * Opens the GPU and returns a backend on it. Throws "no WebGPU adapter found …" when no
 * adapter exists (no driver, or no Vulkan ICD on Linux).
 */
export async function createWebGPUBackend(options: CreateWebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  const [{ openDevice }, { WebGPUBackend }] = await Promise.all([
    import('./device.js'),
    import('./webgpu-backend.js'),
  ]);
  const { device, info } = await openDevice(options);
  return new WebGPUBackend(device, info, options);
}
