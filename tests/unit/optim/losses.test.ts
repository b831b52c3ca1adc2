import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import {
  binaryCrossentropy,
  categoricalCrossentropy,
  cosineSimilarity,
  huber,
  lossFromName,
  meanAbsoluteError,
  meanSquaredError,
  sparseCategoricalCrossentropy,
  type LossFn,
} from '../../../core/engine/nn/losses.js';

/** Plain-JS references over rows of a [batch, classes] matrix. */
const rows = (flat: number[], width: number) =>
  Array.from({ length: flat.length / width }, (_, i) => flat.slice(i * width, (i + 1) * width));
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const logSoftmaxRow = (r: number[]) => {
  const m = Math.max(...r);
  const lse = m + Math.log(r.reduce((a, v) => a + Math.exp(v - m), 0));
  return r.map((v) => v - lse);
};

const yPred = [0.3, -1.2, 2.0, 0.7, 1.5, -0.4];
const yTrueReal = [0.5, -1.0, 1.0, 2.0, 1.2, 0.1];
const targets01 = [1, 0, 1, 0, 0, 1];
const probs = [0.2, 0.7, 0.1, 0.05, 0.05, 0.9];

function value(loss: LossFn, yTrue: nn.Tensor, pred: nn.Tensor): number {
  return nn.tidy(() => loss(yTrue, pred).item());
}

