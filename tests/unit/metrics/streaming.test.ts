import { describe, expect, it } from 'vitest';
import { createMetric, shaped, type MetricInput } from '../../../core/engine/metrics/index.js';

/** A deterministic generator in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const n = 53;
const classes = 4;
const rand = random(42);
const sparse = new Int32Array(n).map(() => Math.floor(rand() * classes));
const oneHotData = new Float32Array(n * classes);
sparse.forEach((c, i) => (oneHotData[i * classes + c] = 1));
const probs = new Float32Array(n * classes);
for (let i = 0; i < n; i++) {
  const row = Array.from({ length: classes }, () => rand());
  const sum = row.reduce((a, b) => a + b, 0);
  row.forEach((v, c) => (probs[i * classes + c] = v / sum));
}
const binaryTrue = new Float32Array(n).map(() => (rand() < 0.4 ? 1 : 0));
const binaryScores = new Float32Array(n).map((_, i) => Math.round((rand() + 0.3 * binaryTrue[i]!) * 10) / 10);
const regressionTrue = new Float64Array(n * 3).map(() => rand() * 10 - 5);
const regressionPred = regressionTrue.map((v) => v + rand() - 0.5);

type Case = [name: string, options: Record<string, unknown>, truth: Slice, pred: Slice];
interface Slice {
  data: Float32Array | Float64Array | Int32Array;
  width: number;
}
const rows = (data: Float32Array | Float64Array | Int32Array, width: number): Slice => ({ data, width });

const multiclass = rows(probs, classes);
const cases: Case[] = [
  ['accuracy', {}, rows(sparse, 1), multiclass],
  ['accuracy', {}, rows(oneHotData, classes), multiclass],
  ['topKCategoricalAccuracy', { k: 2 }, rows(sparse, 1), multiclass],
  ['precision', { average: 'macro' }, rows(sparse, 1), multiclass],
  ['recall', { average: 'weighted' }, rows(sparse, 1), multiclass],
  ['f1', { average: 'micro' }, rows(oneHotData, classes), multiclass],
  ['f1', {}, rows(binaryTrue, 1), rows(binaryScores, 1)],
  ['binaryAccuracy', {}, rows(binaryTrue, 1), rows(binaryScores, 1)],
  ['auc', {}, rows(binaryTrue, 1), rows(binaryScores, 1)],
  ['auc', {}, rows(sparse, 1), multiclass],
  ['averagePrecision', {}, rows(sparse, 1), multiclass],
  ['logLoss', {}, rows(sparse, 1), multiclass],
  ['mae', {}, rows(regressionTrue, 3), rows(regressionPred, 3)],
  ['mse', {}, rows(regressionTrue, 3), rows(regressionPred, 3)],
  ['rmse', {}, rows(regressionTrue, 3), rows(regressionPred, 3)],
  ['r2', {}, rows(regressionTrue, 3), rows(regressionPred, 3)],
  ['r2', { multioutput: 'varianceWeighted' }, rows(regressionTrue, 3), rows(regressionPred, 3)],
  ['cosineSimilarity', {}, rows(regressionTrue, 3), rows(regressionPred, 3)],
];

function batch(slice: Slice, start: number, end: number): MetricInput {
  const data = slice.data.subarray(start * slice.width, end * slice.width);
  return slice.width === 1 ? data : shaped(data, [end - start, slice.width]);
}

describe('streaming in batches equals one batch', () => {
  for (const [name, options, truth, pred] of cases) {
    it(`${name} ${JSON.stringify(options)}`, () => {
      const whole = createMetric(name, options);
      whole.update(batch(truth, 0, n), batch(pred, 0, n));
      const expected = whole.result();
      expect(Number.isFinite(expected)).toBe(true);

      const streamed = createMetric(name, options);
      // Uneven batches, including an empty one and a single sample.
      const cuts = [0, 7, 7, 8, 30, n];
      for (let b = 1; b < cuts.length; b++) {
        streamed.update(batch(truth, cuts[b - 1]!, cuts[b]!), batch(pred, cuts[b - 1]!, cuts[b]!));
      }
      expect(streamed.result()).toBeCloseTo(expected, 10);

      // reset() starts over: the same stream again gives the same answer
      streamed.reset();
      streamed.update(batch(truth, 0, n), batch(pred, 0, n));
      expect(streamed.result()).toBeCloseTo(expected, 10);
    });
  }
});
