/**
 * Reading classification batches: what the prediction shape says about the task, and turning
 * labels (class indices or one-hot rows) into class indices. Every metric that compares
 * classes goes through here, so the shape rules and their error messages live in one place.
 *
 * Predictions: `[batch]` or `[batch, 1]` is a binary task (one score per sample, the positive
 * class's probability or logit); `[batch, classes]` with classes ≥ 2 is multiclass.
 * Labels: as many values as samples are class indices ("sparse"); `batch × classes` values are
 * one-hot (or soft) rows, read by argmax. Binary labels are 0/1 and must lie in [0, 1]; values
 * above 0.5 count as positive.
 */
import { asShaped, formatShape, type MetricInput, type NumericArray } from './accumulator.js';

/** How labels are laid out: `'auto'` decides from their size. */
export type LabelEncoding = 'auto' | 'sparse' | 'oneHot';

export const labelEncodings: readonly LabelEncoding[] = ['auto', 'sparse', 'oneHot'];

/** A prediction batch: `classes` is 1 for a binary score column. */
export interface PredictionBatch {
  readonly data: NumericArray;
  readonly shape: readonly number[];
  readonly batch: number;
  readonly classes: number;
}

export function readPredictions(metric: string, yPred: MetricInput): PredictionBatch {
  const { data, shape } = asShaped(yPred);
  if (shape.length === 1) return { data, shape, batch: shape[0]!, classes: 1 };
  if (shape.length === 2 && shape[1]! >= 1) return { data, shape, batch: shape[0]!, classes: shape[1]! };
  throw new Error(
    `${metric}: predictions of shape ${formatShape(shape)}; expected [batch], [batch, 1] or [batch, classes]`,
  );
}

/** Index of the largest value in `data[offset, offset + width)`; the first wins ties. */
export function argmaxRow(data: NumericArray, offset: number, width: number): number {
  let best = 0;
  let bestValue = data[offset]!;
  for (let c = 1; c < width; c++) {
    const v = data[offset + c]!;
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

/**
 * The true class of each sample. Binary predictions give 0/1; multiclass gives indices in
 * [0, classes). Errors name the metric, both shapes, and the offending position and value.
 */
export function readClassIndices(
  metric: string,
  yTrue: MetricInput,
  pred: PredictionBatch,
  encoding: LabelEncoding = 'auto',
): Int32Array {
  const { data, shape } = asShaped(yTrue);
  const { batch, classes } = pred;
  const out = new Int32Array(batch);
  const mismatch = () =>
    new Error(
      `${metric}: labels of shape ${formatShape(shape)} do not match predictions of shape ` +
        `${formatShape(pred.shape)}; expected ${batch} class indices` +
        (classes > 1 ? ` or ${batch}×${classes} one-hot values` : ' of 0 or 1'),
    );
  if (classes === 1) {
    if (data.length !== batch || encoding === 'oneHot') throw mismatch();
    for (let i = 0; i < batch; i++) {
      const v = data[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new Error(`${metric}: binary label ${i} is ${v}; binary labels must lie in [0, 1]`);
      }
      out[i] = v > 0.5 ? 1 : 0;
    }
    return out;
  }
  const sparse = encoding === 'sparse' || (encoding === 'auto' && data.length === batch);
  if (sparse) {
    if (data.length !== batch) throw mismatch();
    for (let i = 0; i < batch; i++) {
      const v = data[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        throw new Error(
          `${metric}: label ${i} is ${v}; class indices must be integers in [0, ${classes - 1}]`,
        );
      }
      out[i] = v;
    }
    return out;
  }
  if (data.length !== batch * classes) throw mismatch();
  for (let i = 0; i < batch; i++) out[i] = argmaxRow(data, i * classes, classes);
  return out;
}

/** The predicted class of each sample: argmax for multiclass, `score > threshold` for binary. */
export function predictedClasses(pred: PredictionBatch, threshold: number): Int32Array {
  const { data, batch, classes } = pred;
  const out = new Int32Array(batch);
  if (classes === 1) {
    for (let i = 0; i < batch; i++) out[i] = data[i]! > threshold ? 1 : 0;
  } else {
    for (let i = 0; i < batch; i++) out[i] = argmaxRow(data, i * classes, classes);
  }
  return out;
}

/** The number of classes a prediction batch describes: 2 for a binary score column. */
export function classCount(pred: PredictionBatch): number {
  return pred.classes === 1 ? 2 : pred.classes;
}

/** Option checks shared by the classification metrics. */
export function checkThreshold(metric: string, threshold: number): number {
  if (!Number.isFinite(threshold)) {
    throw new Error(`${metric}: option 'threshold' must be a finite number, got ${threshold}`);
  }
  return threshold;
}

export function checkEncoding(metric: string, encoding: LabelEncoding): LabelEncoding {
  if (!labelEncodings.includes(encoding)) {
    throw new Error(
      `${metric}: option 'labels' is '${String(encoding)}'; valid values: ${labelEncodings.join(', ')}`,
    );
  }
  return encoding;
}
