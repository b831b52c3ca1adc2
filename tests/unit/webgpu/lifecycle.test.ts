/**
 * WebGPU backend lifecycle and memory: adapter info, lazy loading of Dawn, a clean exit after
 * destroy(), buffer pooling (flat live counts), batching of kernels into one submit, and the
 * errors for oversized storages and misused storages.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../core/engine/backends/cpu/cpu-backend.js';
import { openBackend, view } from './support.js';

const gpu = await openBackend('lifecycle.test.ts');
afterAll(() => gpu?.destroy());

describe.skipIf(!gpu)('webgpu lifecycle and memory', () => {
  const be = gpu!;

  it('reports the adapter: backend, vendor, device, description and limits', () => {
    const info = be.adapterInfo();
    expect(typeof info.backend).toBe('string');
    expect(info.description).toBeTypeOf('string');
    expect(info.limits?.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(info.limits?.maxComputeWorkgroupsPerDimension).toBeGreaterThanOrEqual(65535);
    expect(be.supportsFloat64).toBe(false);
  });

  it('loads Dawn only when asked, and the process exits by itself after destroy()', () => {
    const script = fileURLToPath(new URL('./fixtures/lifecycle.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.error, run.stderr).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('dawn loaded before the GPU was asked for: false');
    expect(run.stdout).toContain('dawn loaded after: true');
    expect(run.stdout).toContain('result 4');
  });

  it('keeps live storages and GPU buffers flat over many alloc/release cycles', async () => {
    const before = be.memory();
    let peakBuffers = 0;
    for (let step = 0; step < 200; step++) {
      const n = 100 + (step % 7) * 37;
      const x = be.full(n, 'float32', step);
      const y = be.unary('exp', view(x, [n]));
      const z = be.binary('mul', view(x, [n]), view(y, [n]));
      const s = be.reduce('sum', view(z, [n]), [0]);
      for (const t of [x, y, z, s]) be.release(t);
      if (step % 50 === 49) await be.read(view(be.full(1, 'float32', 0), [1])).then(() => undefined);
      peakBuffers = Math.max(peakBuffers, be.memory().pool.allocatedBuffers);
    }
    be.flush();
    const after = be.memory();
    // The four reads above each leave one storage: count them out.
    expect(after.liveStorages - before.liveStorages).toBe(4);
    expect(after.liveBytes - before.liveBytes).toBe(16);
    // Buffers are reused: a few dozen at most, not 800.
    expect(peakBuffers - before.pool.allocatedBuffers).toBeLessThan(60);
  });

  it('batches kernels: many dispatches, one submit per read', async () => {
    const before = be.memory();
    const x = be.full(1000, 'float32', 1);
    let y = x;
    for (let i = 0; i < 50; i++) {
      const next = be.unary('neg', view(y, [1000]));
      if (y !== x) be.release(y);
      y = next;
    }
    const got = await be.read(view(y, [3]));
    expect([...got]).toEqual([1, 1, 1]);
    const after = be.memory();
    expect(after.dispatches - before.dispatches).toBe(51);
    expect(after.submits - before.submits).toBe(1);
  });

  it('refuses storages larger than maxStorageBufferBindingSize with a clear error', () => {
    const limit = be.adapterInfo().limits!.maxStorageBufferBindingSize!;
    expect(() => be.full(limit / 4 + 1, 'float32', 0)).toThrow(
      /exceeds this adapter's maxStorageBufferBindingSize/,
    );
    expect(() => be.full(4, 'float64', 0)).toThrow(/float64 is not supported/);
  });

  it('refuses released storages and storages of another backend', async () => {
    const x = be.full(4, 'float32', 1);
    be.release(x);
    await expect(be.read(view(x, [4]))).rejects.toThrow(/used after release/);
    expect(() => be.release(x)).toThrow(/used after release/);
    const cpu = createCpuBackend();
    expect(() => be.unary('neg', view(cpu.full(4, 'float32', 1), [4]))).toThrow(/another backend/);
  });

  it('reads views with offsets and strides', async () => {
    const x = be.upload(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 'float32');
    expect([...(await be.read(view(x, [3], [1], 4)))]).toEqual([4, 5, 6]);
    expect([...(await be.read(view(x, [2, 2], [1, 4], 1)))]).toEqual([1, 5, 2, 6]);
    expect([...(await be.read(view(x, [0])))]).toEqual([]);
  });
});
