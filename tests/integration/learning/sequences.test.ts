/**
 * Learning evidence for recurrent layers: all three learn a short generated sequence task;
 * on a long-range task — recall the value shown at a marked step among the first three, after
 * 25 steps of same-looking distractors — LSTM and GRU, whose gates can hold a value, beat
 * SimpleRNN.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { fit } from '../../../core/engine/train/index.js';
import { model } from './support.js';

const recurrent = ['simpleRNN', 'lstm', 'gru'] as const;
type Recurrent = (typeof recurrent)[number];

/** Sequences of T values in [-1, 1]; label 1 when their sum is positive. */
function sumSign(n: number, T: number, seed: number) {
  const rng = new nn.Random(seed);
  const xs = Float32Array.from({ length: n * T }, () => rng.uniform(-1, 1));
  const ys = Float32Array.from({ length: n }, (_, i) =>
    xs.subarray(i * T, (i + 1) * T).reduce((a, b) => a + b) > 0 ? 1 : 0,
  );
  return { x: nn.tensor(xs, [n, T, 1]), y: nn.tensor(ys, [n, 1]) };
}

/**
 * Two channels per step: a marker (1 at one step among the first three, else 0) and a random
 * ±1 value. The label is the value at the marked step; every later value is a distractor.
 */
function markedRecall(n: number, T: number, seed: number) {
  const rng = new nn.Random(seed);
  const xs = new Float32Array(n * T * 2);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const marked = rng.int(3);
    for (let t = 0; t < T; t++) {
      const v = rng.next() < 0.5 ? -1 : 1;
      xs[(i * T + t) * 2] = t === marked ? 1 : 0;
      xs[(i * T + t) * 2 + 1] = v;
      if (t === marked) ys[i] = v > 0 ? 1 : 0;
    }
  }
  return { x: nn.tensor(xs, [n, T, 2]), y: nn.tensor(ys, [n, 1]) };
}

async function train(
  type: Recurrent,
  data: { x: nn.Tensor; y: nn.Tensor },
  epochs: number,
  learningRate: number,
): Promise<{ train: number; validation: number }> {
  const [, T, features] = data.x.shape as [number, number, number];
  const m = model(
    [
      { type, units: 16 },
      { type: 'dense', units: 1 },
    ],
    [T, features],
    1,
  );
  const history = await fit(m, data.x, data.y, {
    loss: { name: 'binary_crossentropy', fromLogits: true },
    optimizer: { type: 'adam', learningRate, globalClipNorm: 1 },
    epochs,
    batchSize: 32,
    seed: 1,
    validationSplit: 0.25,
    metrics: [{ name: 'binaryAccuracy', threshold: 0 }],
    health: false,
  });
  m.dispose();
  return {
    train: history.history.binaryAccuracy!.at(-1)!,
    validation: history.history.val_binaryAccuracy!.at(-1)!,
  };
}

describe('learning evidence: recurrent layers', () => {
  for (const type of recurrent) {
    it(`${type} learns the sign of a sequence's sum (T = 10)`, async () => {
      const data = sumSign(512, 10, 2);
      const acc = await train(type, data, 15, 0.01);
      console.log(`${type} sum-sign: train ${acc.train.toFixed(3)}, validation ${acc.validation.toFixed(3)}`);
      expect(acc.validation).toBeGreaterThanOrEqual(0.9);
      nn.dispose([data.x, data.y]);
    });
  }

  it('on marked recall over 25 steps, LSTM and GRU beat SimpleRNN', async () => {
    const results = {} as Record<Recurrent, { train: number; validation: number }>;
    for (const type of recurrent) {
      const data = markedRecall(512, 25, 3);
      results[type] = await train(type, data, 30, 0.005);
      nn.dispose([data.x, data.y]);
    }
    console.log(
      `marked recall (T = 25, 30 epochs) validation accuracy: ${recurrent.map((t) => `${t} ${results[t].validation.toFixed(3)}`).join(', ')}`,
    );
    expect(results.lstm.validation).toBeGreaterThanOrEqual(0.95);
    expect(results.gru.validation).toBeGreaterThanOrEqual(0.95);
    expect(results.simpleRNN.validation).toBeLessThan(results.lstm.validation - 0.15);
    expect(results.simpleRNN.validation).toBeLessThan(results.gru.validation - 0.15);
  });
});
