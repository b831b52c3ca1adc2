/**
 * The shape check every backend's fused recurrent cells share (Backend.lstmCell, gruCell and
 * their gradients): a call they can take has a state [B, U] and operands [B, k·U], all of one
 * of the dtypes the backend computes the cells in.
 */
import type { DType } from '../tensor/dtype.js';
import type { View } from './backend.js';

/**
 * Batch, units and dtype from `state` when it is a matrix of an accepted dtype and every `wide`
 * operand [view, k] is a [B, k·U] matrix of the same dtype; null otherwise.
 */
export function cellDims(
  state: View,
  wide: readonly (readonly [View, number])[],
  dtypes: readonly DType[],
): { batch: number; units: number; dtype: DType } | null {
  const dtype = state.storage.dtype;
  if (state.layout.shape.length !== 2 || !dtypes.includes(dtype)) return null;
  const [batch, units] = state.layout.shape as [number, number];
  const fits = wide.every(
    ([v, k]) => v.storage.dtype === dtype && v.layout.shape.join() === `${batch},${k * units}`,
  );
  return fits ? { batch, units, dtype } : null;
}
