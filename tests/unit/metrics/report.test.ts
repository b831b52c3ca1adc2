import { describe, expect, it } from 'vitest';
import { ClassificationReporter, classificationReport, shaped } from '../../../core/engine/metrics/index.js';

/*
 * The six-sample, three-class case (see curves.test.ts):
 *   A 0 [0.6 0.3 0.1]  B 0 [0.2 0.5 0.3]  C 1 [0.3 0.4 0.3]
 *   D 1 [0.1 0.8 0.1]  E 2 [0.4 0.2 0.4]  F 2 [0.1 0.2 0.7]
 * argmax (ties → lowest): 0 1 1 1 0 2 → confusion [[1,1,0],[0,2,0],[1,0,1]], accuracy 4/6.
 *   class 0: P 1/2, R 1/2, F1 1/2; class 1: P 2/3, R 1, F1 4/5; class 2: P 1, R 1/2, F1 2/3
 *   macro P 13/18, R 2/3, F1 59/90 (supports are equal, so weighted = macro)
 */
const sixTrue = new Int32Array([0, 0, 1, 1, 2, 2]);
const sixPred = shaped(
  new Float32Array([
    0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.3, 0.4, 0.3, 0.1, 0.8, 0.1, 0.4, 0.2, 0.4, 0.1, 0.2, 0.7,
  ]),
  [6, 3],
);

describe('classification report', () => {
  it('multiclass: confusion, per-class scores, averages, OvR AUC and AP (hand-computed)', () => {
    const report = classificationReport(sixTrue, sixPred, { classNames: ['cat', 'dog', 'eel'] });
    expect(report.numClasses).toBe(3);
    expect(report.samples).toBe(6);
    expect(report.confusionMatrix).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
    expect(report.perClass.map((r) => r.className)).toEqual(['cat', 'dog', 'eel']);
    expect(report.perClass.map((r) => r.precision)).toEqual([0.5, expect.closeTo(2 / 3, 12), 1]);
    expect(report.perClass.map((r) => r.recall)).toEqual([0.5, 1, 0.5]);
    expect(report.perClass.map((r) => r.f1)).toEqual([
      0.5,
      expect.closeTo(0.8, 12),
      expect.closeTo(2 / 3, 12),
    ]);
    expect(report.perClass.map((r) => r.support)).toEqual([2, 2, 2]);
    expect(report.accuracy).toBeCloseTo(4 / 6, 12);
    expect(report.macro.precision).toBeCloseTo(13 / 18, 12);
    expect(report.macro.recall).toBeCloseTo(2 / 3, 12);
    expect(report.macro.f1).toBeCloseTo(59 / 90, 12);
    expect(report.weighted.f1).toBeCloseTo(59 / 90, 12);
    expect(report.roc.curves).toHaveLength(3);
    expect(report.roc.auc).toBeCloseTo(0.875, 12);
    expect(report.precisionRecall.averagePrecision).toBeCloseTo(31 / 36, 12);
  });

  it('binary: a 2×2 matrix and one curve for the positive class', () => {
    // labels 1 0 1 0 1 0, scores 0.9 0.8 0.5 0.5 0.3 0.1 (curves.test.ts): AUC 11/18, AP 7/10.
    // > 0.5 → predicted 1 1 0 0 0 0: TN 2, FP 1, FN 2, TP 1
    const report = classificationReport(
      new Float32Array([1, 0, 1, 0, 1, 0]),
      new Float32Array([0.9, 0.8, 0.5, 0.5, 0.3, 0.1]),
    );
    expect(report.confusionMatrix).toEqual([
      [2, 1],
      [2, 1],
    ]);
    expect(report.perClass[1]).toEqual({
      classIndex: 1,
      className: '1',
      precision: 0.5,
      recall: expect.closeTo(1 / 3, 12),
      f1: expect.closeTo(0.4, 12),
      support: 3,
    });
    expect(report.roc.curves).toHaveLength(1);
    expect(report.roc.auc).toBeCloseTo(11 / 18, 12);
    expect(report.precisionRecall.averagePrecision).toBeCloseTo(0.7, 12);
    expect(JSON.parse(JSON.stringify(report)).accuracy).toBeCloseTo(0.5, 12);
  });

  it('streams: batches give the same report as one call', () => {
    const reporter = new ClassificationReporter();
    reporter.update(sixTrue.subarray(0, 4), shaped(sixPred.data.subarray(0, 12), [4, 3]));
    reporter.update(sixTrue.subarray(4), shaped(sixPred.data.subarray(12), [2, 3]));
    expect(reporter.result()).toEqual(classificationReport(sixTrue, sixPred));
  });

  it('throws on no samples and on a wrong number of class names', () => {
    expect(() => new ClassificationReporter().result()).toThrow(/no samples/);
    expect(() => classificationReport(sixTrue, sixPred, { classNames: ['a', 'b'] })).toThrow(
      'classificationReport: 2 class names for 3 classes; give one name per class',
    );
  });
});
