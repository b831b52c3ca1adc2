import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { BatchNormalization, Dropout, Sequential } from '../../../core/engine/nn/index.js';

describe('batchNormalization', () => {
  it('normalises with batch statistics in training and updates the moving ones', () => {
    const bn = new BatchNormalization({ momentum: 0.9, epsilon: 1e-3 });
    bn.build([2]);
    const x = nn.tensor([
      [1, 10],
      [3, 20],
      [5, 60],
    ]);
    const y = nn.tidy(() => bn.call(x, { training: true }));
    const mean = [3, 30];
    const variance = [8 / 3, (400 + 100 + 900) / 3];
    const out = y.toArray() as number[][];
    for (let i = 0; i < 3; i++) {
      for (let c = 0; c < 2; c++) {
        const xi = (x.toArray() as number[][])[i]![c]!;
        expect(out[i]![c]).toBeCloseTo((xi - mean[c]!) / Math.sqrt(variance[c]! + 1e-3), 5);
      }
    }
    const mm = bn.movingMean!.dataSync();
    const mv = bn.movingVariance!.dataSync();
    expect(mm[0]).toBeCloseTo(0.1 * 3, 6);
    expect(mm[1]).toBeCloseTo(0.1 * 30, 5);
    expect(mv[0]).toBeCloseTo(0.9 + 0.1 * variance[0]!, 5);
    expect(mv[1]).toBeCloseTo(0.9 + 0.1 * variance[1]!, 4);
    nn.dispose([x, y]);
    bn.dispose();
  });

  it('uses the moving statistics in inference, and leaves them alone', () => {
    const bn = new BatchNormalization({ epsilon: 0.01 });
    bn.build([2]);
    bn.movingMean!.assign(nn.tensor([1, -2]));
    bn.movingVariance!.assign(nn.tensor([4, 0.25]));
    bn.gamma!.assign(nn.tensor([2, 1]));
    bn.beta!.assign(nn.tensor([0, 0.5]));
    const x = nn.tensor([[3, 0]]);
    const y = nn.tidy(() => bn.call(x, { training: false }));
    const got = y.dataSync();
    expect(got[0]).toBeCloseTo((2 * (3 - 1)) / Math.sqrt(4.01), 5);
    expect(got[1]).toBeCloseTo((0 + 2) / Math.sqrt(0.26) + 0.5, 5);
    expect([...bn.movingMean!.dataSync()]).toEqual([1, -2]);
    nn.dispose([x, y]);
    bn.dispose();
  });
});

describe('dropout', () => {
  it('drops about `rate` and scales the rest by 1/(1 − rate) in training only', () => {
    const layer = new Dropout({ rate: 0.25 });
    layer.random = new nn.Random(9);
    const x = nn.ones([200, 50]);
    const y = nn.tidy(() => layer.call(x, { training: true }));
    const values = y.dataSync();
    let zeros = 0;
    for (const v of values) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(1 / 0.75, 6);
    }
    expect(zeros / values.length).toBeCloseTo(0.25, 1.5);
    const z = nn.tidy(() => layer.call(x, { training: false }));
    expect([...z.dataSync()].every((v) => v === 1)).toBe(true);
    nn.dispose([x, y, z]);
  });

  it('draws masks from the model generator: same seed, same masks; state restores them', () => {
    const spec = { layers: [{ type: 'dropout', rate: 0.5 }], inputShape: [20] };
    const a = Sequential.fromSpec(spec, { seed: 3 });
    const b = Sequential.fromSpec(spec, { seed: 3 });
    const x = nn.ones([4, 20]);
    const run = (m: Sequential) => nn.tidy(() => [...m.apply(x, { training: true }).dataSync()]);
    expect(run(a)).toEqual(run(b));
    const state = a.random.getState();
    const first = run(a);
    expect(run(a)).not.toEqual(first);
    a.random.setState(state);
    expect(run(a)).toEqual(first);
    x.dispose();
  });
});

describe('float64 models', () => {
  it('fromSpec with dtype float64 builds float64 weights and outputs', () => {
    const model = Sequential.fromSpec(
      { layers: [{ type: 'dense', units: 3, activation: 'relu' }, { type: 'batchNormalization' }] },
      { seed: 1, dtype: 'float64' },
    );
    const x = nn.ones([2, 4]);
    const y = nn.tidy(() => model.apply(x, { training: false }));
    expect(y.dtype).toBe('float64');
    expect(model.namedWeights().every((w) => w.value.dtype === 'float64')).toBe(true);
    nn.dispose([x, y]);
    model.dispose();
  });
});

describe('memory', () => {
  it('a training step of a conv net leaves the live-tensor count flat', () => {
    const model = Sequential.fromSpec(
      {
        layers: [
          { type: 'conv2d', filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' },
          { type: 'batchNormalization' },
          { type: 'maxPooling2d' },
          { type: 'flatten' },
          { type: 'dropout', rate: 0.1 },
          { type: 'dense', units: 2, kernelRegularizer: 'l2' },
        ],
      },
      { seed: 2 },
    );
    const x = nn.randomNormal([3, 6, 6, 1]);
    const y = nn.randomNormal([3, 2]);
    const step = () =>
      nn.tidy(() => {
        const params = model.trainableWeights();
        const { value, grads } = nn.valueAndGrad(() => {
          const mse = nn.mean(nn.square(nn.sub(model.apply(x, { training: true }), y)));
          const reg = model.regularizationLoss();
          return reg ? nn.add(mse, reg) : mse;
        }, params);
        nn.noGrad(() => params.forEach((p, i) => p.assign(nn.sub(p, nn.mul(grads[i]!, 0.01)))));
        return value.item();
      });
    step();
    const live = nn.memory().liveTensors;
    const storages = nn.memory().liveStorages;
    for (let i = 0; i < 3; i++) step();
    expect(nn.memory().liveTensors).toBe(live);
    expect(nn.memory().liveStorages).toBe(storages);
    nn.dispose([x, y]);
    model.dispose();
  });
});
