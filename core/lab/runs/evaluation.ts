// The final evaluation of a classification run, in the trainer: the model's class probabilities
// on the evaluation split (test, else validation) turned into a report — confusion matrix,
// per-class precision/recall/F1, ROC and precision-recall curves with AUC and AP — by
// core/engine/metrics. Plain JSON (NaN becomes null), curves thinned for storage and charts.
import { classificationReport, shaped } from '../../engine/metrics/index.js';
import { dispose, tensor, type Tensor } from '../../engine/index.js';
import { predict, type TrainableModel } from '../../engine/train/index.js';

/** Points kept per curve: plenty for a chart; AUC and AP are computed on the full curve first. */
export const CURVE_POINTS = 200;

type Score = number | null;

export interface ClassificationEvaluation {
  split: 'validation' | 'test';
  samples: number;
  numClasses: number;
  classNames: string[];
  accuracy: Score;
  /** `confusionMatrix[true][predicted]`: counts. */
  confusionMatrix: number[][];
  perClass: { className: string; precision: Score; recall: Score; f1: Score; support: number }[];
  macro: { precision: Score; recall: Score; f1: Score };
  weighted: { precision: Score; recall: Score; f1: Score };
  /** Binary: one curve, for the positive class (class 1). Multiclass: one-vs-rest per class; `auc` is their macro mean. */
  roc: { auc: Score; curves: { className: string; fpr: number[]; tpr: number[]; auc: Score }[] };
  precisionRecall: {
    averagePrecision: Score;
    curves: { className: string; recall: number[]; precision: number[]; averagePrecision: Score }[];
  };
}

const score = (value: number): Score => (Number.isFinite(value) ? value : null);

/** Indices of at most `limit` points spread evenly along a curve, always with its ends. */
export function thinIndices(length: number, limit: number): number[] {
  if (length <= limit) return Array.from({ length }, (_, i) => i);
  const picked = new Set<number>();
  for (let k = 0; k < limit; k++) picked.add(Math.round((k * (length - 1)) / (limit - 1)));
  return [...picked].sort((a, b) => a - b);
}

/**
 * Turns model outputs into probabilities when they are not already: a row that is not a
 * distribution (values outside [0, 1], or several columns not summing to 1) is taken as logits
 * (softmax across columns; a sigmoid for one column). Ranking curves need probabilities: the
 * softmax is not monotone in one class's logit.
 */
export function toProbabilities(values: Float32Array, columns: number): Float32Array {
  const rows = values.length / columns;
  let probabilities = values.every((v) => v >= 0 && v <= 1);
  if (probabilities && columns > 1) {
    for (let r = 0; r < rows && probabilities; r++) {
      let sum = 0;
      for (let c = 0; c < columns; c++) sum += values[r * columns + c]!;
      if (Math.abs(sum - 1) > 1e-3) probabilities = false;
    }
  }
  if (probabilities) return values;
  const out = new Float32Array(values.length);
  if (columns === 1) {
    for (let i = 0; i < values.length; i++) out[i] = 1 / (1 + Math.exp(-values[i]!));
    return out;
  }
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < columns; c++) max = Math.max(max, values[r * columns + c]!);
    let sum = 0;
    for (let c = 0; c < columns; c++) sum += out[r * columns + c] = Math.exp(values[r * columns + c]! - max);
    for (let c = 0; c < columns; c++) out[r * columns + c]! /= sum;
  }
  return out;
}

/** The report for given labels and model outputs (`outputs` is `[rows, columns]`). */
export function evaluationReport(
  split: 'validation' | 'test',
  labels: Int32Array,
  outputs: Float32Array,
  columns: number,
  classNames: readonly string[] | null,
): ClassificationEvaluation {
  const probabilities = toProbabilities(outputs, columns);
  const numClasses = columns === 1 ? 2 : columns;
  const names = classNames && classNames.length === numClasses ? [...classNames] : undefined;
  const report = classificationReport(labels, shaped(probabilities, [labels.length, columns]), {
    ...(names && { classNames: names }),
    labels: 'sparse',
  });
  const classNameOf = report.perClass.map((row) => row.className);
  // Binary reports carry one curve, for the positive class.
  const curveClass = (i: number) => (report.roc.curves.length === 1 ? classNameOf[1]! : classNameOf[i]!);
  return {
    split,
    samples: report.samples,
    numClasses: report.numClasses,
    classNames: classNameOf,
    accuracy: score(report.accuracy),
    confusionMatrix: report.confusionMatrix,
    perClass: report.perClass.map((row) => ({
      className: row.className,
      precision: score(row.precision),
      recall: score(row.recall),
      f1: score(row.f1),
      support: row.support,
    })),
    macro: {
      precision: score(report.macro.precision),
      recall: score(report.macro.recall),
      f1: score(report.macro.f1),
    },
    weighted: {
      precision: score(report.weighted.precision),
      recall: score(report.weighted.recall),
      f1: score(report.weighted.f1),
    },
    roc: {
      auc: score(report.roc.auc),
      curves: report.roc.curves.map((curve, i) => {
        const keep = thinIndices(curve.fpr.length, CURVE_POINTS);
        return {
          className: curveClass(i),
          fpr: keep.map((k) => curve.fpr[k]!),
          tpr: keep.map((k) => curve.tpr[k]!),
          auc: score(curve.auc),
        };
      }),
    },
    precisionRecall: {
      averagePrecision: score(report.precisionRecall.averagePrecision),
      curves: report.precisionRecall.curves.map((curve, i) => {
        const keep = thinIndices(curve.recall.length, CURVE_POINTS);
        return {
          className: curveClass(i),
          recall: keep.map((k) => curve.recall[k]!),
          precision: keep.map((k) => curve.precision[k]!),
          averagePrecision: score(curve.averagePrecision),
        };
      }),
    },
  };
}

/** Predicts on `x` (host features, `[rows, ...featureShape]`) and reports against `labels`. */
export async function evaluateClassifier(
  model: TrainableModel,
  split: 'validation' | 'test',
  part: { x: Float32Array; y: Int32Array | Float32Array; rows: number },
  featureShape: readonly number[],
  classNames: readonly string[] | null,
  batchSize: number,
): Promise<ClassificationEvaluation> {
  if (!(part.y instanceof Int32Array) || part.y.length !== part.rows) {
    throw new Error('evaluation: classification labels must be one class index per row');
  }
  const owned: Tensor[] = [];
  try {
    const x = tensor(part.x, [part.rows, ...featureShape]);
    owned.push(x);
    const outputs = predict(model, x, { batchSize: Math.max(batchSize, 256) });
    owned.push(outputs);
    const columns = outputs.shape.length > 1 ? outputs.shape[outputs.shape.length - 1]! : 1;
    const values = Float32Array.from(await outputs.data());
    return evaluationReport(split, part.y, values, columns, classNames);
  } finally {
    dispose(owned);
  }
}
