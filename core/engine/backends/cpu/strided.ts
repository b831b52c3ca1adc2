/**
 * Walking strided layouts. Adjacent dimensions that are contiguous with each other in every
 * operand are merged first, so a contiguous tensor is one flat loop and a broadcast bias add
 * is rows × one inner loop.
 */
import type { Layout } from '../../tensor/layout.js';

export interface Collapsed {
  /** Merged dimensions; the last one is the inner loop. */
  shape: number[];
  /** One stride list per operand, aligned with `shape`. */
  strides: number[][];
}

/** Merges dimensions i and i+1 wherever every operand has stride[i] = stride[i+1]·shape[i+1]. */
export function collapse(shape: readonly number[], strideLists: readonly (readonly number[])[]): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strideLists.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strideLists.every((s, k) => outStrides[k]![last] === s[i]! * d)) {
      outShape[last] = outShape[last]! * d;
      strideLists.forEach((s, k) => (outStrides[k]![last] = s[i]!));
      continue;
    }
    outShape.push(d);
    strideLists.forEach((s, k) => outStrides[k]!.push(s[i]!));
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => s.push(1));
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * The storage offset where each row (every index of all dimensions but the last) starts, for
 * an operand with the given strides and base offset.
 */
export function rowOffsets(
  shape: readonly number[],
  strides: readonly number[],
  base: number,
): Int32Array | Float64Array {
  const outer = shape.length - 1;
  let rows = 1;
  for (let i = 0; i < outer; i++) rows *= shape[i]!;
  const offsets = rows < 2 ** 31 && base < 2 ** 30 ? new Int32Array(rows) : new Float64Array(rows);
  if (outer === 0) {
    offsets[0] = base;
    return offsets;
  }
  const counter = new Array<number>(outer).fill(0);
  let offset = base;
  for (let r = 0; r < rows; r++) {
    offsets[r] = offset;
    for (let d = outer - 1; d >= 0; d--) {
      counter[d]!++;
      offset += strides[d]!;
      if (counter[d]! < shape[d]!) break;
      offset -= strides[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
  return offsets;
}

/** Rows of a strided walk over several operands sharing one shape. */
export interface RowPlan {
  rows: number;
  inner: number;
  /** Per operand: row start offsets and the inner-loop stride. */
  offsets: (Int32Array | Float64Array)[];
  innerStrides: number[];
}

export function planRows(shape: readonly number[], layouts: readonly Layout[]): RowPlan {
  const c = collapse(
    shape,
    layouts.map((l) => l.strides),
  );
  const inner = c.shape[c.shape.length - 1]!;
  const offsets = layouts.map((l, k) => rowOffsets(c.shape, c.strides[k]!, l.offset));
  return {
    rows: offsets[0]!.length,
    inner,
    offsets,
    innerStrides: c.strides.map((s) => s[s.length - 1]!),
  };
}
