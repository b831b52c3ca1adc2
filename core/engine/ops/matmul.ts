/**
 * Matrix products. Transposes are views (swapped strides), so the backward pass's products
 * dy·Bᵀ and Aᵀ·dy reach the kernel without copies.
 */
import { record } from '../autodiff/record.js';
import { broadcastLayout, broadcastShapes, formatShape, ShapeError } from '../tensor/layout.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { backendOf, wrap } from './operand.js';
import { matrixTranspose, squeeze, unsqueeze } from './shape.js';

/**
 * The matrix product of the last two dimensions, batched over the leading ones (broadcast).
 * A 1-D operand is treated as a row (left) or column (right) vector and that dimension is
 * dropped from the result, as in NumPy.
 * @example matmul(x, w) // [64,784] × [784,128] → [64,128]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank === 0 || b.rank === 0)
    throw new ShapeError(
      `matmul: operands must have rank ≥ 1, got ${formatShape(a.shape)} × ${formatShape(b.shape)}`,
    );
  if (a.rank === 1 || b.rank === 1) {
    return tidy(() => {
      const left = a.rank === 1 ? unsqueeze(a, 0) : a;
      const right = b.rank === 1 ? unsqueeze(b, 1) : b;
      const out = matmul(left, right);
      const drop: number[] = [];
      if (a.rank === 1) drop.push(out.rank - 2);
      if (b.rank === 1) drop.push(out.rank - 1);
      return squeeze(out, drop);
    });
  }
  const backend = backendOf('matmul', a, b);
  if (a.dtype !== b.dtype) throw new Error(`matmul: dtypes differ (${a.dtype} and ${b.dtype})`);
  const m = a.shape[a.rank - 2]!;
  const k = a.shape[a.rank - 1]!;
  const k2 = b.shape[b.rank - 2]!;
  const n = b.shape[b.rank - 1]!;
  if (k !== k2) {
    throw new ShapeError(`matmul: ${formatShape(a.shape)} × ${formatShape(b.shape)}: inner dims ${k}≠${k2}`);
  }
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const av = a.view('matmul');
  const bv = b.view('matmul');
  const storage = backend.matmul(
    { storage: av.storage, layout: broadcastLayout(av.layout, [...batch, m, k]) },
    { storage: bv.storage, layout: broadcastLayout(bv.layout, [...batch, k, n]) },
  );
  const out = wrap(storage, [...batch, m, n], backend);
  return record('matmul', out, [a, b], (dy, needs) => [
    needs[0] ? tidy(() => matmul(dy, matrixTranspose(b))) : null,
    needs[1] ? tidy(() => matmul(matrixTranspose(a), dy)) : null,
  ]);
}
