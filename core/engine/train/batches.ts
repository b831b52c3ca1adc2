/**
 * Minibatch plumbing. Rows are selected on the device with `gather(x, indices)`, so a dataset
 * uploaded once never travels back to the host; only the int32 index vector of each batch is
 * uploaded per step. Features are a tensor, or ByteRows (uint8 kept as bytes on the device,
 * converted to floats in the gather).
 */
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../ops/creation.js';
import { gather } from '../ops/indexing.js';
import { slice } from '../ops/shape.js';
import { ByteRows } from './byte-rows.js';
import { formatShape, ShapeError } from '../tensor/layout.js';

/** 0..n−1, shuffled in place by `random` when given (Fisher–Yates). */
export function epochOrder(n: number, random: Random | null, into?: Int32Array): Int32Array {
  const order = into && into.length === n ? into : new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (random) random.shuffle(order);
  return order;
}

/** The int32 index tensor of batch `b` (the last batch may be smaller). */
export function batchIndices(order: Int32Array, batch: number, batchSize: number): Tensor {
  const start = batch * batchSize;
  return tensor(order.slice(start, Math.min(start + batchSize, order.length)), undefined, 'int32');
}

export function stepsFor(samples: number, batchSize: number): number {
  return Math.ceil(samples / batchSize);
}

/** What fit and evaluate take as features. */
export type Features = Tensor | ByteRows;

/** The rows of `x` at int32 `indices`, as a float tensor. */
export function takeRows(x: Features, indices: Tensor): Tensor {
  return x instanceof ByteRows ? x.gather(indices) : gather(x, indices);
}

/** Rows [start, start+count) of `x` as a tensor (a view where `x` is one). */
export function rowsAsTensor(x: Features, start: number, count: number): Tensor {
  return x instanceof ByteRows ? x.toTensor(start, count) : rows(x, start, count);
}

/** Rows [start, start+count) of `x`, as a view. */
export function rows<T extends Features>(x: T, start: number, count: number): T;
export function rows(x: Features, start: number, count: number): Features {
  if (x instanceof ByteRows) return x.rows(start, count);
  return slice(
    x,
    x.shape.map((_, i) => (i === 0 ? start : 0)),
    x.shape.map((d, i) => (i === 0 ? count : d)),
  );
}

export function checkSamples(op: string, x: Features, y: Tensor): void {
  if (x.rank === 0 || y.rank === 0 || x.shape[0] !== y.shape[0]) {
    throw new ShapeError(
      `${op}: x ${formatShape(x.shape)} and y ${formatShape(y.shape)} must have the same number of rows (first dimension)`,
    );
  }
  if (x.shape[0] === 0) throw new ShapeError(`${op}: no samples`);
}

/**
 * Keras's validationSplit: the last `fraction` of the rows (before any shuffling) become the
 * validation set. Returns views; nothing is copied.
 */
export function splitValidation(
  x: Features,
  y: Tensor,
  fraction: number,
): { x: Features; y: Tensor; valX: Features; valY: Tensor } {
  if (!(fraction > 0 && fraction < 1))
    throw new Error(`fit: validationSplit must be in (0, 1), got ${fraction}`);
  const n = x.shape[0]!;
  const valCount = Math.floor(n * fraction);
  if (valCount === 0 || valCount === n) {
    throw new Error(
      `fit: validationSplit ${fraction} of ${n} samples leaves an empty training or validation set`,
    );
  }
  const trainCount = n - valCount;
  return {
    x: rows(x, 0, trainCount),
    y: rows(y, 0, trainCount),
    valX: rows(x, trainCount, valCount),
    valY: rows(y, trainCount, valCount),
  };
}
