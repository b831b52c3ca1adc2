/**
 * The fused softmax cross-entropy ops on the CPU backend beyond their op-table rows
 * (tests/support/op-cases-fused.ts: forward against float64 references, gradients against
 * central differences): the fused kernels against the composed fallback a backend without
 * them takes, and the losses that use them.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import type { Backend } from '../../../core/engine/index.js';
import { categoricalCrossentropy, sparseCategoricalCrossentropy } from '../../../core/engine/nn/losses.js';

const cpu = nn.createCpuBackend();

/** The CPU backend without the fused kernels: the ops take their composed fallback. */
function withoutFusedKernels(): Backend {
  const plain = Object.create(nn.createCpuBackend()) as Backend & Record<string, unknown>;
  plain.softmaxCrossEntropy = undefined;
  plain.softmaxCrossEntropyGrad = undefined;
  return plain;
}

/** Loss Σ w·op(logits, targets) and its gradients (float64), on `backend`. */
function lossAndGrads(
  backend: Backend,
  op: 'sparse' | 'soft',
  logits: Float64Array,
  shape: number[],
  targets: Float64Array | Int32Array,
  weights: Float64Array,
): { values: number[]; grads: number[][] } {
  return nn.withBackend(backend, () =>
    nn.tidy(() => {
      const x = nn.tensor(logits, shape, 'float64').requireGrad();
      const t =
        targets instanceof Int32Array
          ? nn.tensor(targets, shape.slice(0, -1), 'int32')
          : nn.tensor(targets, shape, 'float64').requireGrad();
      const loss = op === 'sparse' ? nn.sparseSoftmaxCrossEntropy(x, t) : nn.softmaxCrossEntropy(x, t);
      const total = nn.sum(nn.mul(loss, nn.tensor(weights, loss.shape, 'float64')));
      const wrt = op === 'sparse' ? [x] : [x, t];
      const grads = nn.grad(total, wrt);
      return {
        values: Array.from(loss.dataSync()),
        grads: grads.map((g) => Array.from(g.dataSync())),
      };
    }),
  );
}

function expectClose(got: number[], expected: number[]): void {
  expect(got.length).toBe(expected.length);
  got.forEach((g, i) => {
    if (Number.isNaN(expected[i])) expect(g).toBeNaN();
    else expect(Math.abs(g - expected[i]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected[i]!)));
  });
}

