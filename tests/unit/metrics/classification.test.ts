import { describe, expect, it } from 'vitest';
import {
  Accuracy,
  BinaryAccuracy,
  ConfusionMatrix,
  F1Score,
  LogLoss,
  Precision,
  Recall,
  TopKAccuracy,
  shaped,
  type Metric,
  type MetricInput,
} from '../../../core/engine/metrics/index.js';

const f32 = (values: number[]) => new Float32Array(values);
const i32 = (values: number[]) => new Int32Array(values);
/** Rows of class scores as a [batch, classes] input. */
const scores = (rows: number[][]) => shaped(f32(rows.flat()), [rows.length, rows[0]!.length]);
/** One-hot rows for class indices. */
const oneHot = (indices: number[], classes: number) =>
  shaped(f32(indices.flatMap((c) => Array.from({ length: classes }, (_, k) => (k === c ? 1 : 0)))), [
    indices.length,
    classes,
  ]);
/** Scores whose argmax is the given class (0.6 there, 0.2 elsewhere). */
const argmaxScores = (predicted: number[], classes: number) =>
  scores(predicted.map((p) => Array.from({ length: classes }, (_, k) => (k === p ? 0.6 : 0.2))));

function evaluate(metric: Metric, yTrue: MetricInput, yPred: MetricInput): number {
  metric.reset();
  metric.update(yTrue, yPred);
  return metric.result();
}

/*
 * The 3-class case, worked by hand. Supports 4, 3, 3.
 *   true      0 0 0 0 1 1 1 2 2 2
 *   predicted 0 0 1 2 1 1 0 2 2 1
 * Confusion (rows = true): [[2,1,1],[1,2,0],[0,1,2]]; column sums 3, 4, 3; TP 2, 2, 2.
 *   precision 2/3, 1/2, 2/3   recall 1/2, 2/3, 2/3   F1 4/7, 4/7, 2/3
 *   macro P = R = 11/18, macro F1 = (4/7 + 4/7 + 2/3)/3 = 38/63
 *   micro P = R = F1 = 6/10
 *   weighted P = (4·2/3 + 3·1/2 + 3·2/3)/10 = 37/60, weighted R = 0.6,
 *   weighted F1 = (4·4/7 + 3·4/7 + 3·2/3)/10 = 0.6
 */
const threeTrue = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const threePredicted = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];
const threePred = argmaxScores(threePredicted, 3);

