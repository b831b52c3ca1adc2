/**
 * Classification metrics that stream as counts or sums: accuracy (argmax, binary, top-k),
 * precision / recall / F1 from a confusion matrix, and log loss. Predictions are `[batch]` /
 * `[batch, 1]` binary scores or `[batch, classes]` scores; labels are class indices or one-hot
 * rows (see labels.ts). Every `result()` on an empty stream is NaN.
 */
import type { Metric, MetricInput } from './accumulator.js';
import {
  ConfusionMatrix,
  averagedScore,
  averagings,
  type Averaging,
  type ClassScoreKind,
} from './confusion.js';
import {
  checkEncoding,
  checkThreshold,
  predictedClasses,
  readClassIndices,
  readPredictions,
  type LabelEncoding,
} from './labels.js';

/** A metric that is a mean of per-sample values, kept as a float64 sum and a count. */
abstract class MeanMetric implements Metric {
  private sum = 0;
  private count = 0;

  constructor(readonly name: string) {}

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }

  update(yTrue: MetricInput, yPred: MetricInput): void {
    const [sum, count] = this.batchSum(yTrue, yPred);
    this.sum += sum;
    this.count += count;
  }

  result(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /** The batch's summed per-sample values and its sample count. */
  protected abstract batchSum(yTrue: MetricInput, yPred: MetricInput): [number, number];
}

export interface AccuracyOptions {
  /** History key. Defaults to `'accuracy'`. */
  name?: string;
  /** Label layout. Defaults to `'auto'` (class indices or one-hot, decided by size). */
  labels?: LabelEncoding;
  /** For binary (`[batch]`, `[batch, 1]`) predictions: class 1 when `score > threshold`. Defaults to 0.5. */
  threshold?: number;
}

/**
 * The fraction of samples whose predicted class is the true class:
 * accuracy = (1/N) Σ [argmax ŷᵢ = yᵢ]. Binary predictions are thresholded instead of argmaxed
 * (as Keras resolves `'accuracy'` for a sigmoid output). Argmax ties go to the lowest class.
 *
 * @example
 * const acc = new Accuracy();
 * acc.update(new Int32Array([2, 0]), shaped(new Float32Array([0.1, 0.2, 0.7, 0.3, 0.6, 0.1]), [2, 3]));
 * acc.result(); // 0.5
 */
export class Accuracy extends MeanMetric {
  private readonly encoding: LabelEncoding;
  private readonly threshold: number;

  constructor(options: AccuracyOptions = {}) {
    super(options.name ?? 'accuracy');
    this.encoding = checkEncoding(this.name, options.labels ?? 'auto');
    this.threshold = checkThreshold(this.name, options.threshold ?? 0.5);
  }

  protected batchSum(yTrue: MetricInput, yPred: MetricInput): [number, number] {
    const pred = readPredictions(this.name, yPred);
    const truth = readClassIndices(this.name, yTrue, pred, this.encoding);
    const predicted = predictedClasses(pred, this.threshold);
    let correct = 0;
    for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) correct++;
    return [correct, truth.length];
  }
}

export interface BinaryAccuracyOptions {
  /** History key. Defaults to `'binaryAccuracy'`. */
  name?: string;
  /** A prediction is positive when `score > threshold`; use 0 for logits. Defaults to 0.5. */
  threshold?: number;
}

/**
 * The fraction of binary decisions that match the labels, element-wise:
 * binaryAccuracy = (1/N) Σ [(ŷᵢ > threshold) = (yᵢ > 0.5)]. Every value counts, so a
 * `[batch, labels]` multi-label output is scored per label. Labels must lie in [0, 1].
 */
export class BinaryAccuracy extends MeanMetric {
  private readonly threshold: number;

  constructor(options: BinaryAccuracyOptions = {}) {
    super(options.name ?? 'binaryAccuracy');
    this.threshold = checkThreshold(this.name, options.threshold ?? 0.5);
  }

  protected batchSum(yTrue: MetricInput, yPred: MetricInput): [number, number] {
    const pred = readPredictions(this.name, yPred);
    // Element-wise: view every value as its own binary sample.
    const flat = { data: pred.data, shape: [pred.data.length], batch: pred.data.length, classes: 1 };
    const truth = readClassIndices(this.name, yTrue, flat, 'sparse');
    const predicted = predictedClasses(flat, this.threshold);
    let correct = 0;
    for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) correct++;
    return [correct, truth.length];
  }
}

