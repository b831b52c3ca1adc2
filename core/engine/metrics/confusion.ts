/**
 * The confusion matrix and the per-class scores read from it. Precision, recall and F1 are all
 * counts in this matrix, so they share one accumulator and one averaging rule.
 */
import type { Accumulator, MetricInput } from './accumulator.js';
import {
  checkEncoding,
  checkThreshold,
  classCount,
  predictedClasses,
  readClassIndices,
  readPredictions,
  type LabelEncoding,
} from './labels.js';

export interface ConfusionMatrixOptions {
  /** Binary predictions count as class 1 when `score > threshold`. Defaults to 0.5. */
  threshold?: number;
  /** Label layout. Defaults to `'auto'` (class indices or one-hot, decided by size). */
  labels?: LabelEncoding;
}

/**
 * Counts of (true class, predicted class) pairs: `matrix[t][p]`, rows are the true class.
 * The class count comes from the first batch (2 for binary predictions) and every later batch
 * must agree. `result()` on an empty stream is `[]`.
 *
 * @example
 * const cm = new ConfusionMatrix();
 * cm.update(new Int32Array([0, 1, 1]), shaped(new Float32Array([0.9, 0.1, 0.2, 0.8, 0.6, 0.4]), [3, 2]));
 * cm.result(); // [[1, 0], [1, 1]]
 */
export class ConfusionMatrix implements Accumulator<number[][]> {
  private readonly threshold: number;
  private readonly encoding: LabelEncoding;
  private counts: Float64Array = new Float64Array(0);
  private classes = 0;

  constructor(
    options: ConfusionMatrixOptions = {},
    private readonly metricName = 'confusionMatrix',
  ) {
    this.threshold = checkThreshold(metricName, options.threshold ?? 0.5);
    this.encoding = checkEncoding(metricName, options.labels ?? 'auto');
  }

  reset(): void {
    this.counts = new Float64Array(0);
    this.classes = 0;
  }

  update(yTrue: MetricInput, yPred: MetricInput): void {
    const pred = readPredictions(this.metricName, yPred);
    const truth = readClassIndices(this.metricName, yTrue, pred, this.encoding);
    const k = classCount(pred);
    if (this.classes === 0) {
      this.classes = k;
      this.counts = new Float64Array(k * k);
    } else if (k !== this.classes) {
      throw new Error(
        `${this.metricName}: this batch has ${k} classes but earlier batches had ${this.classes}`,
      );
    }
    const predicted = predictedClasses(pred, this.threshold);
    for (let i = 0; i < truth.length; i++) this.counts[truth[i]! * k + predicted[i]!]! += 1;
  }

  /** The class count seen so far (0 before the first batch). */
  get numClasses(): number {
    return this.classes;
  }

  result(): number[][] {
    const k = this.classes;
    return Array.from({ length: k }, (_, t) => Array.from(this.counts.subarray(t * k, (t + 1) * k)));
  }
}

/** Per-class counts and scores; arrays are indexed by class. */
export interface ClassScores {
  /** TP / (TP + FP); 0 for a class never predicted. */
  precision: number[];
  /** TP / (TP + FN); 0 for a class that never occurs. */
  recall: number[];
  /** 2·P·R / (P + R); 0 when P + R = 0. */
  f1: number[];
  /** True samples of the class (row sums). */
  support: number[];
  /** Samples predicted as the class (column sums). */
  predicted: number[];
  /** Correct predictions of the class (the diagonal). */
  truePositives: number[];
}

/** Precision, recall, F1 and support for every class of a confusion matrix (rows = true). */
export function classScores(matrix: readonly (readonly number[])[]): ClassScores {
  const k = matrix.length;
  const support = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = Array.from({ length: k }, (_, c) => matrix.reduce((a, row) => a + row[c]!, 0));
  const truePositives = matrix.map((row, c) => row[c]!);
  // A 0/0 ratio is scored 0 (scikit-learn's zero_division=0): never NaN, never a warning.
  const ratio = (num: number, den: number) => (den > 0 ? num / den : 0);
  const precision = truePositives.map((tp, c) => ratio(tp, predicted[c]!));
  const recall = truePositives.map((tp, c) => ratio(tp, support[c]!));
  const f1 = precision.map((p, c) => ratio(2 * p * recall[c]!, p + recall[c]!));
  return { precision, recall, f1, support, predicted, truePositives };
}

/**
 * How per-class scores become one number.
 * - `'binary'`: the score of the positive class alone.
 * - `'macro'`: the unweighted mean over classes that occur in the labels or the predictions.
 * - `'micro'`: the score of the pooled counts (ΣTP / ΣFP+TP, …); for single-label data all
 *   three micro scores equal accuracy.
 * - `'weighted'`: the mean over classes weighted by support.
 */
export type Averaging = 'binary' | 'macro' | 'micro' | 'weighted';

export const averagings: readonly Averaging[] = ['binary', 'macro', 'micro', 'weighted'];

export type ClassScoreKind = 'precision' | 'recall' | 'f1';

/**
 * One averaged score from a confusion matrix. NaN for an empty matrix (no samples).
 * Macro F1 is the mean of per-class F1 (scikit-learn's definition), not the F1 of macro P and R.
 */
export function averagedScore(
  matrix: readonly (readonly number[])[],
  kind: ClassScoreKind,
  average: Averaging,
  positiveClass = 1,
): number {
  const scores = classScores(matrix);
  const total = scores.support.reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  const values = scores[kind];
  switch (average) {
    case 'binary':
      return values[positiveClass] ?? 0;
    case 'micro': {
      const tp = scores.truePositives.reduce((a, b) => a + b, 0);
      // Single-label data: ΣFP = ΣFN = total − ΣTP, so precision = recall = F1 = ΣTP / total.
      return tp / total;
    }
    case 'macro': {
      const present = values.filter((_, c) => scores.support[c]! > 0 || scores.predicted[c]! > 0);
      return present.reduce((a, b) => a + b, 0) / present.length;
    }
    case 'weighted':
      return values.reduce((a, v, c) => a + v * scores.support[c]!, 0) / total;
  }
}