describe('confusion matrix', () => {
  it('counts (true, predicted) pairs with rows = true class', () => {
    const cm = new ConfusionMatrix();
    cm.update(i32(threeTrue), threePred);
    expect(cm.result()).toEqual([
      [2, 1, 1],
      [1, 2, 0],
      [0, 1, 2],
    ]);
  });

  it('reads one-hot labels the same as class indices', () => {
    const cm = new ConfusionMatrix();
    cm.update(oneHot(threeTrue, 3), threePred);
    expect(cm.result()).toEqual([
      [2, 1, 1],
      [1, 2, 0],
      [0, 1, 2],
    ]);
  });

  it('is 2×2 for binary scores, thresholded with score > threshold', () => {
    const cm = new ConfusionMatrix();
    // labels 1 1 0 0 1 1, predicted (> 0.5) 1 0 1 0 1 0: TN 1, FP 1, FN 2, TP 2
    cm.update(f32([1, 1, 0, 0, 1, 1]), f32([0.9, 0.4, 0.6, 0.2, 0.7, 0.5]));
    expect(cm.result()).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('is [] on an empty stream and refuses a change of class count', () => {
    const cm = new ConfusionMatrix();
    expect(cm.result()).toEqual([]);
    cm.update(i32([0]), argmaxScores([0], 3));
    expect(() => cm.update(i32([0]), argmaxScores([0], 4))).toThrow(/4 classes but earlier batches had 3/);
  });
});

describe('precision, recall, F1 (3 classes, hand-computed)', () => {
  const cases: [string, Metric, number][] = [
    ['macro precision', new Precision({ average: 'macro' }), 11 / 18],
    ['macro recall', new Recall({ average: 'macro' }), 11 / 18],
    ['macro F1', new F1Score({ average: 'macro' }), 38 / 63],
    ['micro precision', new Precision({ average: 'micro' }), 0.6],
    ['micro recall', new Recall({ average: 'micro' }), 0.6],
    ['micro F1', new F1Score({ average: 'micro' }), 0.6],
    ['weighted precision', new Precision({ average: 'weighted' }), 37 / 60],
    ['weighted recall', new Recall({ average: 'weighted' }), 0.6],
    ['weighted F1', new F1Score({ average: 'weighted' }), 0.6],
    ['default (macro) F1', new F1Score(), 38 / 63],
    ['binary precision of class 1', new Precision({ average: 'binary', positiveClass: 1 }), 1 / 2],
    ['binary recall of class 0', new Recall({ average: 'binary', positiveClass: 0 }), 1 / 2],
    ['binary F1 of class 2', new F1Score({ average: 'binary', positiveClass: 2 }), 2 / 3],
  ];
  for (const [label, metric, expected] of cases) {
    it(label, () => expect(evaluate(metric, i32(threeTrue), threePred)).toBeCloseTo(expected, 12));
  }

  it('a class never predicted has precision 0, not NaN', () => {
    // true 0 1 2, predicted 0 1 1: class 2 is never predicted.
    // precision 1, 1/2, 0; recall 1, 1, 0; F1 1, 2/3, 0.
    const pred = argmaxScores([0, 1, 1], 3);
    expect(evaluate(new Precision({ average: 'binary', positiveClass: 2 }), i32([0, 1, 2]), pred)).toBe(0);
    expect(evaluate(new F1Score({ average: 'binary', positiveClass: 2 }), i32([0, 1, 2]), pred)).toBe(0);
    expect(evaluate(new Precision({ average: 'macro' }), i32([0, 1, 2]), pred)).toBeCloseTo(0.5, 12);
    expect(evaluate(new F1Score({ average: 'macro' }), i32([0, 1, 2]), pred)).toBeCloseTo(5 / 9, 12);
  });

  it('macro averaging skips classes absent from both labels and predictions', () => {
    // Same as above with a fourth class nobody uses: the macro mean is still over 3 classes.
    const pred = argmaxScores([0, 1, 1], 4);
    expect(evaluate(new Precision({ average: 'macro' }), i32([0, 1, 2]), pred)).toBeCloseTo(0.5, 12);
  });
});

describe('precision, recall, F1 (binary, hand-computed)', () => {
  // labels 1 1 0 0 1 1, scores → predicted (> 0.5) 1 0 1 0 1 0: TP 2, FP 1, FN 2, TN 1.
  // class 1: P 2/3, R 1/2, F1 4/7; class 0: P 1/3, R 1/2, F1 2/5.
  const labels = f32([1, 1, 0, 0, 1, 1]);
  const probs = f32([0.9, 0.4, 0.6, 0.2, 0.7, 0.3]);

  it('defaults to the positive class', () => {
    expect(evaluate(new Precision(), labels, probs)).toBeCloseTo(2 / 3, 12);
    expect(evaluate(new Recall(), labels, probs)).toBeCloseTo(1 / 2, 12);
    expect(evaluate(new F1Score(), labels, probs)).toBeCloseTo(4 / 7, 12);
  });

  it('[batch, 1] scores read as binary', () => {
    expect(evaluate(new F1Score(), labels, shaped(probs, [6, 1]))).toBeCloseTo(4 / 7, 12);
  });

  it('macro over both classes, and the threshold option', () => {
    expect(evaluate(new F1Score({ average: 'macro' }), labels, probs)).toBeCloseTo(17 / 35, 12);
    // threshold 0.35 → predicted 1 1 1 0 1 0: TP 3, FP 1 → precision 3/4, recall 3/4
    expect(evaluate(new Precision({ threshold: 0.35 }), labels, probs)).toBeCloseTo(3 / 4, 12);
    expect(evaluate(new Recall({ threshold: 0.35 }), labels, probs)).toBeCloseTo(3 / 4, 12);
  });

  it('no positive predictions: precision 0, F1 0', () => {
    expect(evaluate(new Precision(), f32([1, 0]), f32([0.1, 0.2]))).toBe(0);
    expect(evaluate(new F1Score(), f32([1, 0]), f32([0.1, 0.2]))).toBe(0);
  });

  it('refuses an unknown averaging, naming the valid ones', () => {
    expect(() => new F1Score({ average: 'samples' as never })).toThrow(
      "f1: option 'average' is 'samples'; valid values: binary, macro, micro, weighted",
    );
  });
});

describe('accuracy', () => {
  it('argmax against class indices and one-hot labels', () => {
    expect(evaluate(new Accuracy(), i32(threeTrue), threePred)).toBeCloseTo(0.6, 12);
    expect(evaluate(new Accuracy(), oneHot(threeTrue, 3), threePred)).toBeCloseTo(0.6, 12);
    expect(evaluate(new Accuracy(), f32(threeTrue), threePred)).toBeCloseTo(0.6, 12);
  });

  it('argmax ties go to the lowest class', () => {
    // [0.4, 0.2, 0.4] → class 0
    expect(
      evaluate(
        new Accuracy(),
        i32([0, 2]),
        scores([
          [0.4, 0.2, 0.4],
          [0.4, 0.2, 0.4],
        ]),
      ),
    ).toBe(0.5);
  });

  it('thresholds binary scores', () => {
    // labels 1 1 0 0 1 1, predicted 1 0 1 0 1 0: right at 0, 3, 4
    expect(evaluate(new Accuracy(), f32([1, 1, 0, 0, 1, 1]), f32([0.9, 0.4, 0.6, 0.2, 0.7, 0.3]))).toBe(0.5);
  });

  it('names the label and the valid range when a class index is out of range', () => {
    expect(() => evaluate(new Accuracy(), i32([0, 3]), argmaxScores([0, 1], 3))).toThrow(
      'accuracy: label 1 is 3; class indices must be integers in [0, 2]',
    );
    expect(() => evaluate(new Accuracy(), i32([0, 1, 2]), argmaxScores([0, 1], 3))).toThrow(
      /labels of shape \[3\] do not match predictions of shape \[2, 3\]/,
    );
  });

  it('forced encodings refuse the other layout', () => {
    expect(() =>
      evaluate(new Accuracy({ labels: 'sparse' }), oneHot([0, 1], 3), argmaxScores([0, 1], 3)),
    ).toThrow(/do not match/);
  });
});

describe('binary accuracy', () => {
  it('thresholds at 0.5 by default and at the given threshold', () => {
    const labels = f32([1, 1, 0, 0, 1, 1]);
    const probs = f32([0.9, 0.4, 0.6, 0.2, 0.7, 0.3]);
    expect(evaluate(new BinaryAccuracy(), labels, probs)).toBe(0.5);
    // 0.35 → predicted 1 1 1 0 1 0: right at 0, 1, 3, 4
    expect(evaluate(new BinaryAccuracy({ threshold: 0.35 }), labels, probs)).toBeCloseTo(4 / 6, 12);
    // exactly at the threshold is negative (score > threshold)
    expect(evaluate(new BinaryAccuracy(), f32([0]), f32([0.5]))).toBe(1);
  });

  it('scores multi-label outputs element-wise', () => {
    // 2 samples × 3 labels: decisions 1 0 1 / 0 0 1 against 1 0 0 / 0 1 1 → 4 of 6 right
    const labels = shaped(f32([1, 0, 0, 0, 1, 1]), [2, 3]);
    const probs = shaped(f32([0.8, 0.1, 0.9, 0.2, 0.3, 0.6]), [2, 3]);
    expect(evaluate(new BinaryAccuracy(), labels, probs)).toBeCloseTo(4 / 6, 12);
  });

  it('refuses labels outside [0, 1]', () => {
    expect(() => evaluate(new BinaryAccuracy(), f32([2]), f32([0.5]))).toThrow(
      'binaryAccuracy: binary label 0 is 2; binary labels must lie in [0, 1]',
    );
  });
});

/*
 * Six samples, three classes (also used for the ranking tests):
 *   A 0 [0.6 0.3 0.1]  B 0 [0.2 0.5 0.3]  C 1 [0.3 0.4 0.3]
 *   D 1 [0.1 0.8 0.1]  E 2 [0.4 0.2 0.4]  F 2 [0.1 0.2 0.7]
 */
const sixTrue = [0, 0, 1, 1, 2, 2];
const sixPred = scores([
  [0.6, 0.3, 0.1],
  [0.2, 0.5, 0.3],
  [0.3, 0.4, 0.3],
  [0.1, 0.8, 0.1],
  [0.4, 0.2, 0.4],
  [0.1, 0.2, 0.7],
]);

describe('top-k accuracy', () => {
  it('k = 2: only B misses (two classes score above its true class)', () => {
    expect(evaluate(new TopKAccuracy({ k: 2 }), i32(sixTrue), sixPred)).toBeCloseTo(5 / 6, 12);
  });

  it('k = 1 counts ties generously: E (0.4 tied with class 0) is a hit, unlike accuracy', () => {
    expect(evaluate(new TopKAccuracy({ k: 1 }), i32(sixTrue), sixPred)).toBeCloseTo(5 / 6, 12);
    expect(evaluate(new Accuracy(), i32(sixTrue), sixPred)).toBeCloseTo(4 / 6, 12);
  });

  it('k ≥ classes is always 1; defaults to k = 5', () => {
    expect(evaluate(new TopKAccuracy({ k: 3 }), oneHot(sixTrue, 3), sixPred)).toBe(1);
    expect(evaluate(new TopKAccuracy(), i32(sixTrue), sixPred)).toBe(1);
  });

  it('refuses binary scores and a bad k', () => {
    expect(() => evaluate(new TopKAccuracy(), f32([1]), f32([0.5]))).toThrow(
      /needs \[batch, classes\] scores/,
    );
    expect(() => new TopKAccuracy({ k: 0 })).toThrow(
      "topKCategoricalAccuracy: option 'k' must be a positive integer, got 0",
    );
  });
});

describe('log loss', () => {
  it('multiclass: −mean log p(true class), from indices or one-hot', () => {
    const expected =
      -(Math.log(0.6) + Math.log(0.2) + Math.log(0.4) + Math.log(0.8) + Math.log(0.4) + Math.log(0.7)) / 6;
    expect(evaluate(new LogLoss(), i32(sixTrue), sixPred)).toBeCloseTo(expected, 6);
    expect(evaluate(new LogLoss(), oneHot(sixTrue, 3), sixPred)).toBeCloseTo(expected, 6);
    expect(expected).toBeCloseTo(0.755444, 5);
  });

  it('binary: −mean[y log p + (1 − y) log(1 − p)]', () => {
    // −(ln 0.8 + ln 0.9)/2
    expect(evaluate(new LogLoss(), f32([1, 0]), f32([0.8, 0.1]))).toBeCloseTo(0.164252, 5);
  });

  it('clips at eps = 1e-7: a certain mistake costs −ln(1e-7) ≈ 16.118', () => {
    expect(evaluate(new LogLoss(), f32([0, 1]), f32([1, 0]))).toBeCloseTo(-Math.log(1e-7), 5);
    expect(evaluate(new LogLoss(), i32([1]), scores([[1, 0]]))).toBeCloseTo(16.118096, 5);
    expect(Number.isFinite(evaluate(new LogLoss({ eps: 1e-3 }), f32([0]), f32([1])))).toBe(true);
  });

  it('fromLogits applies sigmoid or softmax', () => {
    // sigmoid(ln 4) = 0.8; softmax([ln 3, 0, 0]) = [0.6, 0.2, 0.2]
    expect(evaluate(new LogLoss({ fromLogits: true }), f32([1]), f32([Math.log(4)]))).toBeCloseTo(
      -Math.log(0.8),
      6,
    );
    expect(evaluate(new LogLoss({ fromLogits: true }), i32([0]), scores([[Math.log(3), 0, 0]]))).toBeCloseTo(
      -Math.log(0.6),
      6,
    );
    // large logits do not overflow
    expect(evaluate(new LogLoss({ fromLogits: true }), i32([0]), scores([[1000, 0]]))).toBeCloseTo(1e-7, 9);
  });
});
