// Which device a trainer uses. Runs in the trainer process (it owns the GPU), never the host.
import type { Backend } from '../../engine/index.js';

export interface ResolvedDevice {
  device: 'cpu' | 'gpu';
  /** The backend to switch to; null keeps the engine's default CPU backend. */
  backend: Backend | null;
  backendName: string;
  /** The GPU adapter's description, for the run's reproducibility record. */
  adapter: Record<string, unknown> | null;
  /** Why `auto` chose what it chose (a diagnostic for the run). */
  reason: string;
}

/**
 * `auto` picks the GPU only when an adapter exists and the model does at least this many
 * multiply-adds per sample (≈ its weight count for dense layers): below it, dispatch and
 * read-back overheads outweigh the GPU's throughput and the CPU backend is faster.
 */
export const AUTO_GPU_MIN_FLOPS_PER_SAMPLE = 1_000_000;

interface WebGPUModule {
  createWebGPUBackend?: () => Promise<Backend>;
}

/** Loads the WebGPU backend when this build has one; the specifier is a variable so builds without it still compile. */
async function loadWebGPU(): Promise<WebGPUModule | null> {
  const specifier = '../../engine/backends/webgpu/index.js';
  try {
    return (await import(specifier)) as WebGPUModule;
  } catch {
    return null;
  }
}

/**
 * The backend for a run. Setting `NNLAB_DISABLE_GPU` in the environment hides every adapter. `gpu` with no WebGPU backend or no adapter throws an error that says
 * which, so the run fails with it; `auto` falls back to the CPU and says why.
 * @param flopsPerSample the model's multiply-adds per sample (trainable parameters as a proxy).
 */
export async function resolveDevice(
  choice: 'auto' | 'cpu' | 'gpu',
  flopsPerSample: number,
): Promise<ResolvedDevice> {
  const cpu = (reason: string): ResolvedDevice => ({
    device: 'cpu',
    backend: null,
    backendName: 'cpu',
    adapter: null,
    reason,
  });
  if (choice === 'cpu') return cpu('device cpu was asked for');
  if (choice === 'auto' && flopsPerSample < AUTO_GPU_MIN_FLOPS_PER_SAMPLE) {
    return cpu(
      `auto: the model does ${Math.round(flopsPerSample)} multiply-adds per sample, under the ` +
        `${AUTO_GPU_MIN_FLOPS_PER_SAMPLE} where the GPU starts to pay off`,
    );
  }
  const webgpu = await loadWebGPU();
  if (!webgpu?.createWebGPUBackend) {
    if (choice === 'gpu') {
      throw new Error(
        "device 'gpu' was asked for, but this NN Lab build has no WebGPU backend; use device 'cpu' or 'auto'",
      );
    }
    return cpu('auto: this build has no WebGPU backend');
  }
  try {
    if (process.env.NNLAB_DISABLE_GPU) throw new Error('no WebGPU adapter (NNLAB_DISABLE_GPU is set)');
    const backend = await webgpu.createWebGPUBackend();
    const { limits: _limits, ...info } = backend.adapterInfo();
    return {
      device: 'gpu',
      backend,
      backendName: backend.name,
      adapter: { ...info },
      reason:
        choice === 'gpu'
          ? 'device gpu was asked for'
          : 'auto: a GPU adapter exists and the model is large enough',
    };
  } catch (error) {
    if (choice === 'gpu') {
      throw new Error(`device 'gpu' was asked for, but no GPU could be opened: ${(error as Error).message}`);
    }
    return cpu(`auto: no GPU could be opened (${(error as Error).message})`);
  }
}

/** What the device picker shows: the GPU adapter the trainer would get, or why there is none. */
export interface DeviceReport {
  gpu:
    | {
        available: true;
        /** Dawn's backend (vulkan, metal, d3d12, …) and the engine backend that drives it. */
        backend: string;
        engineBackend: string;
        vendor: string;
        architecture: string;
        device: string;
        description: string;
        /** A CPU emulating a GPU (Mesa's lavapipe/llvmpipe, SwiftShader): works, but no faster than the CPU backend. */
        software: boolean;
        limits: Record<string, number>;
      }
    | { available: false; reason: string };
  /** The CPU side: logical cores and their model name. */
  cpu: { cores: number; model: string };
  /** Unix epoch milliseconds when it was probed. */
  detectedAt: number;
}

/**
 * Opens the GPU as a trainer would (then releases it) and describes it. Runs in a trainer
 * process (the host never opens the GPU: see ARCHITECTURE.md on Electron's memory cage).
 */
export async function detectDevice(): Promise<DeviceReport> {
  const { availableParallelism, cpus } = await import('node:os');
  const cpu = { cores: availableParallelism(), model: cpus()[0]?.model.trim() ?? 'unknown' };
  const detectedAt = Date.now();
  if (process.env.NNLAB_DISABLE_GPU) {
    return {
      cpu,
      detectedAt,
      gpu: { available: false, reason: 'NNLAB_DISABLE_GPU is set: adapters are hidden' },
    };
  }
  const webgpu = await loadWebGPU();
  if (!webgpu?.createWebGPUBackend) {
    return { cpu, detectedAt, gpu: { available: false, reason: 'this NN Lab build has no WebGPU backend' } };
  }
  let backend: Backend | null = null;
  try {
    backend = await webgpu.createWebGPUBackend();
    const info = backend.adapterInfo() as unknown as Record<string, unknown>;
    const limits: Record<string, number> = {};
    for (const [key, value] of Object.entries((info.limits ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'number' && Number.isFinite(value)) limits[key] = value;
    }
    const text = (key: string) => (typeof info[key] === 'string' ? (info[key] as string) : '');
    return {
      cpu,
      detectedAt,
      gpu: {
        available: true,
        backend: text('backend'),
        engineBackend: backend.name,
        vendor: text('vendor'),
        architecture: text('architecture'),
        device: text('device'),
        description: text('description'),
        software: /llvmpipe|lavapipe|swiftshader|software/i.test(
          `${text('architecture')} ${text('device')} ${text('description')}`,
        ),
        limits,
      },
    };
  } catch (error) {
    return {
      cpu,
      detectedAt,
      gpu: { available: false, reason: `no GPU could be opened: ${(error as Error).message}` },
    };
  } finally {
    (backend as { destroy?: () => void } | null)?.destroy?.();
  }
}
