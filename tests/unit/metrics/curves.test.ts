import { describe, expect, it } from 'vitest';
import {
  Auc,
  AveragePrecision,
  PrecisionRecallCurve,
  RocCurve,
  precisionRecallCurve,
  rocCurve,
  shaped,
} from '../../../core/engine/metrics/index.js';

const f32 = (values: number[]) => new Float32Array(values);

/*
 * Binary, with a tie at 0.5 between a positive and a negative. P = N = 3.
 *   labels 1   0   1   0   1   0
 *   scores 0.9 0.8 0.5 0.5 0.3 0.1
 * Walking down: 0.9 (TP1 FP0), 0.8 (1,1), 0.5 (2,2), 0.3 (3,2), 0.1 (3,3).
 * ROC points (0,0) (0,1/3) (1/3,1/3) (2/3,2/3) (2/3,1) (1,1);
 * AUC by pairs: 0.9 beats 3, 0.5 beats 1 and ties 1 (½), 0.3 beats 1 → 5.5/9 = 11/18.
 * PR: (R,P) = (1/3,1) (1/3,1/2) (2/3,1/2) (1,3/5) (1,1/2);
 * AP = 1/3·1 + 0 + 1/3·1/2 + 1/3·3/5 + 0 = 7/10.
 */
const labels = [1, 0, 1, 0, 1, 0];
const probs = [0.9, 0.8, 0.5, 0.5, 0.3, 0.1];

describe('ROC curve', () => {
  it('points, thresholds and AUC with a tie (hand-computed)', () => {
    const roc = rocCurve(labels, probs);
    expect(roc.fpr).toEqual([0, 0, 1 / 3, 2 / 3, 2 / 3, 1]);
    expect(roc.tpr).toEqual([0, 1 / 3, 1 / 3, 2 / 3, 1, 1]);
    expect(roc.thresholds).toEqual([Infinity, 0.9, 0.8, 0.5, 0.3, 0.1]);
    expect(roc.auc).toBeCloseTo(11 / 18, 12);
    expect([roc.positives, roc.negatives]).toEqual([3, 3]);
  });

  it('perfect, reversed and all-tied scores', () => {
    expect(rocCurve([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]).auc).toBe(1);
    expect(rocCurve([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]).auc).toBe(0);
    expect(rocCurve([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]).auc).toBe(0.5);
  });

  it('the scikit-learn doc example: AUC 0.75', () => {
    expect(rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).auc).toBeCloseTo(0.75, 12);
  });

  it('AUC is NaN with only one class present', () => {
    expect(rocCurve([1, 1], [0.2, 0.7]).auc).toBeNaN();
  });

  it('refuses NaN scores and length mismatches', () => {
    expect(() => rocCurve([1, 0], [0.2, NaN])).toThrow('rocCurve: score 1 is NaN; curves need every score');
    expect(() => rocCurve([1, 0], [0.2])).toThrow(/2 labels but 1 scores/);
  });
});

describe('precision-recall curve and average precision', () => {
  it('points and AP with a tie (hand-computed)', () => {
    const pr = precisionRecallCurve(labels, probs);
    expect(pr.recall).toEqual([0, 1 / 3, 1 / 3, 2 / 3, 1, 1]);
    expect(pr.precision).toEqual([1, 1, 1 / 2, 1 / 2, 3 / 5, 1 / 2]);
    expect(pr.thresholds).toEqual([Infinity, 0.9, 0.8, 0.5, 0.3, 0.1]);
    expect(pr.averagePrecision).toBeCloseTo(0.7, 12);
  });

  it('the scikit-learn doc example: AP 0.8333', () => {
    // 0.8 (+): R ½ P 1; 0.4 (−); 0.35 (+): R 1 P ⅔ → ½ + ½·⅔ = 5/6
    expect(precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).averagePrecision).toBeCloseTo(5 / 6, 12);
  });

  it('AP is NaN without positives, 1 for a perfect ranking', () => {
    expect(precisionRecallCurve([0, 0], [0.2, 0.7]).averagePrecision).toBeNaN();
    expect(precisionRecallCurve([0, 1, 1], [0.1, 0.8, 0.9]).averagePrecision).toBe(1);
  });
});

