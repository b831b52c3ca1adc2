/**
 * Streaming evaluation metrics over host typed arrays: accumulators with
 * `reset()` / `update(yTrue, yPred)` / `result()`, a registry by Keras-style name, and a
 * classification report for run diagnostics. Independent of the tensor engine: pass
 * `await tensor.data()` with `tensor.shape`.
 *
 * @example
 * const f1 = createMetric('f1', { average: 'macro' });
 * for (const { labels, probabilities } of batches) {
 *   f1.update(labels, shaped(probabilities, [labels.length, 10])); // Int32Array, Float32Array
 * }
 * f1.result();
 */
export {
  asShaped,
  shaped,
  type Accumulator,
  type Metric,
  type MetricInput,
  type NumericArray,
  type ShapedArray,
} from './accumulator.js';
export { labelEncodings, type LabelEncoding } from './labels.js';
export {
  Accuracy,
  BinaryAccuracy,
  F1Score,
  LogLoss,
  Precision,
  Recall,
  TopKAccuracy,
  type AccuracyOptions,
  type BinaryAccuracyOptions,
  type ClassScoreOptions,
  type LogLossOptions,
  type TopKAccuracyOptions,
} from './classification.js';
export {
  ConfusionMatrix,
  averagedScore,
  averagings,
  classScores,
  type Averaging,
  type ClassScoreKind,
  type ClassScores,
  type ConfusionMatrixOptions,
} from './confusion.js';
export {
  precisionRecallCurve,
  rocCurve,
  type PrecisionRecallCurveResult,
  type RocCurveResult,
} from './curves.js';
export {
  Auc,
  AveragePrecision,
  PrecisionRecallCurve,
  RocCurve,
  type AucOptions,
  type AveragePrecisionOptions,
  type PrecisionRecallSummary,
  type RankingOptions,
  type RocSummary,
} from './ranking.js';
export {
  CosineSimilarity,
  MeanAbsoluteError,
  MeanSquaredError,
  R2Score,
  RootMeanSquaredError,
  type CosineSimilarityOptions,
  type R2ScoreOptions,
  type RegressionOptions,
} from './regression.js';
export {
  canonicalMetricName,
  createMetric,
  metricAliases,
  metricNames,
  type MetricName,
} from './registry.js';
export {
  ClassificationReporter,
  classificationReport,
  type AveragedScores,
  type ClassReportRow,
  type ClassificationReport,
  type ClassificationReportOptions,
} from './report.js';
