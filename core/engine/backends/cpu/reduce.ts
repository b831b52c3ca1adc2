/**
 * CPU reductions. The view is reordered so kept dimensions come first and reduced ones last
 * (metadata only); each output element then folds over its reduced block. Sums accumulate in
 * double precision.
 */
import type { ReduceOp } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import type { Layout } from '../../tensor/layout.js';
import { nativeSumLeadingRows } from './native-elementwise.js';
import { collapse, rowOffsets } from './strided.js';

function split(layout: Layout, axes: readonly number[]) {
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  layout.shape.forEach((d, i) => {
    if (axes.includes(i)) {
      redShape.push(d);
      redStrides.push(layout.strides[i]!);
    } else {
      keptShape.push(d);
      keptStrides.push(layout.strides[i]!);
    }
  });
  const kept = collapse(keptShape, [keptStrides]);
  const red = collapse(redShape, [redStrides]);
  // Offsets of every kept element (a trailing 1 makes each element its own "row").
  const keptOffsets = rowOffsets([...kept.shape, 1], [...kept.strides[0]!, 0], layout.offset);
  const redRows = rowOffsets(red.shape, red.strides[0]!, 0);
  return {
    keptOffsets,
    redRows,
    redInner: red.shape[red.shape.length - 1]!,
    redStride: red.strides[0]![red.strides[0]!.length - 1]!,
  };
}

export function reduceKernel(
  op: ReduceOp,
  out: TypedArray,
  x: TypedArray,
  layout: Layout,
  axes: readonly number[],
): void {
  const redSize = axes.reduce((n, a) => n * layout.shape[a]!, 1);
  if (out.length === 0) return;
  if (redSize === 0) {
    out.fill(op === 'sum' ? 0 : op === 'prod' ? 1 : NaN);
    return;
  }
  if (op === 'sum' && trySumLeadingRows(out, x, layout, axes)) return;
  const { keptOffsets, redRows, redInner, redStride } = split(layout, axes);
  for (let o = 0; o < out.length; o++) {
    const base = keptOffsets[o]!;
    let acc = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
    let nan = false;
    for (let r = 0; r < redRows.length; r++) {
      let i = base + redRows[r]!;
      switch (op) {
        case 'sum':
          for (let j = 0; j < redInner; j++, i += redStride) acc += x[i]!;
          break;
        case 'prod':
          for (let j = 0; j < redInner; j++, i += redStride) acc *= x[i]!;
          break;
        case 'max':
          for (let j = 0; j < redInner; j++, i += redStride) {
            const v = x[i]!;
            if (v > acc) acc = v;
            else if (v !== v) nan = true;
          }
          break;
        case 'min':
          for (let j = 0; j < redInner; j++, i += redStride) {
            const v = x[i]!;
            if (v < acc) acc = v;
            else if (v !== v) nan = true;
          }
          break;
      }
    }
    out[o] = nan ? NaN : acc;
  }
}

/**
 * Summing the leading axes of a contiguous tensor (a bias gradient: [N, C] → [C]) walks the
 * rows in memory order instead of striding down columns.
 */
function trySumLeadingRows(out: TypedArray, x: TypedArray, layout: Layout, axes: readonly number[]): boolean {
  const rank = layout.shape.length;
  if (axes.length === 0 || axes.length === rank) return false;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return false;
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    if (layout.shape[i] !== 1 && layout.strides[i] !== s) return false;
    s *= layout.shape[i]!;
  }
  const width = out.length;
  const rows = s / width;
  if (nativeSumLeadingRows(out, x, layout.offset, rows, width)) return true;
  const acc = new Float64Array(width);
  let i = layout.offset;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < width; c++) acc[c] += x[i + c]!;
    i += width;
  }
  for (let c = 0; c < width; c++) out[c] = acc[c]!;
  return true;
}

export function argReduceKernel(
  op: 'argmax' | 'argmin',
  out: Int32Array,
  x: TypedArray,
  layout: Layout,
  axis: number,
): void {
  if (out.length === 0) return;
  const { keptOffsets } = split(layout, [axis]);
  const n = layout.shape[axis]!;
  const stride = layout.strides[axis]!;
  const better = op === 'argmax' ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
  for (let o = 0; o < out.length; o++) {
    let i = keptOffsets[o]!;
    let best = x[i]!;
    let bestIndex = 0;
    if (best === best) {
      for (let j = 1; j < n; j++) {
        i += stride;
        const v = x[i]!;
        if (v !== v) {
          bestIndex = j; // NaN wins, as in NumPy
          break;
        }
        if (better(v, best)) {
          best = v;
          bestIndex = j;
        }
      }
    }
    out[o] = bestIndex;
  }
}

/** Softmax or log-softmax along the last axis, max-subtracted, accumulating in double. */
export function softmaxKernel(out: TypedArray, x: TypedArray, layout: Layout, log: boolean): void {
  if (out.length === 0) return;
  const rank = layout.shape.length;
  const n = layout.shape[rank - 1]!;
  const stride = layout.strides[rank - 1]!;
  const rowShape = layout.shape.slice(0, -1);
  const rowStrides = layout.strides.slice(0, -1);
  const offsets = rowOffsets([...rowShape, 1], [...rowStrides, 0], layout.offset);
  for (let r = 0; r < offsets.length; r++) {
    const base = offsets[r]!;
    const o = r * n;
    let m = -Infinity;
    for (let j = 0, i = base; j < n; j++, i += stride) {
      const v = x[i]!;
      if (v > m || v !== v) m = v;
    }
    let total = 0;
    for (let j = 0, i = base; j < n; j++, i += stride) total += Math.exp(x[i]! - m);
    if (log) {
      const lse = m + Math.log(total);
      for (let j = 0, i = base; j < n; j++, i += stride) out[o + j] = x[i]! - lse;
    } else {
      for (let j = 0, i = base; j < n; j++, i += stride) out[o + j] = Math.exp(x[i]! - m) / total;
    }
  }
}
