/**
 * In-place gradient accumulation for region gradients (see RegionGrad): the tape walker owns
 * the accumulator, so adding a block into it touches only that block. Safe because a tensor's
 * gradient is complete before anything reads it (the walk is in reverse topological order).
 */
import { add } from '../ops/elementwise.js';
import { backendOf, wrap } from '../ops/operand.js';
import type { Tensor } from '../tensor/tensor.js';

/** A contiguous copy of `t` in storage of its own. */
export function ownedCopy(t: Tensor): Tensor {
  const backend = backendOf('grad', t);
  return wrap(backend.copy(t.view('grad')), t.shape, backend);
}

/** acc[begin : begin + value.shape] += value, in acc's own storage. */
export function addIntoRegion(acc: Tensor, value: Tensor, begin: readonly number[]): void {
  const strides = acc.layout.strides;
  const offset = begin.reduce((o, b, i) => o + b * strides[i]!, acc.layout.offset);
  const layout = { shape: [...value.shape], strides: [...strides], offset };
  const block = acc.withLayout(layout);
  const sum = add(block, value);
  // Dropping the view first leaves acc the storage's only holder, so no copy is made.
  block.dispose();
  acc.backend.write(acc.exclusiveStorage(), layout, sum.view('grad'));
  sum.dispose();
}
