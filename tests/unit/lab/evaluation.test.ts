// The trainer's final-evaluation helpers: outputs turned into probabilities, curves thinned
// without losing their ends, and the binary one-output case named by its positive class.
import { describe, expect, it } from 'vitest';
import { evaluationReport, thinIndices, toProbabilities } from '../../../core/lab/runs/evaluation.js';

describe('toProbabilities', () => {
  it('keeps distributions, applies softmax to logits and a sigmoid to one column', () => {
    const probabilities = new Float32Array([0.2, 0.8, 0.6, 0.4]);
    expect(toProbabilities(probabilities, 2)).toBe(probabilities);
    const logits = new Float32Array([1, 3, 0, 0]);
    const soft = toProbabilities(logits, 2);
    const e = Math.exp(2);
    expect(soft[0]).toBeCloseTo(1 / (1 + e), 6);
    expect(soft[1]).toBeCloseTo(e / (1 + e), 6);
    expect([soft[2], soft[3]]).toEqual([0.5, 0.5]);
    const sig = toProbabilities(new Float32Array([0, 2]), 1);
    expect(sig[0]).toBe(0.5);
    expect(sig[1]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
  });
});

describe('thinIndices', () => {
  it('keeps short curves whole and long ones to the limit, with both ends', () => {
    expect(thinIndices(4, 10)).toEqual([0, 1, 2, 3]);
    const kept = thinIndices(1001, 11);
    expect(kept).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });
});

describe('evaluationReport', () => {
  it('binary with one sigmoid output: one curve, named by the positive class', () => {
    const labels = new Int32Array([0, 0, 1, 1]);
    const scores = new Float32Array([0.1, 0.6, 0.4, 0.9]);
    const report = evaluationReport('validation', labels, scores, 1, ['cat', 'dog']);
    expect(report.numClasses).toBe(2);
    expect(report.confusionMatrix).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(report.roc.curves.map((c) => c.className)).toEqual(['dog']);
    // Pairs (positive, negative) ranked right: (0.4 > 0.1), (0.9 > 0.1), (0.9 > 0.6); wrong: (0.4 < 0.6).
    expect(report.roc.auc).toBeCloseTo(3 / 4, 12);
    expect(report.accuracy).toBe(0.5);
  });
});
