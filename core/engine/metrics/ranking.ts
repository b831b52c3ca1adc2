/**
 * Streaming accumulators for the ranking metrics (ROC, precision-recall, AUC, average
 * precision). Exact curves need every score, so these keep them: a growing Float32Array of
 * scores (one per sample for binary, `classes` per sample otherwise) and an Int32Array of true
 * classes — 4·(classes + 1) bytes per sample, e.g. 440 kB for 10 000 samples of 10 classes.
 * Capacity doubles as batches arrive; `reset()` releases it.
 *
 * Multiclass curves are one-vs-rest (class c against all others, scored by column c), and the
 * single number is their macro mean over classes that have both positives and negatives
 * (NaN when none do). Column scores should be probabilities: softmax is not monotone per
 * column, so logits can rank samples differently. For binary scores any monotone score works.
 */
import type { Accumulator, Metric, MetricInput } from './accumulator.js';
import {
  binaryCounts,
  oneVsRestCounts,
  precisionRecallFromCounts,
  rocFromCounts,
  type PrecisionRecallCurveResult,
  type RankedCounts,
  type RocCurveResult,
} from './curves.js';
import { checkEncoding, readClassIndices, readPredictions, type LabelEncoding } from './labels.js';

export interface RankingOptions {
  /** Label layout. Defaults to `'auto'` (class indices or one-hot, decided by size). */
  labels?: LabelEncoding;
}

/** Every score and true class seen so far, in arrival order. */
export class ScoreBuffer {
  private scores = new Float32Array(0);
  private truth = new Int32Array(0);
  private samples = 0;
  private width = 0;

  constructor(
    private readonly metricName: string,
    private readonly encoding: LabelEncoding = 'auto',
  ) {
    checkEncoding(metricName, encoding);
  }

  reset(): void {
    this.scores = new Float32Array(0);
    this.truth = new Int32Array(0);
    this.samples = 0;
    this.width = 0;
  }

  add(yTrue: MetricInput, yPred: MetricInput): void {
    const pred = readPredictions(this.metricName, yPred);
    const classes = readClassIndices(this.metricName, yTrue, pred, this.encoding);
    if (this.width === 0) this.width = pred.classes;
    else if (pred.classes !== this.width) {
      throw new Error(
        `${this.metricName}: this batch has ${pred.classes} score columns but earlier batches had ${this.width}`,
      );
    }
    this.reserve(this.samples + pred.batch);
    this.scores.set(pred.data, this.samples * this.width);
    this.truth.set(classes, this.samples);
    this.samples += pred.batch;
  }

  private reserve(samples: number): void {
    if (samples <= this.truth.length) return;
    const capacity = Math.max(samples, 2 * this.truth.length, 256);
    const scores = new Float32Array(capacity * this.width);
    scores.set(this.scores.subarray(0, this.samples * this.width));
    const truth = new Int32Array(capacity);
    truth.set(this.truth.subarray(0, this.samples));
    this.scores = scores;
    this.truth = truth;
  }

  /** Ranked counts per curve: one (positive class) for binary scores, one per class otherwise. */
  rankedCounts(): RankedCounts[] {
    const n = this.samples;
    const truth = this.truth.subarray(0, n);
    const scores = this.scores.subarray(0, n * this.width);
    if (this.width === 1) return [binaryCounts(this.metricName, truth, scores)];
    return Array.from({ length: this.width }, (_, c) =>
      oneVsRestCounts(this.metricName, truth, scores, this.width, c),
    );
  }

  get size(): number {
    return this.samples;
  }
}

/** Mean of the defined values; NaN when none is. */
function macroMean(values: number[]): number {
  const defined = values.filter((v) => !Number.isNaN(v));
  return defined.length === 0 ? NaN : defined.reduce((a, b) => a + b, 0) / defined.length;
}

