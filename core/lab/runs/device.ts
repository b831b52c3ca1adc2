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