describe('fused kernels against the composed fallback (float64)', () => {
  const rng = new nn.Random(5);
  const shape = [6, 5];
  const logits = Float64Array.from({ length: 30 }, () => rng.uniform(-3, 3));
  const weights = Float64Array.from({ length: 6 }, () => rng.uniform(-1, 1));

  it('sparse labels, an out-of-range label giving NaN in both', () => {
    const labels = Int32Array.from([0, 4, 2, 5, -1, 3]);
    const fused = lossAndGrads(cpu, 'sparse', logits, shape, labels, weights);
    const composed = lossAndGrads(withoutFusedKernels(), 'sparse', logits, shape, labels, weights);
    expectClose(fused.values, composed.values);
    expect(fused.values[3]).toBeNaN();
    expect(fused.values[4]).toBeNaN();
    // The NaN rows poison the weighted sum's gradient only in their own rows.
    expectClose(fused.grads[0]!.slice(0, 15), composed.grads[0]!.slice(0, 15));
    expect(fused.grads[0]!.slice(15, 25).every(Number.isNaN)).toBe(true);
  });

  it('soft targets: gradients for logits and targets', () => {
    const targets = Float64Array.from({ length: 30 }, () => rng.uniform(0, 1));
    const fused = lossAndGrads(cpu, 'soft', logits, shape, targets, weights);
    const composed = lossAndGrads(withoutFusedKernels(), 'soft', logits, shape, targets, weights);
    expectClose(fused.values, composed.values);
    expectClose(fused.grads[0]!, composed.grads[0]!);
    expectClose(fused.grads[1]!, composed.grads[1]!);
  });

  it('the composed fallback works on a backend that is not the active one', () => {
    const plain = withoutFusedKernels();
    const [logits, labels] = nn.withBackend(plain, () => [
      nn.tensor([
        [1, 2, 3],
        [3, 1, 0],
      ]),
      nn.tensor(Int32Array.from([2, 0])),
    ]);
    const loss = nn.sparseSoftmaxCrossEntropy(logits!, labels!);
    expect(loss.backend).toBe(plain);
    const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const expected = [lse([1, 2, 3]) - 3, lse([3, 1, 0]) - 3];
    Array.from(loss.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    nn.dispose([logits, labels, loss]);
  });

  it('refuses bad inputs by name', () => {
    nn.tidy(() => {
      const x = nn.zeros([4, 3]);
      expect(() => nn.sparseSoftmaxCrossEntropy(x, nn.zeros([4]))).toThrow(/labels must be int32/);
      expect(() => nn.sparseSoftmaxCrossEntropy(x, nn.zeros([3], 'int32'))).toThrow(/\[3\].*\[4\]/);
      expect(() => nn.softmaxCrossEntropy(x, nn.zeros([4, 2]))).toThrow(/\[4,2\].*\[4,3\]/);
      expect(() => nn.softmaxCrossEntropy(nn.zeros([]), nn.zeros([]))).toThrow(/class axis/);
    });
  });
});

describe('crossentropy losses through the fused op', () => {
  it('fromLogits and a recorded softmax give the same loss and logits gradient', () => {
    const rng = new nn.Random(9);
    // Extreme logits: probabilities below the 1e-7 clip, where only the logits path is exact.
    const values = Float32Array.from({ length: 40 }, () => rng.uniform(-30, 30));
    const labels = nn.tensor(
      Int32Array.from({ length: 8 }, () => rng.int(5)),
      [8],
      'int32',
    );
    const run = (viaSoftmax: boolean, sparse: boolean) =>
      nn.tidy(() => {
        const logits = nn.tensor(values, [8, 5]).requireGrad();
        const yTrue = sparse ? labels : nn.oneHot(labels, 5);
        const loss = viaSoftmax
          ? (sparse ? sparseCategoricalCrossentropy : categoricalCrossentropy)(yTrue, nn.softmax(logits))
          : (sparse ? sparseCategoricalCrossentropy : categoricalCrossentropy)(yTrue, logits, {
              fromLogits: true,
            });
        const [g] = nn.grad(loss, [logits]);
        return { loss: loss.item(), grad: Array.from(g!.dataSync()) };
      });
    for (const sparse of [true, false]) {
      const a = run(false, sparse);
      const b = run(true, sparse);
      expect(b.loss).toBe(a.loss);
      expect(b.grad).toEqual(a.grad);
      // The reference: mean over rows of lse − x[label], in double.
      let expected = 0;
      for (let r = 0; r < 8; r++) {
        const row = Array.from(values.subarray(r * 5, r * 5 + 5));
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
        expected += (lse - row[labels.dataSync()[r]!]!) / 8;
      }
      expect(Math.abs(a.loss - expected)).toBeLessThan(1e-5 * Math.max(1, expected));
    }
    labels.dispose();
  });

  it('probabilities that are no recorded softmax still take the clipped path', () => {
    const probs = nn.tensor([
      [0.7, 0.2, 0.1],
      [0, 0, 1],
    ]);
    const labels = nn.tensor(Int32Array.from([0, 0]));
    const loss = sparseCategoricalCrossentropy(labels, probs).item();
    expect(loss).toBeCloseTo((-Math.log(0.7) - Math.log(1e-7)) / 2, 3);
    nn.dispose([probs, labels]);
  });

  it('an out-of-range label makes the loss NaN', () => {
    const logits = nn.tensor([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const labels = nn.tensor(Int32Array.from([1, 3]));
    expect(sparseCategoricalCrossentropy(labels, logits, { fromLogits: true }).item()).toBeNaN();
    nn.dispose([logits, labels]);
  });
});
