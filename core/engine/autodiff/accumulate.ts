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

/**
 * acc[begin : begin + value.shape] += value, in acc's own storage. `written` lists the blocks
 * added so far into an accumulator that started as zeros (null when it started as a copy of a
 * dense gradient): a block that overlaps none of them is still zero, so it is written, not added.
 */
export function addIntoRegion(
  acc: Tensor,
  value: Tensor,
  begin: readonly number[],
  written: Block[] | null,
): void {
  const strides = acc.layout.strides;
  const offset = begin.reduce((o, b, i) => o + b * strides[i]!, acc.layout.offset);
  const layout = { shape: [...value.shape], strides: [...strides], offset };
  const block: Block = { begin, shape: value.shape };
  if (written && !written.some((w) => overlaps(w, block))) {
    written.push(block);
    acc.backend.write(acc.exclusiveStorage(), layout, value.view('grad'));
    return;
  }
  written?.push(block);
  const view = acc.withLayout(layout);
  const sum = add(view, value);
  // Dropping the view first leaves acc the storage's only holder, so no copy is made.
  view.dispose();
  acc.backend.write(acc.exclusiveStorage(), layout, sum.view('grad'));
  sum.dispose();
}

/** A block of a tensor: its start and extent in every dimension. */
export interface Block {
  readonly begin: readonly number[];
  readonly shape: readonly number[];
}

function overlaps(a: Block, b: Block): boolean {
  return a.begin.every((start, i) => start < b.begin[i]! + b.shape[i]! && b.begin[i]! < start + a.shape[i]!);
}
