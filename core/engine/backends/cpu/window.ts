/** CPU im2col and col2im over contiguous NHWC images. */
import type { WindowGeometry } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';

export function im2colKernel(cols: TypedArray, x: TypedArray, g: WindowGeometry, padValue: number): void {
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
              if (C === 1) cols[o] = x[start]!;
              else cols.set(x.subarray(start, start + C), o);
            }
          }
        }
      }
    }
  }
}

export function col2imKernel(image: TypedArray, cols: TypedArray, g: WindowGeometry): void {
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
