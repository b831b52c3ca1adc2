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

  it('a batched matmul of more matrices than one grid dimension holds runs, spread over y', async () => {
    const batch = limits().maxComputeWorkgroupsPerDimension! + 3;
    const a = Float32Array.from({ length: batch * 2 * 3 }, (_, i) => ((i * 7) % 11) - 5);
    const b = Float32Array.from({ length: batch * 3 * 2 }, (_, i) => ((i * 5) % 13) - 6);
    const got = await nn.withBackend(be, async () => {
      const product = nn.tidy(() => nn.matmul(nn.tensor(a, [batch, 2, 3]), nn.tensor(b, [batch, 3, 2])));
      expect(product.backend).toBe(be);
      const values = (await product.data()) as Float32Array;
      product.dispose();
      return values;
    });
    // Every matrix, the last slice's included, against the product computed here.
    for (const z of [0, 1, 65534, 65535, batch - 1]) {
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          let expected = 0;
          for (let k = 0; k < 3; k++) expected += a[z * 6 + i * 3 + k]! * b[z * 6 + k * 2 + j]!;
          expect(got[z * 4 + i * 2 + j]).toBe(expected);
        }
      }
    }
  });
});
