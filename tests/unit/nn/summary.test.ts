import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { Sequential } from '../../../core/engine/nn/index.js';

/** Keras's counts, by formula. */
const dense = (inputs: number, units: number, bias = true) => inputs * units + (bias ? units : 0);
const conv = (kh: number, kw: number, cin: number, filters: number) => kh * kw * cin * filters + filters;
const valid = (n: number, k: number, stride = 1) => Math.floor((n - k) / stride) + 1;

describe('summary: parameter counts as Keras counts them', () => {
  it('Dense(512, useBias: false) on 784 inputs', () => {
    const model = Sequential.fromSpec({
      layers: [{ type: 'dense', units: 512, useBias: false }],
      inputShape: [784],
    });
    const s = model.summary();
    expect(s.rows[0]).toEqual({
      name: 'dense_1',
      type: 'dense',
      outputShape: [null, 512],
      params: 401_408,
      trainableParams: 401_408,
    });
    expect(s.totalParams).toBe(dense(784, 512, false));
    model.dispose();
  });

  it('BatchNormalization(512): 2,048 of which 1,024 non-trainable', () => {
    const model = Sequential.fromSpec({
      layers: [{ type: 'dense', units: 512 }, { type: 'batchNormalization' }],
      inputShape: [784],
    });
    const s = model.summary();
    expect(s.rows[1]).toMatchObject({ type: 'batchNormalization', params: 2_048, trainableParams: 1_024 });
    expect(s.nonTrainableParams).toBe(1_024);
    expect(s.totalParams).toBe(dense(784, 512) + 4 * 512);
    expect(model.nonTrainableWeights()).toHaveLength(2);
    expect(model.trainableWeights()).toHaveLength(4);
    model.dispose();
  });

  it('an MLP 784-128-10 has 101,770', () => {
    const model = Sequential.fromSpec({
      layers: [
        { type: 'flatten' },
        { type: 'dense', units: 128, activation: 'relu' },
        { type: 'dropout', rate: 0.2 },
        { type: 'dense', units: 10 },
      ],
      inputShape: [28, 28],
    });
    const s = model.summary();
    expect(s.totalParams).toBe(101_770);
    expect(s.totalParams).toBe(dense(784, 128) + dense(128, 10));
    expect(s.rows.map((r) => r.outputShape)).toEqual([
      [null, 784],
      [null, 128],
      [null, 128],
      [null, 10],
    ]);
    const text = model.summaryText();
    expect(text).toContain('dense_1 (dense)');
    expect(text).toContain('(None, 128)');
    expect(text).toContain('100,480');
    expect(text).toContain('Total params: 101,770');
    expect(text).toContain('Non-trainable params: 0');
    model.dispose();
  });

  it('a small conv net (Keras MNIST convnet)', () => {
    const model = Sequential.fromSpec({
      layers: [
        { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 64, kernelSize: [3, 3], activation: 'relu' },
        { type: 'maxPooling2d', poolSize: [2, 2] },
        { type: 'flatten' },
        { type: 'dropout', rate: 0.5 },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      inputShape: [28, 28, 1],
    });
    const h1 = valid(28, 3);
    const p1 = valid(h1, 2, 2);
    const h2 = valid(p1, 3);
    const p2 = valid(h2, 2, 2);
    const s = model.summary();
    expect(s.rows.map((r) => r.outputShape)).toEqual([
      [null, h1, h1, 32],
      [null, p1, p1, 32],
      [null, h2, h2, 64],
      [null, p2, p2, 64],
      [null, p2 * p2 * 64],
      [null, p2 * p2 * 64],
      [null, 10],
    ]);
    expect(s.rows.map((r) => r.params)).toEqual([
      conv(3, 3, 1, 32),
      0,
      conv(3, 3, 32, 64),
      0,
      0,
      0,
      dense(1600, 10),
    ]);
    expect(s.totalParams).toBe(34_826);
    model.dispose();
  });

  it('recurrent and embedding layers', () => {
    const model = Sequential.fromSpec({
      layers: [
        { type: 'embedding', inputDim: 1000, outputDim: 16 },
        { type: 'lstm', units: 32, returnSequences: true },
        { type: 'gru', units: 8 },
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
      inputShape: [20],
    });
    const s = model.summary();
    expect(s.rows.map((r) => r.params)).toEqual([
      1000 * 16,
      4 * (16 * 32 + 32 * 32 + 32),
      3 * (32 * 8 + 8 * 8 + 2 * 8),
      dense(8, 1),
    ]);
    expect(s.rows.map((r) => r.outputShape)).toEqual([
      [null, 20, 16],
      [null, 20, 32],
      [null, 8],
      [null, 1],
    ]);
    model.dispose();
  });

  it('asks for a build before summarising', () => {
    const model = Sequential.fromSpec({ layers: [{ type: 'dense', units: 2 }] });
    expect(() => model.summary()).toThrow(/not built/);
  });

  it('names the layer whose shape does not fit', () => {
    expect(() =>
      Sequential.fromSpec({
        layers: [{ type: 'flatten' }, { type: 'conv2d', filters: 2, kernelSize: 3 }],
        inputShape: [4, 4],
      }),
    ).toThrow(/conv2d_1 \(conv2d\) on inputs \[null, 16\].*NHWC/);
    const live = nn.memory().liveTensors;
    const model = Sequential.fromSpec({
      layers: [
        { type: 'dense', units: 4 },
        { type: 'conv2d', filters: 2, kernelSize: 3 },
      ],
    });
    expect(() => model.build([3])).toThrow(/NHWC/);
    expect(nn.memory().liveTensors).toBe(live);
    expect(model.built).toBe(false);
  });
});
