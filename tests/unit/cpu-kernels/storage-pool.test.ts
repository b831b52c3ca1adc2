/**
 * The CPU backend's buffer pool: a released buffer is handed out again for the same dtype and
 * length, zeroed, and kernels that accumulate into their output (col2im, scatterAdd, sums)
 * give the same results on reused buffers as on fresh ones.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { StoragePool } from '../../../core/engine/backends/cpu/storage-pool.js';

describe('StoragePool', () => {
  it('reuses released buffers of the same dtype and length, zeroed', () => {
    const pool = new StoragePool();
    const a = pool.take('float32', 4096);
    a.fill(7);
    pool.give(a, 'float32');
    expect(pool.pooledBytes).toBe(4096 * 4);
    expect(pool.take('int32', 4096)).not.toBe(a);
    expect(pool.take('float32', 4097)).not.toBe(a);
    const again = pool.take('float32', 4096);
    expect(again).toBe(a);
    expect(again.every((v) => v === 0)).toBe(true);
    expect(pool.pooledBytes).toBe(0);
  });

  it('leaves small arrays, subarray views and what exceeds its capacity to the garbage collector', () => {
    const pool = new StoragePool(10_000 * 4);
    pool.give(new Float32Array(100), 'float32');
    pool.give(new Float32Array(8192).subarray(0, 4096), 'float32');
    expect(pool.pooledBytes).toBe(0);
    pool.give(new Float32Array(8000), 'float32');
    pool.give(new Float32Array(8000), 'float32');
    expect(pool.pooledBytes).toBe(8000 * 4);
    pool.clear();
    expect(pool.pooledBytes).toBe(0);
  });

  it('accumulating kernels give the same values on reused buffers as on fresh ones', () => {
    const rng = new nn.Random(3);
    const images = nn.tensor(
      Float32Array.from({ length: 2 * 12 * 12 * 8 }, () => rng.normal()),
      [2, 12, 12, 8],
    );
    const filter = nn.tensor(
      Float32Array.from({ length: 3 * 3 * 8 * 4 }, () => rng.normal()),
      [3, 3, 8, 4],
    );
    const run = () =>
      nn.tidy(() => {
        const x = nn.variable(images);
        const { value, grads } = nn.valueAndGrad(
          () => nn.sum(nn.square(nn.conv2d(x, filter, { padding: 'same' }))),
          [x],
        );
        const updates = nn.tensor(
          Float32Array.from({ length: 3000 }, (_, i) => i % 7),
          [3000, 1],
        );
        const scattered = nn.scatterAdd(
          updates,
          nn.tensor(Int32Array.from({ length: 3000 }, (_, i) => i % 1500)),
          0,
          1500,
        );
        return [value.item(), Array.from(grads[0]!.dataSync()), Array.from(scattered.dataSync())] as const;
      });
    const first = run();
    // Fill the pool with garbage of every size the run uses, then run again.
    const garbage = [nn.full([2, 12, 12, 8], 123), nn.full([2 * 144, 72], -5), nn.full([1500, 1], 9)];
    garbage.push(nn.full([2, 12, 12, 8], 1), nn.full([2 * 144, 72], 2), nn.full([1500, 1], 3));
    nn.dispose(garbage);
    const second = run();
    expect(second).toEqual(first);
    nn.dispose([images, filter]);
  });
});
