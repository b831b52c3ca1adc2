/**
 * CPU im2col, col2im and max pooling over contiguous NHWC images. Float32 work runs in the
 * native addon when it was built (native/src/window.cc, the same loops, bit-identical); the
 * TypeScript loops below serve float64 and machines without it.
 */
import type { WindowGeometry } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { loadNativeKernels } from './native-loader.js';

const native = loadNativeKernels();

/** The geometry as the addon reads it: the 14 fields in WindowGeometry's order. */
export function packGeometry(g: WindowGeometry): Int32Array {
  return Int32Array.of(
    g.batch,
    g.inHeight,
    g.inWidth,
    g.channels,
    g.kernelHeight,
    g.kernelWidth,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    g.padTop,
    g.padLeft,
    g.outHeight,
    g.outWidth,
  );
}

export function im2colKernel(cols: TypedArray, x: TypedArray, g: WindowGeometry, padValue: number): void {
  if (native && cols instanceof Float32Array && x instanceof Float32Array)
    native.im2col(cols, x, packGeometry(g), padValue);
  else im2colTypescript(cols, x, g, padValue);
}

/** Adds each patch entry back into `image`, which must start zeroed. */
export function col2imKernel(image: TypedArray, cols: TypedArray, g: WindowGeometry): void {
  if (native && image instanceof Float32Array && cols instanceof Float32Array)
    native.col2im(image, cols, packGeometry(g));
  else col2imTypescript(image, cols, g);
}

/**
 * Max pooling straight from the image: each window's maximum and the flat index of the
 * element it came from (the first maximum; a NaN wins and propagates).
 */
export function maxPoolKernel(
  values: TypedArray,
  argmax: Int32Array,
  x: TypedArray,
  g: WindowGeometry,
): void {
  if (native && values instanceof Float32Array && x instanceof Float32Array)
    native.maxPool2d(values, argmax, x, packGeometry(g));
  else maxPoolTypescript(values, argmax, x, g);
}

export function im2colTypescript(cols: TypedArray, x: TypedArray, g: WindowGeometry, padValue: number): void {
  const { batch, inHeight: H, inWidth: W, channels: C, kernelHeight: KH, kernelWidth: KW } = g;
  const rowLength = KH * KW * C;
  let row = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++, row++) {
        let o = row * rowLength;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight;
          for (let kw = 0; kw < KW; kw++, o += C) {
            const iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
              cols.fill(padValue, o, o + C);
            } else {
              const start = ((n * H + ih) * W + iw) * C;
              // A plain loop: x.subarray() would allocate an object per tap.
              for (let c = 0; c < C; c++) cols[o + c] = x[start + c]!;
            }
          }
        }
      }
    }
  }
}

export function col2imTypescript(image: TypedArray, cols: TypedArray, g: WindowGeometry): void {
  const { batch, inHeight: H, inWidth: W, channels: C, kernelHeight: KH, kernelWidth: KW } = g;
  const rowLength = KH * KW * C;
  let row = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++, row++) {
        let o = row * rowLength;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight;
          for (let kw = 0; kw < KW; kw++, o += C) {
            const iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            const start = ((n * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) image[start + c] += cols[o + c]!;
          }
        }
      }
    }
  }
}

export function maxPoolTypescript(
  values: TypedArray,
  argmax: Int32Array,
  x: TypedArray,
  g: WindowGeometry,
): void {
  const { batch, inHeight: H, inWidth: W, channels: C, kernelHeight: KH, kernelWidth: KW } = g;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      const ih0 = oh * g.strideHeight - g.padTop;
      for (let ow = 0; ow < g.outWidth; ow++, o += C) {
        const iw0 = ow * g.strideWidth - g.padLeft;
        for (let c = 0; c < C; c++) {
          values[o + c] = -Infinity;
          argmax[o + c] = -1;
        }
        for (let kh = 0; kh < KH; kh++) {
          const ih = ih0 + kh * g.dilationHeight;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = iw0 + kw * g.dilationWidth;
            if (iw < 0 || iw >= W) continue;
            const start = ((n * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = x[start + c]!;
              const best = values[o + c]!;
              // Strictly greater keeps the first maximum; a NaN replaces anything but a NaN.
              if (v > best || argmax[o + c] === -1 || (v !== v && best === best)) {
                values[o + c] = v;
                argmax[o + c] = start + c;
              }
            }
          }
        }
      }
    }
  }
}
