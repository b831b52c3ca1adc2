/**
 * The native window kernels (native/src/window.cc: im2col, col2im, max pooling) against the
 * TypeScript loops of window.ts, bit for bit (Object.is, so NaN and −0 count), over geometries
 * with padding, strides, dilation, overlapping windows, one channel and odd channel counts —
 * and their refusal of arrays too small for the geometry.
 */
import { describe, expect, it } from 'vitest';
import type { WindowGeometry } from '../../../core/engine/backends/backend.js';
import { loadNativeKernels } from '../../../core/engine/backends/cpu/native-loader.js';
import {
  col2imTypescript,
  im2colTypescript,
  maxPoolTypescript,
  packGeometry,
} from '../../../core/engine/backends/cpu/window.js';
import { windowGeometry } from '../../../core/engine/ops/conv.js';

const native = loadNativeKernels();

function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const u = (s >>> 0) / 2 ** 32;
    // Some NaN, ±0 and ties, so max pooling's first-maximum and NaN rules are exercised.
    out[i] = u < 0.03 ? NaN : u < 0.06 ? -0 : u < 0.15 ? 1 : u * 4 - 2;
  }
  return out;
}

const geometries: [string, WindowGeometry][] = [
  ['3×3 same, 1 channel', windowGeometry('t', [2, 9, 7, 1], [3, 3], { padding: 'same' }, [1, 1])],
  ['3×3 same, 32 channels', windowGeometry('t', [2, 8, 8, 32], [3, 3], { padding: 'same' }, [1, 1])],
  ['5×3 stride 2, 7 channels', windowGeometry('t', [3, 11, 9, 7], [5, 3], { strides: 2 }, [1, 1])],
  [
    'dilation 2, explicit padding',
    windowGeometry('t', [1, 10, 10, 3], [3, 3], { dilation: 2, padding: [1, 2, 2, 1] }, [1, 1]),
  ],
  ['2×2 pooling', windowGeometry('t', [4, 6, 6, 5], [2, 2], {}, [2, 2])],
  [
    '3×3 stride 2 same, overlapping',
    windowGeometry('t', [2, 9, 9, 4], [3, 3], { strides: 2, padding: 'same' }, [1, 1]),
  ],
];

const imageSize = (g: WindowGeometry) => g.batch * g.inHeight * g.inWidth * g.channels;
const windows = (g: WindowGeometry) => g.batch * g.outHeight * g.outWidth;
const rowLength = (g: WindowGeometry) => g.kernelHeight * g.kernelWidth * g.channels;

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : a.length;
}

describe.skipIf(native === null)('native window kernels match the TypeScript loops bit for bit', () => {
  it.each(geometries)('%s', (_label, g) => {
    const x = values(imageSize(g), g.channels * 7 + g.kernelHeight);
    const packed = packGeometry(g);

    const colsTs = new Float32Array(windows(g) * rowLength(g));
    const colsNative = new Float32Array(colsTs.length).fill(99);
    im2colTypescript(colsTs, x, g, -0.5);
    native!.im2col(colsNative, x, packed, -0.5);
    expect(firstDifference(colsTs, colsNative), 'im2col').toBe(-1);

    const patches = values(colsTs.length, 5);
    const imageTs = new Float32Array(imageSize(g));
    const imageNative = new Float32Array(imageSize(g));
    col2imTypescript(imageTs, patches, g);
    native!.col2im(imageNative, patches, packed);
    expect(firstDifference(imageTs, imageNative), 'col2im').toBe(-1);

    const n = windows(g) * g.channels;
    const [valuesTs, argmaxTs] = [new Float32Array(n), new Int32Array(n)];
    const [valuesNative, argmaxNative] = [new Float32Array(n), new Int32Array(n)];
    maxPoolTypescript(valuesTs, argmaxTs, x, g);
    native!.maxPool2d(valuesNative, argmaxNative, x, packed);
    expect(firstDifference(valuesTs, valuesNative), 'max values').toBe(-1);
    expect(firstDifference(argmaxTs, argmaxNative), 'max argmax').toBe(-1);
  });

  it('refuses arrays smaller than the geometry needs and malformed geometry', () => {
    const g = geometries[1]![1];
    const packed = packGeometry(g);
    const x = new Float32Array(imageSize(g));
    expect(() => native!.im2col(new Float32Array(10), x, packed, 0)).toThrow(/im2col: cols is smaller/);
    expect(() =>
      native!.im2col(new Float32Array(windows(g) * rowLength(g)), x.subarray(1), packed, 0),
    ).toThrow(/x is smaller than the image/);
    expect(() =>
      native!.col2im(new Float32Array(3), new Float32Array(windows(g) * rowLength(g)), packed),
    ).toThrow(/col2im: image is smaller/);
    const n = windows(g) * g.channels;
    expect(() => native!.maxPool2d(new Float32Array(n), new Int32Array(n - 1), x, packed)).toThrow(
      /maxPool2d: values or argmax is smaller/,
    );
    expect(() => native!.im2col(new Float32Array(10), x, packed.subarray(1), 0)).toThrow(/14 fields/);
    const zeroStride = packed.slice();
    zeroStride[6] = 0;
    expect(() => native!.maxPool2d(new Float32Array(n), new Int32Array(n), x, zeroStride)).toThrow(
      /strides and dilations must be at least 1/,
    );
  });
});
