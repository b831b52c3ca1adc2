/**
 * Requests past the adapter's limits, through the engine's ops: a result larger than
 * maxStorageBufferBindingSize, an upload of that size, and a dispatch grid wider than
 * maxComputeWorkgroupsPerDimension each fail with an error naming the op and the limit, leak
 * no storage, and leave the backend working.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { openBackend } from './support.js';

const gpu = await openBackend('limits.test.ts');
afterAll(() => gpu?.destroy());

describe.skipIf(!gpu)('requests past the adapter limits', () => {
  const be = gpu!;
  const limits = () => be.adapterInfo().limits!;

  /** Runs `fn` on the GPU; checks it throws `pattern`, frees what it made, and the backend still works. */
  async function expectLimitError(fn: () => unknown, pattern: RegExp): Promise<void> {
    await nn.withBackend(be, async () => {
      const before = be.memory().liveStorages;
      expect(() => nn.tidy(() => fn())).toThrow(pattern);
      expect(be.memory().liveStorages, 'storages leaked by the failed op').toBe(before);
      const check = nn.tidy(() => nn.add(nn.tensor(Float32Array.from([1, 2]), [2]), 1));
      expect([...(await check.data())]).toEqual([2, 3]);
      check.dispose();
      expect(be.memory().liveStorages).toBe(before);
    });
  }

  it('reports the binding and buffer limits', () => {
    expect(limits().maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(limits().maxBufferSize).toBeGreaterThanOrEqual(limits().maxStorageBufferBindingSize!);
  });

  it('a matmul whose result exceeds maxStorageBufferBindingSize names matmul and the limit', async () => {
    const elements = limits().maxStorageBufferBindingSize! / 4;
    const rows = Math.ceil(elements / 4096) + 1;
    await expectLimitError(
      () => nn.matmul(nn.ones([rows, 1]), nn.ones([1, 4096])),
      /matmul.*maxStorageBufferBindingSize/,
    );
  });

  it('a broadcast add past the limit names add and the limit', async () => {
    const elements = limits().maxStorageBufferBindingSize! / 4;
    const rows = Math.ceil(elements / 4096) + 1;
    await expectLimitError(
      () => nn.add(nn.ones([rows, 1]), nn.ones([1, 4096])),
      /add.*maxStorageBufferBindingSize/,
    );
  });

  // The host array must be as large as the limit: on GPUs with a 2–4 GiB limit that is too much
  // memory for a unit test, so this runs where the limit is at most 1 GiB (lavapipe: 128 MiB).
  const smallLimit = (gpu?.adapterInfo().limits?.maxStorageBufferBindingSize ?? Infinity) <= 2 ** 30;
  it.skipIf(!smallLimit)('an upload past the limit names the upload and the limit', async () => {
    const data = new Float32Array(limits().maxStorageBufferBindingSize! / 4 + 4);
    await expectLimitError(() => nn.tensor(data, [data.length]), /upload.*maxStorageBufferBindingSize/);
  });

  it('a batched matmul needing more workgroups than one grid dimension allows names the limit', async () => {
    const batch = limits().maxComputeWorkgroupsPerDimension! + 1;
    await expectLimitError(
      () => nn.matmul(nn.ones([batch, 1, 1]), nn.ones([batch, 1, 1])),
      /matmul.*(maxComputeWorkgroupsPerDimension|per dimension)/,
    );
  });
});