/** ROC curves and their AUC: one curve for binary scores, one per class (one-vs-rest) otherwise. */
export interface RocSummary {
  curves: RocCurveResult[];
  /** Binary AUC, or the macro mean of the one-vs-rest AUCs. */
  auc: number;
}

/** Precision-recall curves and average precision, shaped as `RocSummary`. */
export interface PrecisionRecallSummary {
  curves: PrecisionRecallCurveResult[];
  /** Binary AP, or the macro mean of the one-vs-rest APs. */
  averagePrecision: number;
}

/**
 * The exact ROC curve(s) over every streamed sample (see the module note on memory).
 * An empty stream gives no curves and NaN AUC.
 */
export class RocCurve implements Accumulator<RocSummary> {
  private readonly buffer: ScoreBuffer;

  constructor(options: RankingOptions = {}, name = 'rocCurve') {
    this.buffer = new ScoreBuffer(name, options.labels);
  }

  reset(): void {
    this.buffer.reset();
  }

  update(yTrue: MetricInput, yPred: MetricInput): void {
    this.buffer.add(yTrue, yPred);
  }

  result(): RocSummary {
    const curves = this.buffer.rankedCounts().map(rocFromCounts);
    return { curves, auc: macroMean(curves.map((c) => c.auc)) };
  }
}

/**
 * The exact precision-recall curve(s) over every streamed sample (see the module note on
 * memory). An empty stream gives no curves and NaN average precision.
 */
export class PrecisionRecallCurve implements Accumulator<PrecisionRecallSummary> {
  private readonly buffer: ScoreBuffer;

  constructor(options: RankingOptions = {}, name = 'precisionRecallCurve') {
    this.buffer = new ScoreBuffer(name, options.labels);
  }

  reset(): void {
    this.buffer.reset();
  }

  update(yTrue: MetricInput, yPred: MetricInput): void {
    this.buffer.add(yTrue, yPred);
  }

  result(): PrecisionRecallSummary {
    const curves = this.buffer.rankedCounts().map(precisionRecallFromCounts);
    return { curves, averagePrecision: macroMean(curves.map((c) => c.averagePrecision)) };
  }
}

export interface AucOptions extends RankingOptions {
  /** History key. Defaults to `'auc'`. */
  name?: string;
}

/**
 * Area under the ROC curve, exact (no threshold buckets, unlike Keras's 200-bucket AUC):
 * AUC = P(score⁺ > score⁻) + ½·P(score⁺ = score⁻). Multiclass: macro one-vs-rest mean.
 * NaN when no class has both positives and negatives (including the empty stream).
 */
export class Auc implements Metric {
  readonly name: string;
  private readonly curve: RocCurve;

  constructor(options: AucOptions = {}) {
    this.name = options.name ?? 'auc';
    this.curve = new RocCurve(options, this.name);
  }

  reset(): void {
    this.curve.reset();
  }

  update(yTrue: MetricInput, yPred: MetricInput): void {
    this.curve.update(yTrue, yPred);
  }

  result(): number {
    return this.curve.result().auc;
  }
}

export interface AveragePrecisionOptions extends RankingOptions {
  /** History key. Defaults to `'averagePrecision'`. */
  name?: string;
}

/**
 * Average precision, the step-wise area under the precision-recall curve:
 * AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over decreasing thresholds, R₀ = 0. Multiclass: macro one-vs-rest
 * mean. NaN when no class has positives (including the empty stream).
 */
export class AveragePrecision implements Metric {
  readonly name: string;
  private readonly curve: PrecisionRecallCurve;

  constructor(options: AveragePrecisionOptions = {}) {
    this.name = options.name ?? 'averagePrecision';
    this.curve = new PrecisionRecallCurve(options, this.name);
  }

  reset(): void {
    this.curve.reset();
  }

  update(yTrue: MetricInput, yPred: MetricInput): void {
    this.curve.update(yTrue, yPred);
  }

  result(): number {
    return this.curve.result().averagePrecision;
  }
}