/*
 * One-vs-rest on six samples (true class, scores):
 *   A 0 [0.6 0.3 0.1]  B 0 [0.2 0.5 0.3]  C 1 [0.3 0.4 0.3]
 *   D 1 [0.1 0.8 0.1]  E 2 [0.4 0.2 0.4]  F 2 [0.1 0.2 0.7]
 * Class 0: positives 0.6, 0.2 vs negatives 0.3 0.1 0.4 0.1 → (4 + 2)/8 = 0.75
 * Class 1: positives 0.4, 0.8 vs negatives 0.3 0.5 0.2 0.2 → (3 + 4)/8 = 0.875
 * Class 2: positives 0.4, 0.7 vs negatives 0.1 0.3 0.3 0.1 → 8/8 = 1
 * Macro AUC = 2.625/3 = 0.875.
 * AP: class 0 ranks + − − + − − → ½·1 + ½·½ = 3/4; class 1 + − + … → ½ + ½·⅔ = 5/6;
 * class 2 + + … → 1. Macro AP = (3/4 + 5/6 + 1)/3 = 31/36.
 */
const sixTrue = new Int32Array([0, 0, 1, 1, 2, 2]);
const sixPred = shaped(
  f32([0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.3, 0.4, 0.3, 0.1, 0.8, 0.1, 0.4, 0.2, 0.4, 0.1, 0.2, 0.7]),
  [6, 3],
);

describe('streaming ranking metrics', () => {
  it('binary AUC and AP from the accumulators', () => {
    const auc = new Auc();
    auc.update(f32(labels), f32(probs));
    expect(auc.result()).toBeCloseTo(11 / 18, 6);
    const ap = new AveragePrecision();
    ap.update(f32(labels), shaped(f32(probs), [6, 1]));
    expect(ap.result()).toBeCloseTo(0.7, 6);
  });

  it('one-vs-rest macro AUC and AP for multiclass (hand-computed)', () => {
    const roc = new RocCurve();
    roc.update(sixTrue, sixPred);
    const summary = roc.result();
    expect(summary.curves.map((c) => c.auc)).toEqual([0.75, 0.875, 1]);
    expect(summary.auc).toBeCloseTo(0.875, 12);
    const pr = new PrecisionRecallCurve();
    pr.update(sixTrue, sixPred);
    expect(pr.result().curves.map((c) => c.averagePrecision)).toEqual([
      expect.closeTo(3 / 4, 12),
      expect.closeTo(5 / 6, 12),
      1,
    ]);
    expect(pr.result().averagePrecision).toBeCloseTo(31 / 36, 12);
  });

  it('macro AUC skips a class with no positives', () => {
    // Class 2 never occurs in the labels: the mean is over classes 0 and 1.
    const auc = new Auc();
    auc.update(
      new Int32Array([0, 1, 0, 1]),
      shaped(f32([0.7, 0.2, 0.1, 0.3, 0.6, 0.1, 0.5, 0.3, 0.2, 0.2, 0.7, 0.1]), [4, 3]),
    );
    // class 0: positives 0.7, 0.5 vs 0.3, 0.2 → 1; class 1: positives 0.6, 0.7 vs 0.2, 0.3 → 1
    expect(auc.result()).toBe(1);
  });

  it('grows its buffers across many batches and matches one batch', () => {
    const n = 1000;
    const y = new Float32Array(n);
    const s = new Float32Array(n);
    let seed = 7;
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      y[i] = seed % 3 === 0 ? 1 : 0;
      s[i] = Math.round(((seed >> 8) % 1000) / 10) / 100 + 0.2 * y[i]!; // coarse: many ties
    }
    const whole = rocCurve(y, s);
    const auc = new Auc();
    for (let start = 0; start < n; start += 37)
      auc.update(y.subarray(start, start + 37), s.subarray(start, start + 37));
    expect(auc.result()).toBeCloseTo(whole.auc, 12);
  });

  it('empty stream: no curves, NaN', () => {
    expect(new Auc().result()).toBeNaN();
    expect(new AveragePrecision().result()).toBeNaN();
    expect(new RocCurve().result()).toEqual({ curves: [], auc: NaN });
  });

  it('reset forgets the stored scores', () => {
    const auc = new Auc();
    auc.update(f32([1, 0]), f32([0.1, 0.9]));
    auc.reset();
    auc.update(f32([1, 0]), f32([0.9, 0.1]));
    expect(auc.result()).toBe(1);
  });
});
