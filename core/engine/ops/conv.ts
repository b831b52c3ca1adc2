/**
 * 2-D convolution and pooling over NHWC images (channels last, as Keras). All three are built
 * on im2col: the sliding windows become rows of a matrix, so a convolution is one matmul and
 * a pool is one reduction. col2im, im2col's adjoint, carries gradients back to the image.
 */
import type { WindowGeometry } from '../backends/backend.js';
import { record } from '../autodiff/record.js';
import { formatShape, ShapeError } from '../tensor/layout.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { ones } from './creation.js';
import { div } from './elementwise.js';
import { matmul } from './matmul.js';
import { backendOf, wrap } from './operand.js';
import { max, sum } from './reduce.js';
import { reshape } from './shape.js';
import { scatterAdd } from './indexing.js';

export type Padding = 'valid' | 'same' | number | readonly [number, number, number, number];

export interface WindowOptions {
  /** Defaults to 1 (convolution) or the pool size (pooling). */
  strides?: number | readonly [number, number];
  /** 'valid' (no padding, the default), 'same' (output = ceil(input / stride)), or explicit. */
  padding?: Padding;
  /** Defaults to 1. */
  dilation?: number | readonly [number, number];
}

function pair(v: number | readonly [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/** Computes the window geometry, naming the op and shapes when the window does not fit. */
export function windowGeometry(
  op: string,
  inputShape: readonly number[],
  kernel: readonly [number, number],
  options: WindowOptions,
  defaultStride: readonly [number, number],
): WindowGeometry {
  if (inputShape.length !== 4)
    throw new ShapeError(`${op}: expected NHWC input of rank 4, got ${formatShape(inputShape)}`);
  const [batch, inHeight, inWidth, channels] = inputShape as [number, number, number, number];
  const [kernelHeight, kernelWidth] = kernel;
  const [strideHeight, strideWidth] = options.strides === undefined ? defaultStride : pair(options.strides);
  const [dilationHeight, dilationWidth] = pair(options.dilation ?? 1);
  const padding = options.padding ?? 'valid';
  const span = (k: number, d: number) => (k - 1) * d + 1;
  let pads: [number, number, number, number];
  if (padding === 'valid') pads = [0, 0, 0, 0];
  else if (padding === 'same') {
    const total = (n: number, s: number, k: number, d: number) =>
      Math.max((Math.ceil(n / s) - 1) * s + span(k, d) - n, 0);
    const th = total(inHeight, strideHeight, kernelHeight, dilationHeight);
    const tw = total(inWidth, strideWidth, kernelWidth, dilationWidth);
    pads = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  } else if (typeof padding === 'number') pads = [padding, padding, padding, padding];
  else pads = [...padding];
  const outHeight =
    Math.floor((inHeight + pads[0] + pads[1] - span(kernelHeight, dilationHeight)) / strideHeight) + 1;
  const outWidth =
    Math.floor((inWidth + pads[2] + pads[3] - span(kernelWidth, dilationWidth)) / strideWidth) + 1;
  if (outHeight <= 0 || outWidth <= 0) {
    throw new ShapeError(
      `${op}: a ${kernelHeight}×${kernelWidth} window (dilation ${dilationHeight}×${dilationWidth}) does not fit input ${formatShape(inputShape)} with padding ${JSON.stringify(padding)}`,
    );
  }
  return {
    batch,
    inHeight,
    inWidth,
    channels,
    kernelHeight,
    kernelWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padTop: pads[0],
    padLeft: pads[2],
    outHeight,
    outWidth,
  };
}

/** Sliding windows as rows: [N·outH·outW, kH·kW·C]. Taps outside the image read `padValue`. */
export function im2col(x: Tensor, g: WindowGeometry, padValue = 0): Tensor {
  const backend = backendOf('im2col', x);
  const rows = g.batch * g.outHeight * g.outWidth;
  const cols = g.kernelHeight * g.kernelWidth * g.channels;
  const out = wrap(backend.im2col(x.view('im2col'), g, padValue), [rows, cols], backend);
  return record('im2col', out, [x], (dy) => [col2im(dy, g)]);
}

/** Sums window rows back into an NHWC image (im2col's adjoint). */
export function col2im(cols: Tensor, g: WindowGeometry): Tensor {
  const backend = backendOf('col2im', cols);
  const out = wrap(
    backend.col2im(cols.view('col2im'), g),
    [g.batch, g.inHeight, g.inWidth, g.channels],
    backend,
  );
  return record('col2im', out, [cols], (dy) => [im2col(dy, g)]);
}

/**
 * 2-D convolution: x [N,H,W,C] with filter [kH,kW,C,F] gives [N,outH,outW,F].
 * @example conv2d(images, filter, { padding: 'same' })
 */
export function conv2d(x: Tensor, filter: Tensor, options: WindowOptions = {}): Tensor {
  if (filter.rank !== 4)
    throw new ShapeError(`conv2d: filter must be [kH,kW,C,F], got ${formatShape(filter.shape)}`);
  const [kh, kw, c, f] = filter.shape as [number, number, number, number];
  if (x.rank === 4 && x.shape[3] !== c) {
    throw new ShapeError(
      `conv2d: input ${formatShape(x.shape)} has ${x.shape[3]} channels, filter ${formatShape(filter.shape)} expects ${c}`,
    );
  }
  const g = windowGeometry('conv2d', x.shape, [kh, kw], options, [1, 1]);
  return tidy(() => {
    const cols = im2col(x, g, 0);
    const y = matmul(cols, reshape(filter, [kh * kw * c, f]));
    return reshape(y, [g.batch, g.outHeight, g.outWidth, f]);
  });
}

export interface PoolOptions extends Omit<WindowOptions, 'dilation'> {
  /** Window size; defaults to 2×2. */
  poolSize?: number | readonly [number, number];
}

/** The maximum of each window (padding never wins: it reads −∞). */
export function maxPool2d(x: Tensor, options: PoolOptions = {}): Tensor {
  const size = pair(options.poolSize ?? 2);
  const g = windowGeometry('maxPool2d', x.shape, size, options, size);
  const backend = backendOf('maxPool2d', x);
  if (backend.maxPool2d && everyWindowInside(g)) {
    // The fused kernel: no patch matrix, and the backward pass scatters dy to each window's
    // chosen element instead of comparing every patch entry with its maximum.
    const { values, argmax } = backend.maxPool2d(x.view('maxPool2d'), g);
    const shape = [g.batch, g.outHeight, g.outWidth, g.channels];
    const chosen = wrap(argmax, [shape.reduce((a, b) => a * b, 1)], backend);
    const out = record('maxPool2d', wrap(values, shape, backend), [x, chosen], (dy) => [
      reshape(scatterAdd(reshape(dy, [-1]), chosen, 0, x.size), x.shape),
      null,
    ]);
    chosen.dispose(); // the graph keeps it while a backward pass may need it
    return out;
  }
  return tidy(() => {
    const windows = reshape(im2col(x, g, -Infinity), [-1, size[0] * size[1], g.channels]);
    return reshape(max(windows, 1), [g.batch, g.outHeight, g.outWidth, g.channels]);
  });
}

/** True when every window holds at least one tap inside the image. */
function everyWindowInside(g: WindowGeometry): boolean {
  const firstInside = (pad: number, kernel: number, dilation: number) => pad < (kernel - 1) * dilation + 1;
  const lastInside = (out: number, stride: number, pad: number, size: number) =>
    (out - 1) * stride - pad < size;
  return (
    firstInside(g.padTop, g.kernelHeight, g.dilationHeight) &&
    firstInside(g.padLeft, g.kernelWidth, g.dilationWidth) &&
    lastInside(g.outHeight, g.strideHeight, g.padTop, g.inHeight) &&
    lastInside(g.outWidth, g.strideWidth, g.padLeft, g.inWidth)
  );
}

/** The mean of each window over the taps inside the image (padding is not counted). */
export function avgPool2d(x: Tensor, options: PoolOptions = {}): Tensor {
  const size = pair(options.poolSize ?? 2);
  const g = windowGeometry('avgPool2d', x.shape, size, options, size);
  return tidy(() => {
    const taps = size[0] * size[1];
    const windows = reshape(im2col(x, g, 0), [-1, taps, g.channels]);
    const totals = sum(windows, 1);
    const unpadded =
      g.padTop === 0 &&
      g.padLeft === 0 &&
      (g.outHeight - 1) * g.strideHeight + size[0] <= g.inHeight &&
      (g.outWidth - 1) * g.strideWidth + size[1] <= g.inWidth;
    if (unpadded) return reshape(div(totals, taps), [g.batch, g.outHeight, g.outWidth, g.channels]);
    const ones1 = ones([1, g.inHeight, g.inWidth, 1], x.dtype === 'float64' ? 'float64' : 'float32');
    const counts = sum(
      reshape(im2col(ones1, { ...g, batch: 1, channels: 1 }, 0), [g.outHeight * g.outWidth, taps]),
      1,
    );
    const perImage = reshape(totals, [g.batch, g.outHeight * g.outWidth, g.channels]);
    return reshape(div(perImage, reshape(counts, [1, -1, 1])), [
      g.batch,
      g.outHeight,
      g.outWidth,
      g.channels,
    ]);
  });
}
