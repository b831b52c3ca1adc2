/**
 * ByteRows on the WebGPU backend: the gather-bytes kernel unpacks rows of any length (5 bytes,
 * straddling words; 784, an image) from any first row, scaled in float32 as the CPU scales in
 * double; an out-of-range row gives `shift` (no read-back to throw from).
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { ByteRows } from '../../../core/engine/train/index.js';
import { mismatch, openBackend } from './support.js';

const gpu = await openBackend('byte-rows.test.ts');
afterAll(() => gpu?.destroy());

function bytes(n: number): Uint8Array {
  const rng = new nn.Random(11);
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

describe.skipIf(!gpu)('ByteRows on the WebGPU backend', () => {
  for (const [rows, rowLength] of [
    [9, 5],
    [300, 784],
  ] as const) {
    it(`gathers rows of ${rowLength} bytes from a view starting at row 3`, async () => {
      const data = bytes(rows * rowLength);
      const scale = 1 / 255;
      const shift = -0.5;
      const x = nn.withBackend(gpu!, () => ByteRows.upload(data, [rows, rowLength], { scale, shift }));
      const order = [rows - 4, 0, 2, 2, 1];
      const got = await nn.withBackend(gpu!, () => {
        const t = nn.tidy(() => x.rows(3, rows - 3).gather(nn.tensor(Int32Array.from(order))));
        return t.data().finally(() => t.dispose());
      });
      const expected = order.flatMap((r) =>
        Array.from(data.subarray((r + 3) * rowLength, (r + 4) * rowLength), (b) => b * scale + shift),
      );
      // Absolute 1e-6: scaling and shifting in float32 leaves ~3e-8 near 0, where they cancel.
      expect(mismatch(got, expected, 1e-6, 1)).toBeNull();
      x.dispose();
    });
  }

  it('gives shift for a row index out of range', async () => {
    const live = gpu!.memory().liveStorages;
    const x = nn.withBackend(gpu!, () => ByteRows.upload(bytes(12), [4, 3], { shift: 7 }));
    const got = await nn.withBackend(gpu!, () => {
      const t = nn.tidy(() => x.gather(nn.tensor(Int32Array.from([4, -1]))));
      return t.data().finally(() => t.dispose());
    });
    expect(Array.from(got)).toEqual([7, 7, 7, 7, 7, 7]);
    x.dispose();
    expect(gpu!.memory().liveStorages).toBe(live);
  });
});