export interface TopKAccuracyOptions {
  /** History key. Defaults to `'topKCategoricalAccuracy'`. */
  name?: string;
  /** How many of the highest-scored classes count as a hit. Defaults to 5 (as Keras). */
  k?: number;
  /** Label layout. Defaults to `'auto'` (class indices or one-hot, decided by size). */
  labels?: LabelEncoding;
}

/**
 * The fraction of samples whose true class is among the k highest scores:
 * topK = (1/N) Σ [#{c : ŷᵢc > ŷᵢ,yᵢ} < k]. Ties are generous, as in TensorFlow's `in_top_k`:
 * classes tied with the true class's score do not push it out. Needs `[batch, classes]` scores.
 */
export class TopKAccuracy extends MeanMetric {
  private readonly k: number;
  private readonly encoding: LabelEncoding;

  constructor(options: TopKAccuracyOptions = {}) {
    super(options.name ?? 'topKCategoricalAccuracy');
    this.k = options.k ?? 5;
    if (!Number.isInteger(this.k) || this.k < 1) {
      throw new Error(`${this.name}: option 'k' must be a positive integer, got ${this.k}`);
    }
    this.encoding = checkEncoding(this.name, options.labels ?? 'auto');
  }

  protected batchSum(yTrue: MetricInput, yPred: MetricInput): [number, number] {
    const pred = readPredictions(this.name, yPred);
    if (pred.classes < 2) {
      throw new Error(`${this.name}: needs [batch, classes] scores, got shape [${pred.shape.join(', ')}]`);
    }
    const truth = readClassIndices(this.name, yTrue, pred, this.encoding);
    const { data, classes } = pred;
    let hits = 0;
    for (let i = 0; i < truth.length; i++) {
      const target = data[i * classes + truth[i]!]!;
      let above = 0;
      for (let c = 0; c < classes; c++) if (data[i * classes + c]! > target) above++;
      if (above < this.k) hits++;
    }
    return [hits, truth.length];
  }
}

export interface ClassScoreOptions {
  /** History key. Defaults to `'precision'`, `'recall'` or `'f1'`. */
  name?: string;
  /**
   * How per-class scores combine: `'binary'` (the positive class only), `'macro'`, `'micro'` or
   * `'weighted'` (see `Averaging`). Defaults to `'binary'` for two classes (binary scores or
   * `[batch, 2]`) and `'macro'` for more.
   */
  average?: Averaging;
  /** The class scored by `average: 'binary'`. Defaults to 1. */
  positiveClass?: number;
  /** For binary predictions: class 1 when `score > threshold`. Defaults to 0.5. */
  threshold?: number;
  /** Label layout. Defaults to `'auto'` (class indices or one-hot, decided by size). */
  labels?: LabelEncoding;
}

/** Precision, recall and F1: a streaming confusion matrix read through one averaging rule. */
class ClassScoreMetric implements Metric {
  readonly name: string;
  private readonly matrix: ConfusionMatrix;
  private readonly average: Averaging | undefined;
  private readonly positiveClass: number;

  constructor(
    private readonly kind: ClassScoreKind,
    options: ClassScoreOptions,
  ) {
    this.name = options.name ?? kind;
    if (options.average !== undefined && !averagings.includes(options.average)) {
      throw new Error(
        `${this.name}: option 'average' is '${String(options.average)}'; valid values: ${averagings.join(', ')}`,
      );
    }
    this.average = options.average;
    this.positiveClass = options.positiveClass ?? 1;
    if (!Number.isInteger(this.positiveClass) || this.positiveClass < 0) {
      throw new Error(
        `${this.name}: option 'positiveClass' must be a class index, got ${this.positiveClass}`,
      );
    }
    this.matrix = new ConfusionMatrix({ threshold: options.threshold, labels: options.labels }, this.name);
  }

  reset(): void {
    this.matrix.reset();
  }

  update(yTrue: MetricInput, yPred: MetricInput): void {
    this.matrix.update(yTrue, yPred);
  }

  result(): number {
    const k = this.matrix.numClasses;
    if (k === 0) return NaN;
    const average = this.average ?? (k === 2 ? 'binary' : 'macro');
    if (average === 'binary' && this.positiveClass >= k) {
      throw new Error(`${this.name}: positiveClass ${this.positiveClass} is not one of the ${k} classes`);
    }
    return averagedScore(this.matrix.result(), this.kind, average, this.positiveClass);
  }
}

/**
 * The fraction of positive predictions that are right: precision = TP / (TP + FP).
 * A class never predicted scores 0 (not NaN). See `ClassScoreOptions` for averaging.
 */
