/**
 * The streaming-metric contract. Predictions arrive batch by batch, already read back to the
 * host as typed arrays, so a metric is an accumulator: `reset()`, then `update(yTrue, yPred)`
 * once per batch, then `result()` over everything seen since the last reset. Streaming in
 * several batches gives the same result as one batch holding all of them (up to float
 * rounding).
 *
 * Metrics never touch the tensor engine: the caller passes `await tensor.data()` with
 * `tensor.shape`, which keeps metrics usable from evaluation workers and tests alike.
 *
 * An empty stream (no samples since the last reset) gives `NaN` from every scalar metric,
 * never a thrown error, so an epoch with no validation batches still logs a row.
 */

/** Host-side numbers as read back from a tensor. */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray;

/** Values in row-major order with their shape, e.g. `{ data, shape: [batch, classes] }`. */
export interface ShapedArray {
  readonly data: NumericArray;
  readonly shape: readonly number[];
}

/**
 * What `update` takes: a typed array with its shape, or a bare typed array, which is read as
 * shape `[length]` (one value per sample: binary scores, class indices, one regression output).
 */
export type MetricInput = NumericArray | ShapedArray;

/** Accumulates batches and summarises them as `R`. */
export interface Accumulator<R> {
  /** Forgets every batch seen so far. */
  reset(): void;
  /** Adds one batch; `yTrue` and `yPred` describe the same samples in the same order. */
  update(yTrue: MetricInput, yPred: MetricInput): void;
  /** The summary over every batch since the last reset; it does not reset. */
  result(): R;
}

/** A metric that reduces to one number, logged by fit/evaluate under `name`. */
export interface Metric extends Accumulator<number> {
  /** The history key, e.g. `accuracy` (validation rows prefix `val_`). */
  readonly name: string;
}

/** Shorthand for `{ data, shape }` that checks the shape holds exactly `data.length` values. */
export function shaped(data: NumericArray, shape: readonly number[]): ShapedArray {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new Error(`shaped: shape [${shape.join(', ')}] holds ${size} values but data has ${data.length}`);
  }
  return { data, shape };
}

/** The data and shape of an input, a bare array reading as `[length]`. */
export function asShaped(input: MetricInput): ShapedArray {
  if (ArrayBuffer.isView(input)) return { data: input, shape: [input.length] };
  const size = input.shape.reduce((a, b) => a * b, 1);
  if (size !== input.data.length) {
    throw new Error(
      `metric input: shape [${input.shape.join(', ')}] holds ${size} values but data has ${input.data.length}`,
    );
  }
  return input;
}

/** `[a, b]` for messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
