/**
 * The native float32 LSTM and GRU forward passes (native/src/recurrent_cells.cc) against the
 * double-precision TypeScript kernels they replace, on contiguous and strided views: libm's
 * expf and tanhf keep every output within a few float32 ulps. And they refuse views that reach
 * outside their arrays.
 */
import { describe, expect, it } from 'vitest';
import { gruCellTypescript } from '../../../core/engine/backends/cpu/gru-cell.js';
import type { Matrix } from '../../../core/engine/backends/cpu/cell-math.js';
import { lstmCellTypescript } from '../../../core/engine/backends/cpu/lstm-cell.js';
import { loadNativeKernels } from '../../../core/engine/backends/cpu/native-loader.js';

const native = loadNativeKernels();

function values(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 31 - 1) * scale;
  });
}

describe.skipIf(native === null)('native LSTM cell forward', () => {
  it.each([
    ['contiguous', false],
    ['strided (transposed views)', true],
  ])('matches the double-precision kernel within a few ulps: %s', (_label, transposed) => {
    const [B, U] = [5, 37];
    // Gate values up to ±12 reach both saturated ends of σ and tanh.
    const zData = values(B * 4 * U, 1, 12);
    const cData = values(B * U, 2, 3);
    const z: Matrix = transposed
      ? { data: zData, offset: 0, row: 1, col: B }
      : { data: zData, offset: 0, row: 4 * U, col: 1 };
    const c: Matrix = transposed
      ? { data: cData, offset: 0, row: 1, col: B }
      : { data: cData, offset: 0, row: U, col: 1 };
    const [outTs, gatesTs] = [new Float32Array(B * 2 * U), new Float32Array(B * 5 * U)];
    const [outNative, gatesNative] = [new Float32Array(B * 2 * U), new Float32Array(B * 5 * U)];
    lstmCellTypescript(outTs, gatesTs, z, c, B, U);
    native!.lstmCellForward(
      outNative,
      gatesNative,
      zData,
      z.offset,
      z.row,
      z.col,
      cData,
      c.offset,
      c.row,
      c.col,
      B,
      U,
    );
    for (const [a, b] of [
      [outNative, outTs],
      [gatesNative, gatesTs],
    ] as const) {
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(4e-7 * Math.max(1, Math.abs(b[i]!)));
    }
  });

  it('refuses views outside their arrays and short outputs', () => {
    const z = new Float32Array(8);
    const c = new Float32Array(2);
    const [out, gates] = [new Float32Array(4), new Float32Array(10)];
    expect(() => native!.lstmCellForward(out, gates, z, 0, 4, 1, c, 0, 1, 1, 2, 1)).not.toThrow();
    expect(() => native!.lstmCellForward(out, gates, z, 1, 4, 1, c, 0, 1, 1, 2, 1)).toThrow(
      /reaches outside its array/,
    );
    expect(() => native!.lstmCellForward(out, gates, z, 0, 4, 1, c, 0, 2, 1, 2, 1)).toThrow(
      /reaches outside its array/,
    );
    expect(() => native!.lstmCellForward(out.subarray(1), gates, z, 0, 4, 1, c, 0, 1, 1, 2, 1)).toThrow(
      /shorter/,
    );
  });

  it.each([
    ['contiguous', false],
    ['strided (transposed views)', true],
  ])('GRU matches the double-precision kernel within a few ulps: %s', (_label, transposed) => {
    const [B, U] = [6, 29];
    const [xData, recData, hData] = [values(B * 3 * U, 3, 8), values(B * 3 * U, 4, 6), values(B * U, 5, 1)];
    const view = (data: Float32Array, width: number): Matrix =>
      transposed ? { data, offset: 0, row: 1, col: B } : { data, offset: 0, row: width, col: 1 };
    const [x, rec, h] = [view(xData, 3 * U), view(recData, 3 * U), view(hData, U)];
    const [outTs, gatesTs] = [new Float32Array(B * U), new Float32Array(B * 3 * U)];
    const [outNative, gatesNative] = [new Float32Array(B * U), new Float32Array(B * 3 * U)];
    gruCellTypescript(outTs, gatesTs, x, rec, h, B, U);
    native!.gruCellForward(
      outNative,
      gatesNative,
      ...([x, rec, h].flatMap((m) => [m.data, m.offset, m.row, m.col]) as [
        Float32Array,
        number,
        number,
        number,
        Float32Array,
        number,
        number,
        number,
        Float32Array,
        number,
        number,
        number,
      ]),
      B,
      U,
    );
    for (const [a, b] of [
      [outNative, outTs],
      [gatesNative, gatesTs],
    ] as const) {
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(4e-7 * Math.max(1, Math.abs(b[i]!)));
    }
    expect(() =>
      native!.gruCellForward(
        outNative,
        gatesNative,
        xData,
        1,
        3 * U,
        1,
        recData,
        0,
        3 * U,
        1,
        hData,
        0,
        U,
        1,
        B,
        U,
      ),
    ).toThrow(/gruCellForward: x reaches outside its array/);
  });
});