export class Precision extends ClassScoreMetric {
  constructor(options: ClassScoreOptions = {}) {
    super('precision', options);
  }
}

/**
 * The fraction of true positives found: recall = TP / (TP + FN).
 * A class that never occurs scores 0 (not NaN). See `ClassScoreOptions` for averaging.
 */
export class Recall extends ClassScoreMetric {
  constructor(options: ClassScoreOptions = {}) {
    super('recall', options);
  }
}

/**
 * The harmonic mean of precision and recall: F1 = 2·P·R / (P + R), 0 when P + R = 0.
 * Macro F1 averages per-class F1. See `ClassScoreOptions` for averaging.
 */
export class F1Score extends ClassScoreMetric {
  constructor(options: ClassScoreOptions = {}) {
    super('f1', options);
  }
}

export interface LogLossOptions {
  /** History key. Defaults to `'logLoss'`. */
  name?: string;
  /** Probabilities are clipped to [eps, 1 − eps] so a confident mistake costs −log(eps), not ∞. Defaults to 1e-7. */
  eps?: number;
  /** Predictions are logits (sigmoid for binary, softmax across classes). Defaults to false. */
  fromLogits?: boolean;
  /** Label layout. Defaults to `'auto'`; one-hot rows may be soft (label smoothing). */
  labels?: LabelEncoding;
}

/**
 * Cross-entropy of the predicted probabilities, averaged over samples.
 * Binary: −(1/N) Σ [y log p + (1 − y) log(1 − p)], with soft labels y ∈ [0, 1] used as given.
 * Multiclass: −(1/N) Σᵢ Σc yᵢc log pᵢc (one-hot or soft rows; class indices pick one term).
 * p is clipped to [eps, 1 − eps] and not renormalised.
 */
export class LogLoss extends MeanMetric {
  private readonly eps: number;
  private readonly fromLogits: boolean;
  private readonly encoding: LabelEncoding;

  constructor(options: LogLossOptions = {}) {
    super(options.name ?? 'logLoss');
    this.eps = options.eps ?? 1e-7;
    if (!(this.eps > 0 && this.eps < 0.5)) {
      throw new Error(`${this.name}: option 'eps' must be in (0, 0.5), got ${this.eps}`);
    }
    this.fromLogits = options.fromLogits ?? false;
    this.encoding = checkEncoding(this.name, options.labels ?? 'auto');
  }

  private clip(p: number): number {
    return Math.min(1 - this.eps, Math.max(this.eps, p));
  }

  protected batchSum(yTrue: MetricInput, yPred: MetricInput): [number, number] {
    const pred = readPredictions(this.name, yPred);
    const { data, batch, classes } = pred;
    const truth = ArrayBuffer.isView(yTrue) ? yTrue : yTrue.data;
    let sum = 0;
    if (classes === 1) {
      readClassIndices(this.name, yTrue, pred, 'sparse'); // validates shape and range
      for (let i = 0; i < batch; i++) {
        const p = this.clip(this.fromLogits ? 1 / (1 + Math.exp(-data[i]!)) : data[i]!);
        const y = truth[i]!;
        sum -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
      }
      return [sum, batch];
    }
    const probs = new Float64Array(classes);
    const sparse = this.encoding === 'sparse' || (this.encoding === 'auto' && truth.length === batch);
    const indices = sparse ? readClassIndices(this.name, yTrue, pred, 'sparse') : undefined;
    if (!sparse) readClassIndices(this.name, yTrue, pred, 'oneHot'); // validates shape
    for (let i = 0; i < batch; i++) {
      this.rowProbabilities(data, i * classes, probs);
      if (indices) {
        sum -= Math.log(this.clip(probs[indices[i]!]!));
      } else {
        for (let c = 0; c < classes; c++) {
          const y = truth[i * classes + c]!;
          if (y !== 0) sum -= y * Math.log(this.clip(probs[c]!));
        }
      }
    }
    return [sum, batch];
  }

  private rowProbabilities(data: ArrayLike<number>, offset: number, out: Float64Array): void {
    const classes = out.length;
    if (!this.fromLogits) {
      for (let c = 0; c < classes; c++) out[c] = data[offset + c]!;
      return;
    }
    // Softmax with the row maximum subtracted, so large logits do not overflow.
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, data[offset + c]!);
    let total = 0;
    for (let c = 0; c < classes; c++) total += out[c] = Math.exp(data[offset + c]! - max);
    for (let c = 0; c < classes; c++) out[c]! /= total;
  }
}