describe('losses: values against plain-JS definitions', () => {
  const p = () => nn.tensor(yPred, [2, 3]);
  it('mse, mae, huber', () => {
    const e = yPred.map((v, i) => v - yTrueReal[i]!);
    const t = nn.tensor(yTrueReal, [2, 3]);
    expect(value(meanSquaredError, t, p())).toBeCloseTo(meanOf(e.map((x) => x * x)), 6);
    expect(value(meanAbsoluteError, t, p())).toBeCloseTo(meanOf(e.map(Math.abs)), 6);
    const hub = (d: number) =>
      meanOf(e.map((x) => (Math.abs(x) <= d ? 0.5 * x * x : d * (Math.abs(x) - 0.5 * d))));
    expect(value((a, b) => huber(a, b), t, p())).toBeCloseTo(hub(1), 6);
    expect(value((a, b) => huber(a, b, { delta: 0.5 }), t, p())).toBeCloseTo(hub(0.5), 6);
    t.dispose();
  });

  it('binary crossentropy from logits and from probabilities', () => {
    const z = nn.tensor(targets01, [2, 3]);
    const fromLogits = meanOf(
      yPred.map(
        (x, i) =>
          -(
            targets01[i]! * Math.log(1 / (1 + Math.exp(-x))) +
            (1 - targets01[i]!) * Math.log(1 - 1 / (1 + Math.exp(-x)))
          ),
      ),
    );
    expect(value((a, b) => binaryCrossentropy(a, b, { fromLogits: true }), z, p())).toBeCloseTo(
      fromLogits,
      6,
    );
    const fromProbs = meanOf(
      probs.map((q, i) => -(targets01[i]! * Math.log(q) + (1 - targets01[i]!) * Math.log(1 - q))),
    );
    expect(value(binaryCrossentropy, z, nn.tensor(probs, [2, 3]))).toBeCloseTo(fromProbs, 5);
    z.dispose();
  });

  it('categorical and sparse categorical crossentropy agree with log-softmax', () => {
    const labels = [2, 0];
    const expected = meanOf(rows(yPred, 3).map((r, i) => -logSoftmaxRow(r)[labels[i]!]!));
    const oneHot = nn.tensor([0, 0, 1, 1, 0, 0], [2, 3]);
    const sparse = nn.tensor(Int32Array.from(labels));
    expect(value((a, b) => categoricalCrossentropy(a, b, { fromLogits: true }), oneHot, p())).toBeCloseTo(
      expected,
      6,
    );
    expect(
      value((a, b) => sparseCategoricalCrossentropy(a, b, { fromLogits: true }), sparse, p()),
    ).toBeCloseTo(expected, 6);
    const column = nn.tensor(Int32Array.from(labels), [2, 1]);
    expect(
      value((a, b) => sparseCategoricalCrossentropy(a, b, { fromLogits: true }), column, p()),
    ).toBeCloseTo(expected, 6);
    const fromProbs = meanOf(
      rows(probs, 3).map((r, i) => -Math.log(r[labels[i]!]! / r.reduce((a, b) => a + b))),
    );
    expect(value(sparseCategoricalCrossentropy, sparse, nn.tensor(probs, [2, 3]))).toBeCloseTo(fromProbs, 5);
    nn.dispose([oneHot, sparse, column]);
  });

  it('cosine similarity is −1 for aligned vectors and 0 for a zero vector', () => {
    const a = nn.tensor([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const b = nn.tensor([
      [2, 4, 6],
      [1, 1, 1],
    ]);
    expect(value(cosineSimilarity, a, b)).toBeCloseTo(-0.5, 6);
    const expected = -meanOf(
      rows(yPred, 3).map((r, i) => {
        const t = rows(yTrueReal, 3)[i]!;
        const dot = r.reduce((s, v, k) => s + v * t[k]!, 0);
        return dot / Math.hypot(...r) / Math.hypot(...t);
      }),
    );
    expect(value(cosineSimilarity, nn.tensor(yTrueReal, [2, 3]), p())).toBeCloseTo(expected, 6);
    nn.dispose([a, b]);
  });
});

describe('losses: numerical stability', () => {
  it('crossentropies from extreme logits stay finite and exact', () => {
    const logits = nn.tensor([[1000, -1000, 0]]);
    const labels = nn.tensor(Int32Array.from([1]));
    expect(
      value((a, b) => sparseCategoricalCrossentropy(a, b, { fromLogits: true }), labels, logits),
    ).toBeCloseTo(2000, 0);
    const z = nn.tensor([[0, 1, 1]]);
    const bce = value((a, b) => binaryCrossentropy(a, b, { fromLogits: true }), z, logits);
    expect(bce).toBeCloseTo((1000 + 1000 + Math.log(2)) / 3, 3);
    const zeroProb = value(binaryCrossentropy, nn.tensor([[1, 0]]), nn.tensor([[0, 1]]));
    // p clipped to 1e-7 and, in float32, 1 − 1e-7 rounds to 1 − 1.19e-7: both terms ≈ 16.
    expect(zeroProb).toBeGreaterThan(15.9);
    expect(zeroProb).toBeLessThan(16.2);
    nn.dispose([logits, labels, z]);
  });

  it('refuses mismatched shapes with both shapes in the message', () => {
    expect(() => meanSquaredError(nn.zeros([2, 3]), nn.zeros([3, 2]))).toThrow(/\[2,3\].*\[3,2\]/);
    expect(() => sparseCategoricalCrossentropy(nn.zeros([3], 'int32'), nn.zeros([2, 4]))).toThrow(/labels/);
  });

  it('resolves Keras names and refuses unknown ones', () => {
    expect(lossFromName('mse')).toBe(meanSquaredError);
    expect(lossFromName('mean_absolute_error')).toBe(meanAbsoluteError);
    expect(() => lossFromName('hinge')).toThrow(/unknown loss 'hinge'; valid names: meanSquaredError/);
  });
});

describe('losses: float64 gradients against central differences', () => {
  const cases: { name: string; loss: LossFn; yTrue: () => nn.Tensor; pred: number[] }[] = [
    {
      name: 'mse',
      loss: meanSquaredError,
      yTrue: () => nn.tensor(yTrueReal, [2, 3], 'float64'),
      pred: yPred,
    },
    {
      name: 'mae',
      loss: meanAbsoluteError,
      yTrue: () => nn.tensor(yTrueReal, [2, 3], 'float64'),
      pred: yPred,
    },
    {
      name: 'huber',
      loss: (a, b) => huber(a, b, { delta: 0.6 }),
      yTrue: () => nn.tensor(yTrueReal, [2, 3], 'float64'),
      pred: yPred,
    },
    {
      name: 'bce logits',
      loss: (a, b) => binaryCrossentropy(a, b, { fromLogits: true }),
      yTrue: () => nn.tensor([1, 0, 0.3, 0, 1, 1], [2, 3], 'float64'),
      pred: yPred,
    },
    {
      name: 'bce probabilities',
      loss: binaryCrossentropy,
      yTrue: () => nn.tensor(targets01, [2, 3], 'float64'),
      pred: probs,
    },
    {
      name: 'cce logits',
      loss: (a, b) => categoricalCrossentropy(a, b, { fromLogits: true }),
      yTrue: () => nn.tensor([0.1, 0.1, 0.8, 1, 0, 0], [2, 3], 'float64'),
      pred: yPred,
    },
    {
      name: 'cce probabilities',
      loss: categoricalCrossentropy,
      yTrue: () => nn.tensor([0, 0, 1, 1, 0, 0], [2, 3], 'float64'),
      pred: probs,
    },
    {
      name: 'sparse cce logits',
      loss: (a, b) => sparseCategoricalCrossentropy(a, b, { fromLogits: true }),
      yTrue: () => nn.tensor(Int32Array.from([1, 2])),
      pred: yPred,
    },
    {
      name: 'cosine',
      loss: cosineSimilarity,
      yTrue: () => nn.tensor(yTrueReal, [2, 3], 'float64'),
      pred: yPred,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      nn.tidy(() => {
        const yTrue = c.yTrue();
        const x = nn.tensor(c.pred, [2, 3], 'float64').requireGrad();
        const [g] = nn.grad(c.loss(yTrue, x), [x]);
        const analytic = g!.dataSync();
        const values = Float64Array.from(c.pred);
        for (let i = 0; i < values.length; i++) {
          const at = (v: number) =>
            nn.tidy(() => {
              const copy = Float64Array.from(values);
              copy[i] = v;
              return nn.noGrad(() => c.loss(yTrue, nn.tensor(copy, [2, 3], 'float64')).item());
            });
          const eps = 1e-6;
          const numeric = (at(values[i]! + eps) - at(values[i]! - eps)) / (2 * eps);
          expect(Math.abs(analytic[i]! - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
        }
      });
    });
  }
});
