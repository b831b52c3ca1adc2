/** Layout helpers for building programs: merging dimensions that every operand walks alike. */
import type { Layout } from '../../tensor/layout.js';

/**
 * Drops size-1 dimensions and merges adjacent dimensions i, i+1 wherever every layout has
 * stride[i] = stride[i+1]·shape[i+1]. A contiguous tensor becomes rank 1, a broadcast bias
 * add rank 2, so most kernels compile for small ranks and their index helpers stay cheap.
 * The row-major order of positions is unchanged, so a flat output index still maps through.
 */
export function collapseLayouts(
  shape: readonly number[],
  layouts: readonly Layout[],
): { shape: number[]; layouts: Layout[] } {
  const outShape: number[] = [];
  const strides: number[][] = layouts.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && layouts.every((l, k) => strides[k]![last] === l.strides[i]! * d)) {
      outShape[last] = outShape[last]! * d;
      layouts.forEach((l, k) => (strides[k]![last] = l.strides[i]!));
      continue;
    }
    outShape.push(d);
    layouts.forEach((l, k) => strides[k]!.push(l.strides[i]!));
  }
  if (outShape.length === 0) {
    outShape.push(1);
    strides.forEach((s) => s.push(0));
  }
  return {
    shape: outShape,
    layouts: layouts.map((l, k) => ({ shape: outShape, strides: strides[k]!, offset: l.offset })),
  };
}

/** The sub-layout over the given dimensions (in order), keeping the offset. */
export function pickDims(layout: Layout, dims: readonly number[], offset = layout.offset): Layout {
  return {
    shape: dims.map((d) => layout.shape[d]!),
    strides: dims.map((d) => layout.strides[d]!),
    offset,
  };
}
