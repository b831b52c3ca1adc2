/**
 * Opening a WebGPU device through Dawn's native Node binding (the `webgpu` package). This is
 * the only file that loads Dawn, and it does so lazily (dynamic import), so a process that
 * never asks for the GPU never loads the native module.
 */
import type { AdapterInfo } from '../backend.js';

export interface WebGPUDeviceOptions {
  /**
   * Dawn toggles passed to `create()`. Defaults to `['backend=vulkan']` on Linux (Dawn then
   * finds a Vulkan driver: a GPU's, or Mesa's lavapipe on the CPU) and `[]` elsewhere.
   */
  readonly dawnOptions?: readonly string[];
  /** 'high-performance' (defaults to) or 'low-power'. */
  readonly powerPreference?: GPUPowerPreference;
}

export interface OpenedDevice {
  readonly device: GPUDevice;
  readonly info: AdapterInfo;
}

/** The limits worth reporting and the ones the backend asks the adapter for in full. */
const reportedLimits = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'minUniformBufferOffsetAlignment',
  'minStorageBufferOffsetAlignment',
] as const;

const requestedLimits = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
] as const;

let dawn: Promise<GPU> | null = null;

/** Loads Dawn once per process and creates its GPU object with the given toggles. */
async function loadDawn(options: readonly string[]): Promise<GPU> {
  if (!dawn) {
    dawn = import('webgpu').then(({ create, globals }) => {
      // GPUBufferUsage, GPUMapMode … are globals in the browser; Dawn hands them over here.
      Object.assign(globalThis, globals);
      return create([...options]);
    });
  }
  return dawn;
}

function defaultDawnOptions(): string[] {
  return process.platform === 'linux' ? ['backend=vulkan'] : [];
}

/** Requests an adapter and a device with the adapter's full buffer limits. */
export async function openDevice(options: WebGPUDeviceOptions = {}): Promise<OpenedDevice> {
  const dawnOptions = options.dawnOptions ?? defaultDawnOptions();
  const gpu = await loadDawn(dawnOptions);
  const adapter = await gpu.requestAdapter({
    powerPreference: options.powerPreference ?? 'high-performance',
  });
  if (!adapter) {
    const tried = dawnOptions.some((o) => o.includes('vulkan')) ? 'Vulkan' : 'the platform default';
    throw new Error(`no WebGPU adapter found (tried ${tried}); install a Vulkan driver or use device 'cpu'`);
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of requestedLimits) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ requiredLimits });
  device.lost.then((reason) => {
    if (reason.reason !== 'destroyed') {
      console.error(`webgpu: device lost (${reason.reason}): ${reason.message}`);
    }
  });
  const limits: Record<string, number> = {};
  for (const name of reportedLimits) limits[name] = device.limits[name];
  const backendToggle = dawnOptions.find((o) => o.startsWith('backend='));
  const info: AdapterInfo = {
    backend: backendToggle ? backendToggle.slice('backend='.length) : 'default',
    vendor: adapter.info.vendor,
    architecture: adapter.info.architecture,
    device: adapter.info.device,
    description: adapter.info.description,
    limits,
  };
  return { device, info };
}
