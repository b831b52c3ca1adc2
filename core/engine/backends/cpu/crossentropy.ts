/**
 * Fused softmax cross-entropy (Backend.softmaxCrossEntropy and its gradient): one pass per
 * row over strided logits, accumulating in double, for float32 and float64 alike.
 *
 *   loss = Σ_c z_c·(lse − x_c),  lse = m + log Σ_k e^{x_k − m},  m = max_k x_k
 *   dx   = dy·(e^{x − lse}·Σ_c z_c − z)
 *
 * Sparse targets are int32 class indices (z one-hot); an index outside [0, C) gives NaN.
 */
import type { View } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { cpuData } from './storage.js';
import { rowOffsets } from './strided.js';

interface Rows {
  readonly rows: number;
  readonly classes: number;
  /** Storage offset of each row's first logit, and the stride between classes. */
  readonly x: ArrayLike<number>;
  readonly xStride: number;
  /** Per row: soft targets' row offsets (with `zStride`), or a label's offset. */
  readonly z: ArrayLike<number>;
  readonly zStride: number;
}

/** Row offsets of a view over all dimensions but the last, and its last stride. */
function rowsOf(view: View): { offsets: ArrayLike<number>; stride: number } {
  const { shape, strides, offset } = view.layout;
  if (shape.length === 0) return { offsets: [offset], stride: 0 };
  return {
    offsets: rowOffsets([...shape.slice(0, -1), 1], [...strides.slice(0, -1), 0], offset),
    stride: strides[strides.length - 1]!,
  };
}

/** Offsets of every element of a view (row-major). */
function elementOffsets(view: View): ArrayLike<number> {
  const { shape, strides, offset } = view.layout;
  return rowOffsets([...shape, 1], [...strides, 0], offset);
}

function plan(logits: View, targets: View, sparse: boolean): Rows {
  const x = rowsOf(logits);
  const shape = logits.layout.shape;
  const classes = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  if (sparse)
    return {
      rows: x.offsets.length,
      classes,
      x: x.offsets,
      xStride: x.stride,
      z: elementOffsets(targets),
      zStride: 0,
    };
  const z = rowsOf(targets);
  return {
    rows: x.offsets.length,
    classes,
    x: x.offsets,
    xStride: x.stride,
    z: z.offsets,
    zStride: z.stride,
  };
}

/** log Σ e^x over row r, max-subtracted; NaN anywhere gives NaN. */
function logSumExp(x: TypedArray, base: number, stride: number, n: number): number {
  let m = -Infinity;
  for (let j = 0, i = base; j < n; j++, i += stride) {
    const v = x[i]!;
    if (v > m || v !== v) m = v;
  }
  if (m !== m || m === -Infinity || m === Infinity) return m;
  let total = 0;
  for (let j = 0, i = base; j < n; j++, i += stride) total += Math.exp(x[i]! - m);
  return m + Math.log(total);
}

export function softmaxCrossEntropyKernel(
  out: TypedArray,
  logits: View,
  targets: View,
  sparse: boolean,
): void {
  const p = plan(logits, targets, sparse);
  const x = cpuData(logits.storage);
  const z = cpuData(targets.storage);
  const n = p.classes;
  if (n === 0) {
    out.fill(sparse ? NaN : 0);
    return;
  }
  for (let r = 0; r < p.rows; r++) {
    const base = p.x[r]!;
    const lse = logSumExp(x, base, p.xStride, n);
    if (sparse) {
      const label = z[p.z[r]!]!;
      out[r] = label >= 0 && label < n ? lse - x[base + label * p.xStride]! : NaN;
      continue;
    }
    let total = 0;
    for (let j = 0, i = base, k = p.z[r]!; j < n; j++, i += p.xStride, k += p.zStride) {
      const t = z[k]!;
      // 0·(lse − x) is 0 even where x is −∞ (a class the logits rule out), as in the limit.
      if (t !== 0) total += t * (lse - x[i]!);
    }
    out[r] = total;
  }
}

export function softmaxCrossEntropyGradKernel(
  out: TypedArray,
  logits: View,
  targets: View,
  sparse: boolean,
  dy: View,
): void {
  const p = plan(logits, targets, sparse);
  const x = cpuData(logits.storage);
  const z = cpuData(targets.storage);
  const g = cpuData(dy.storage);
  const gAt = elementOffsets(dy);
  const n = p.classes;
  for (let r = 0, o = 0; r < p.rows; r++, o += n) {
    const base = p.x[r]!;
    const lse = logSumExp(x, base, p.xStride, n);
    const scale = g[gAt[r]!]!;
    if (sparse) {
      const label = z[p.z[r]!]!;
      const valid = label >= 0 && label < n;
      for (let j = 0, i = base; j < n; j++, i += p.xStride) {
        out[o + j] = valid ? scale * (Math.exp(x[i]! - lse) - (j === label ? 1 : 0)) : NaN;
      }
      continue;
    }
    let mass = 0;
    for (let j = 0, k = p.z[r]!; j < n; j++, k += p.zStride) mass += z[k]!;
    for (let j = 0, i = base, k = p.z[r]!; j < n; j++, i += p.xStride, k += p.zStride) {
      out[o + j] = scale * (Math.exp(x[i]! - lse) * mass - z[k]!);
    }
  }
}
