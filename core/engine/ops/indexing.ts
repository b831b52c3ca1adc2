/**
 * Gather, scatter-add and one-hot: moving rows by integer index (embeddings, minibatch
 * selection, label encoding).
 */
import { record } from '../autodiff/record.js';
import { withBackend } from '../runtime.js';
import { formatShape, normalizeAxis, ShapeError } from '../tensor/layout.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { arange } from './creation.js';
import { equal } from './elementwise.js';
import { backendOf, wrap } from './operand.js';
import { cast, reshape } from './shape.js';

/**
 * Picks slices of `x` along `axis` by int32 `indices` (any shape):
 * out.shape = x.shape[:axis] + indices.shape + x.shape[axis+1:].
 * @example gather(embeddings, tokenIds) // [vocab, dim] by [batch, time] → [batch, time, dim]
 */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  if (indices.dtype !== 'int32') throw new Error(`gather: indices must be int32, got ${indices.dtype}`);
  const a = normalizeAxis('gather', axis, x.rank);
  const backend = backendOf('gather', x, indices);
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  const out = wrap(backend.gather(x.view('gather'), indices.view('gather'), a), shape, backend);
  return record('gather', out, [x, indices], (dy) => [scatterAdd(dy, indices, a, x.shape[a]!), null]);
}

/**
 * The adjoint of gather: a zero tensor whose dimension `axis` has `size` entries, with each
 * slice of `updates` added at its index (repeated indices accumulate).
 */
export function scatterAdd(updates: Tensor, indices: Tensor, axis: number, size: number): Tensor {
  if (indices.dtype !== 'int32') throw new Error(`scatterAdd: indices must be int32, got ${indices.dtype}`);
  const a = normalizeAxis('scatterAdd', axis, updates.rank - indices.rank + 1);
  const lead = updates.shape.slice(0, a);
  const idxShape = updates.shape.slice(a, a + indices.rank);
  if (idxShape.join() !== indices.shape.join()) {
    throw new ShapeError(
      `scatterAdd: updates ${formatShape(updates.shape)} do not hold indices ${formatShape(indices.shape)} at axis ${a}`,
    );
  }
  const shape = [...lead, size, ...updates.shape.slice(a + indices.rank)];
  const backend = backendOf('scatterAdd', updates, indices);
  const out = wrap(
    backend.scatterAdd(updates.view('scatterAdd'), indices.view('scatterAdd'), a, shape),
    shape,
    backend,
  );
  return record('scatterAdd', out, [updates, indices], (dy) => [gather(dy, indices, a), null]);
}

/**
 * One-hot encoding of int32 class indices: out[..., c] = 1 where indices == c.
 * @param depth the number of classes
 */
export function oneHot(indices: Tensor, depth: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  if (indices.dtype !== 'int32') throw new Error(`oneHot: indices must be int32, got ${indices.dtype}`);
  return tidy(() => {
    // On the indices' backend, which need not be the active one.
    const classes = withBackend(indices.backend, () => arange(0, depth));
    const hits = equal(reshape(indices, [...indices.shape, 1]), classes);
    return cast(hits, dtype);
  });
}
