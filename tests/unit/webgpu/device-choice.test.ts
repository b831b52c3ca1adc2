/**
 * Choosing the device (core/lab/runs/device.ts) and what is reported about the adapter:
 * `cpu` never opens the GPU, `auto` takes the GPU only for a model big enough and only when an
 * adapter exists, `gpu` without an adapter is a clear error; the adapter's vendor,
 * architecture, backend and limits are filled in. Also the test support's rule that GPU tests
 * fail loudly in CI when no adapter exists.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AUTO_GPU_MIN_FLOPS_PER_SAMPLE, resolveDevice } from '../../../core/lab/runs/device.js';
import type { WebGPUBackend } from '../../../core/engine/backends/webgpu/index.js';
import { openBackend, runningInCI } from './support.js';

const gpu = await openBackend('device-choice.test.ts');
afterAll(() => gpu?.destroy());

/** Runs a fixture with node + tsx; resolves with its exit code and output. */
function runFixture(
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string; err: string }> {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { env, timeout: 60_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('device choice without touching the GPU', () => {
  const saved = process.env.NNLAB_DISABLE_GPU;
  afterEach(() => {
    if (saved === undefined) delete process.env.NNLAB_DISABLE_GPU;
    else process.env.NNLAB_DISABLE_GPU = saved;
  });

  it("'cpu' is the CPU whatever the model", async () => {
    const r = await resolveDevice('cpu', 1e12);
    expect(r).toMatchObject({ device: 'cpu', backend: null, backendName: 'cpu', adapter: null });
  });

  it("'auto' keeps a model under the threshold on the CPU and says why", async () => {
    const r = await resolveDevice('auto', AUTO_GPU_MIN_FLOPS_PER_SAMPLE - 1);
    expect(r.device).toBe('cpu');
    expect(r.backend).toBeNull();
    expect(r.reason).toContain(`under the ${AUTO_GPU_MIN_FLOPS_PER_SAMPLE}`);
  });

  it("with adapters hidden (NNLAB_DISABLE_GPU), 'auto' falls back and 'gpu' is an error naming why", async () => {
    process.env.NNLAB_DISABLE_GPU = '1';
    const auto = await resolveDevice('auto', AUTO_GPU_MIN_FLOPS_PER_SAMPLE * 10);
    expect(auto.device).toBe('cpu');
    expect(auto.reason).toMatch(/auto: no GPU could be opened .*NNLAB_DISABLE_GPU/);
    await expect(resolveDevice('gpu', 1)).rejects.toThrow(
      /device 'gpu' was asked for, but no GPU could be opened: .*NNLAB_DISABLE_GPU/,
    );
  });
});

describe('the GPU tests fail loudly in CI', () => {
  const noAdapter = () => Promise.reject<WebGPUBackend>(new Error('no WebGPU adapter found (test)'));

  it('recognises CI from the CI variable', () => {
    expect(runningInCI({ CI: 'true' })).toBe(true);
    expect(runningInCI({ CI: '1' })).toBe(true);
    expect(runningInCI({})).toBe(false);
    expect(runningInCI({ CI: 'false' })).toBe(false);
    expect(runningInCI({ CI: '0' })).toBe(false);
  });

  it('throws in CI and skips with a printed reason elsewhere', async () => {
    vi.stubEnv('CI', 'true');
    try {
      await expect(openBackend('x.test.ts', noAdapter)).rejects.toThrow(
        /WebGPU tests cannot run in CI: no WebGPU adapter found/,
      );
      vi.stubEnv('CI', '');
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      await expect(openBackend('x.test.ts', noAdapter)).resolves.toBeNull();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/\[x\.test\.ts\] WebGPU tests SKIPPED/));
      warn.mockRestore();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  // Hiding every Vulkan driver takes away the adapter for real; that only works where Dawn
  // looks for Vulkan (Linux).
  it.skipIf(process.platform !== 'linux')(
    'with no Vulkan driver at all: CI tests throw, gpu is a clear error, auto falls back',
    async () => {
      const run = await runFixture('no-adapter.ts', {
        ...process.env,
        CI: 'true',
        VK_ICD_FILENAMES: '/nonexistent/nnlab-no-driver.json',
        NNLAB_DISABLE_GPU: '',
      });
      expect(run.code, run.err).toBe(0);
      const report = JSON.parse(run.out.trim().split('\n').at(-1)!) as Record<string, string>;
      expect(report.openBackend).toMatch(/^threw WebGPU tests cannot run in CI: no WebGPU adapter found/);
      expect(report.gpu).toMatch(
        /^threw device 'gpu' was asked for, but no GPU could be opened: no WebGPU adapter found .*use device 'cpu'/,
      );
      expect(report.auto).toMatch(/"device":"cpu".*auto: no GPU could be opened/);
    },
  );
});

describe.skipIf(!gpu)('device choice with an adapter', () => {
  it('reports the adapter: backend, vendor, architecture, description and limits', () => {
    const info = gpu!.adapterInfo();
    expect(info.backend).toMatch(/^[a-z0-9]+$/);
    if (process.platform === 'linux') expect(info.backend).toBe('vulkan');
    for (const key of ['vendor', 'architecture', 'device', 'description'] as const) {
      expect(info[key], key).toBeTypeOf('string');
    }
    // Drivers may leave one of these empty, never both.
    expect(`${info.vendor}${info.description}`.length).toBeGreaterThan(0);
    const limits = info.limits!;
    for (const name of [
      'maxStorageBufferBindingSize',
      'maxBufferSize',
      'maxComputeWorkgroupStorageSize',
      'maxComputeInvocationsPerWorkgroup',
      'maxComputeWorkgroupSizeX',
      'maxComputeWorkgroupsPerDimension',
      'maxStorageBuffersPerShaderStage',
      'minStorageBufferOffsetAlignment',
    ]) {
      expect(limits[name], name).toBeGreaterThan(0);
      expect(Number.isInteger(limits[name]), name).toBe(true);
    }
    // WebGPU's guaranteed minimums: an adapter reporting less is misread.
    expect(limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(limits.maxComputeWorkgroupsPerDimension).toBeGreaterThanOrEqual(65535);
  });

  it("'auto' takes the GPU for a model at the threshold, and 'gpu' always; both report the adapter", async () => {
    for (const [choice, flops] of [
      ['auto', AUTO_GPU_MIN_FLOPS_PER_SAMPLE],
      ['gpu', 1],
    ] as const) {
      const r = await resolveDevice(choice, flops);
      try {
        expect(r.device).toBe('gpu');
        expect(r.backendName).toBe('webgpu');
        expect(r.backend?.name).toBe('webgpu');
        expect(r.reason).toContain(choice === 'auto' ? 'auto: a GPU adapter exists' : 'device gpu');
        expect(r.adapter).toMatchObject({
          backend: gpu!.adapterInfo().backend,
          vendor: gpu!.adapterInfo().vendor,
        });
      } finally {
        (r.backend as WebGPUBackend | null)?.destroy();
      }
    }
  });
});
