/**
 * Exact ROC and precision-recall curves from binary labels and scores, with ROC AUC and
 * average precision. These are pure functions over complete arrays; the streaming
 * accumulators that collect the arrays live in ranking.ts.
 *
 * Both walk the samples by decreasing score and emit one point per distinct score, so tied
 * scores move the curve in one diagonal step (which makes ROC AUC the Mann-Whitney
 * probability P(score⁺ > score⁻) + ½·P(score⁺ = score⁻)). A point at threshold t describes the
 * decision "positive when score ≥ t". No intermediate points are dropped.
 */

/** A receiver operating characteristic curve, ordered by decreasing threshold. */
export interface RocCurveResult {
  /** False-positive rate FP / N at each threshold; starts at 0. */
  fpr: number[];
  /** True-positive rate TP / P at each threshold; starts at 0. */
  tpr: number[];
  /** The score thresholds; the first is `Infinity` (nothing predicted positive). */
  thresholds: number[];
  /** Area under the curve by the trapezoid rule; NaN without both a positive and a negative. */
  auc: number;
  /** Positive samples (P). */
  positives: number;
  /** Negative samples (N). */
  negatives: number;
}

/** A precision-recall curve, ordered by decreasing threshold (so increasing recall). */
export interface PrecisionRecallCurveResult {
  /** TP / (TP + FP) at each threshold; the first point is (recall 0, precision 1). */
  precision: number[];
  /** TP / P at each threshold. */
  recall: number[];
  /** The score thresholds; the first is `Infinity`. */
  thresholds: number[];
  /** AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ (scikit-learn's step-wise sum, no interpolation); NaN without positives. */
  averagePrecision: number;
  /** Positive samples (P). */
  positives: number;
}

/** A walk down the scores: cumulative (TP, FP) after each group of equal scores. */
export interface RankedCounts {
  thresholds: number[];
  truePositives: number[];
  falsePositives: number[];
  positives: number;
  negatives: number;
}

function rankedCounts(
  name: string,
  isPositive: (i: number) => boolean,
  score: (i: number) => number,
  count: number,
): RankedCounts {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    if (Number.isNaN(score(i))) throw new Error(`${name}: score ${i} is NaN; curves need every score`);
    order[i] = i;
  }
  order.sort((a, b) => score(b) - score(a));
  const thresholds: number[] = [];
  const truePositives: number[] = [];
  const falsePositives: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < count; r++) {
    const i = order[r]!;
    if (isPositive(i)) tp++;
    else fp++;
    // Close the group only after its last tied sample.
    if (r + 1 === count || score(order[r + 1]!) !== score(i)) {
      thresholds.push(score(i));
      truePositives.push(tp);
      falsePositives.push(fp);
    }
  }
  return { thresholds, truePositives, falsePositives, positives: tp, negatives: fp };
}

/**
 * The ROC curve and its AUC for binary labels (non-zero = positive) and scores (higher =
 * more positive; any monotone score works, probabilities or logits).
 *
 * @example
 * rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).auc; // 0.75
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocCurveResult {
  checkLengths('rocCurve', labels, scores);
  const counts = rankedCounts(
    'rocCurve',
    (i) => labels[i] !== 0,
    (i) => scores[i]!,
    labels.length,
  );
  return rocFromCounts(counts);
}

/**
 * The precision-recall curve and average precision for binary labels (non-zero = positive)
 * and scores.
 *
 * @example
 * precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).averagePrecision; // 0.8333…
 */
export function precisionRecallCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): PrecisionRecallCurveResult {
  checkLengths('precisionRecallCurve', labels, scores);
  const counts = rankedCounts(
    'precisionRecallCurve',
    (i) => labels[i] !== 0,
    (i) => scores[i]!,
    labels.length,
  );
  return precisionRecallFromCounts(counts);
}

/** One-vs-rest curves for `[n, classes]` scores and class indices: class c against the rest. */
export function oneVsRestCounts(
  name: string,
  classIndices: ArrayLike<number>,
  scores: ArrayLike<number>,
  classes: number,
  c: number,
): RankedCounts {
  return rankedCounts(
    name,
    (i) => classIndices[i] === c,
    (i) => scores[i * classes + c]!,
    classIndices.length,
  );
}

/** Binary counts for a score column and 0/1 labels. */
export function binaryCounts(
  name: string,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): RankedCounts {
  return rankedCounts(
    name,
    (i) => labels[i] !== 0,
    (i) => scores[i]!,
    labels.length,
  );
}

export function rocFromCounts(counts: RankedCounts): RocCurveResult {
  const { positives: p, negatives: n } = counts;
  const fpr = [0, ...counts.falsePositives.map((fp) => fp / n)];
  const tpr = [0, ...counts.truePositives.map((tp) => tp / p)];
  let auc = NaN;
  if (p > 0 && n > 0) {
    auc = 0;
    for (let i = 1; i < fpr.length; i++) auc += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2;
  }
  return { fpr, tpr, thresholds: [Infinity, ...counts.thresholds], auc, positives: p, negatives: n };
}

export function precisionRecallFromCounts(counts: RankedCounts): PrecisionRecallCurveResult {
  const p = counts.positives;
  const precision = [1, ...counts.truePositives.map((tp, i) => tp / (tp + counts.falsePositives[i]!))];
  const recall = [0, ...counts.truePositives.map((tp) => tp / p)];
  let averagePrecision = NaN;
  if (p > 0) {
    averagePrecision = 0;
    for (let i = 1; i < recall.length; i++) averagePrecision += (recall[i]! - recall[i - 1]!) * precision[i]!;
  }
  return { precision, recall, thresholds: [Infinity, ...counts.thresholds], averagePrecision, positives: p };
}

function checkLengths(name: string, labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) {
    throw new Error(
      `${name}: ${labels.length} labels but ${scores.length} scores; expected one score per label`,
    );
  }
}
