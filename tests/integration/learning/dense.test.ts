/**
 * Learning evidence on small generated problems: the ice-cream regression, XOR (and a
 * perceptron that cannot separate it), and two spirals.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { fit, predict } from '../../../core/engine/train/index.js';
import { accuracy, model, twoSpirals } from './support.js';

describe('learning evidence: dense networks', () => {
  it('ice-cream revenue: Dense(2, relu) → Dense(1) with Adam and MSE; the loss falls', async () => {
    const day = [2, 6, 1, 3, 2, 5, 7, 4, 3, 1];
    const temperature = [22, 33, 20, 25, 24, 30, 35, 28, 26, 21];
    const revenue = [1.51, 2.22, 1.37, 1.77, 1.64, 2.04, 2.42, 1.9, 1.75, 1.45];
    const standardise = (v: number[]) => {
      const mean = v.reduce((a, b) => a + b) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      return v.map((u) => (u - mean) / std);
    };
    const d = standardise(day);
    const t = standardise(temperature);
    const x = nn.tensor(d.map((v, i) => [v, t[i]!]));
    const y = nn.tensor(revenue.map((r) => [r]));
    const m = model(
      [
        { type: 'dense', units: 2, activation: 'relu' },
        { type: 'dense', units: 1 },
      ],
      [2],
      3,
    );
    const history = await fit(m, x, y, {
      loss: 'mse',
      optimizer: { type: 'adam', learningRate: 0.05 },
      epochs: 400,
      batchSize: 10,
      health: false,
    });
    const losses = history.history.loss!;
    const predictions = Array.from(predict(m, x).dataSync());
    console.log(
      `ice cream: MSE ${losses[0]!.toFixed(4)} → ${losses.at(-1)!.toFixed(5)} after ${losses.length} epochs; ` +
        `predictions ${predictions.map((p) => p.toFixed(2)).join(' ')} (actual ${revenue.join(' ')})`,
    );
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 100);
    expect(losses.at(-1)!).toBeLessThan(0.01);
    predictions.forEach((p, i) => expect(Math.abs(p - revenue[i]!)).toBeLessThan(0.2));
    nn.dispose([x, y]);
    m.dispose();
  });

  const xorX = () =>
    nn.tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
  const xorY = () => nn.tensor([[0], [1], [1], [0]]);

  it('XOR: a small MLP reaches 100% training accuracy', async () => {
    const x = xorX();
    const y = xorY();
    const m = model(
      [
        { type: 'dense', units: 8, activation: 'tanh' },
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
      [2],
    );
    const history = await fit(m, x, y, {
      loss: 'binary_crossentropy',
      optimizer: { type: 'adam', learningRate: 0.05 },
      epochs: 300,
      batchSize: 4,
      metrics: ['binaryAccuracy'],
      health: false,
    });
    const acc = accuracy(predict(m, x), [0, 1, 1, 0]);
    console.log(`XOR MLP: accuracy ${acc}, loss ${history.history.loss!.at(-1)!.toFixed(4)}`);
    expect(acc).toBeGreaterThanOrEqual(0.99);
    expect(history.history.binaryAccuracy!.at(-1)).toBe(1);
    nn.dispose([x, y]);
    m.dispose();
  });

  it('XOR: a single-layer perceptron cannot separate it (at most 3 of 4)', async () => {
    const x = xorX();
    const y = xorY();
    for (const seed of [1, 2, 3]) {
      const m = model([{ type: 'dense', units: 1, activation: 'sigmoid' }], [2], seed);
      await fit(m, x, y, {
        loss: 'binary_crossentropy',
        optimizer: { type: 'adam', learningRate: 0.05 },
        epochs: 300,
        batchSize: 4,
        health: false,
      });
      const acc = accuracy(predict(m, x), [0, 1, 1, 0]);
      expect(acc).toBeLessThanOrEqual(0.75);
      m.dispose();
    }
    nn.dispose([x, y]);
  });

  it('two spirals: an MLP reaches ≥ 95% training accuracy', async () => {
    const { x, y, labels } = twoSpirals(150, 1.5, 0.01, 5);
    const m = model(
      [
        { type: 'dense', units: 48, activation: 'relu' },
        { type: 'dense', units: 48, activation: 'relu' },
        { type: 'dense', units: 1 },
      ],
      [2],
      2,
    );
    const history = await fit(m, x, y, {
      loss: { name: 'binary_crossentropy', fromLogits: true },
      optimizer: { type: 'adam', learningRate: 0.01 },
      epochs: 250,
      batchSize: 32,
      seed: 1,
      health: false,
    });
    const probabilities = nn.sigmoid(predict(m, x));
    const acc = accuracy(probabilities, labels);
    console.log(
      `two spirals: training accuracy ${acc.toFixed(4)} after ${history.epochs.length} epochs, loss ${history.history.loss!.at(-1)!.toFixed(4)}`,
    );
    expect(acc).toBeGreaterThanOrEqual(0.95);
    nn.dispose([x, y, probabilities]);
    m.dispose();
  });
});
