/**
 * A classification report: everything the lab stores as run diagnostics after evaluation,
 * from one set of predictions — the confusion matrix, per-class precision / recall / F1 /
 * support, accuracy, macro and weighted averages, ROC curves with AUC and precision-recall
 * curves with average precision. Plain arrays and numbers throughout, so it serialises as JSON
 * (undefined scores are NaN, which JSON writes as null).
 */
import type { Accumulator, MetricInput } from './accumulator.js';
import { ConfusionMatrix, averagedScore, classScores } from './confusion.js';
import type { LabelEncoding } from './labels.js';
import { PrecisionRecallCurve, RocCurve, type PrecisionRecallSummary, type RocSummary } from './ranking.js';

export interface ClassificationReportOptions {
  /** Display names, one per class. Defaults to the class indices as strings. */
  classNames?: readonly string[];
  /** For binary predictions: class 1 when `score > threshold`. Defaults to 0.5. */
  threshold?: number;
  /** Label layout. Defaults to `'auto'` (class indices or one-hot, decided by size). */
  labels?: LabelEncoding;
}

export interface ClassReportRow {
  classIndex: number;
  className: string;
  precision: number;
  recall: number;
  f1: number;
  /** True samples of the class. */
  support: number;
}

export interface AveragedScores {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassificationReport {
  /** 2 for binary (`[batch]` / `[batch, 1]`) predictions. */
  numClasses: number;
  samples: number;
  /** `matrix[true][predicted]`. */
  confusionMatrix: number[][];
  perClass: ClassReportRow[];
  accuracy: number;
  /** Unweighted means over classes present in labels or predictions. */
  macro: AveragedScores;
  /** Means weighted by support. */
  weighted: AveragedScores;
  /** Binary: one curve, for the positive class. Multiclass: one one-vs-rest curve per class; `auc` is their macro mean. */
  roc: RocSummary;
  /** Shaped as `roc`; `averagePrecision` is the binary AP or the macro one-vs-rest mean. */
  precisionRecall: PrecisionRecallSummary;
}

/**
 * The report as an accumulator, for predictions that arrive in batches. Holds every score
 * (as the ROC/PR accumulators do). `result()` throws on an empty stream: a report of no
 * samples is a bug upstream, not a row of NaNs.
 */
export class ClassificationReporter implements Accumulator<ClassificationReport> {
  private readonly confusion: ConfusionMatrix;
  private readonly roc: RocCurve;
  private readonly precisionRecall: PrecisionRecallCurve;

  constructor(private readonly options: ClassificationReportOptions = {}) {
    const name = 'classificationReport';
    this.confusion = new ConfusionMatrix({ threshold: options.threshold, labels: options.labels }, name);
    this.roc = new RocCurve({ labels: options.labels }, name);
    this.precisionRecall = new PrecisionRecallCurve({ labels: options.labels }, name);
  }

  reset(): void {
    this.confusion.reset();
    this.roc.reset();
    this.precisionRecall.reset();
  }

  update(yTrue: MetricInput, yPred: MetricInput): void {
    this.confusion.update(yTrue, yPred);
    this.roc.update(yTrue, yPred);
    this.precisionRecall.update(yTrue, yPred);
  }

  result(): ClassificationReport {
    const matrix = this.confusion.result();
    const numClasses = matrix.length;
    const scores = classScores(matrix);
    const samples = scores.support.reduce((a, b) => a + b, 0);
    if (samples === 0)
      throw new Error('classificationReport: no samples; call update() with predictions first');
    const names = this.options.classNames;
    if (names && names.length !== numClasses) {
      throw new Error(
        `classificationReport: ${names.length} class names for ${numClasses} classes; give one name per class`,
      );
    }
    const averaged = (average: 'macro' | 'weighted'): AveragedScores => ({
      precision: averagedScore(matrix, 'precision', average),
      recall: averagedScore(matrix, 'recall', average),
      f1: averagedScore(matrix, 'f1', average),
    });
    return {
      numClasses,
      samples,
      confusionMatrix: matrix,
      perClass: matrix.map((_, c) => ({
        classIndex: c,
        className: names?.[c] ?? String(c),
        precision: scores.precision[c]!,
        recall: scores.recall[c]!,
        f1: scores.f1[c]!,
        support: scores.support[c]!,
      })),
      accuracy: averagedScore(matrix, 'precision', 'micro'),
      macro: averaged('macro'),
      weighted: averaged('weighted'),
      roc: this.roc.result(),
      precisionRecall: this.precisionRecall.result(),
    };
  }
}

/**
 * The full report for one set of predictions.
 *
 * @example
 * const report = classificationReport(new Int32Array([0, 1, 1]), shaped(probabilities, [3, 2]), {
 *   classNames: ['cat', 'dog'],
 * });
 * report.perClass[1].f1; report.roc.auc;
 */
export function classificationReport(
  yTrue: MetricInput,
  yPred: MetricInput,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  const reporter = new ClassificationReporter(options);
  reporter.update(yTrue, yPred);
  return reporter.result();
}
