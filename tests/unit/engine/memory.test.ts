import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';

describe('deterministic memory', () => {
  it('tidy frees everything but its result, and a training loop keeps the live counts flat', () => {
    nn.setSeed(1);
    const w1 = nn.variable(nn.randomNormal([8, 16], 0, 0.3));
    const b1 = nn.variable(nn.zeros([16]));
    const w2 = nn.variable(nn.randomNormal([16, 3], 0, 0.3));
    const x = nn.randomNormal([32, 8]);
    const labels = nn.tensor(Int32Array.from({ length: 32 }, (_, i) => i % 3));
    const params = [w1, b1, w2];
    const step = () =>
      nn.tidy(() => {
        const { value, grads } = nn.valueAndGrad(() => {
          const h = nn.relu(nn.add(nn.matmul(x, w1), b1));
          const logits = nn.matmul(h, w2);
          return nn.neg(nn.mean(nn.sum(nn.mul(nn.oneHot(labels, 3), nn.logSoftmax(logits)), -1)));
        }, params);
        params.forEach((p, i) => p.assign(nn.sub(p, nn.mul(grads[i]!, 0.1))));
        return value.item();
      });
    const first = step();
    const baseline = nn.memory();
    let last = first;
    for (let i = 0; i < 50; i++) last = step();
    const after = nn.memory();
    expect(after.liveTensors).toBe(baseline.liveTensors);
    expect(after.liveStorages).toBe(baseline.liveStorages);
    expect(after.liveBytes).toBe(baseline.liveBytes);
    expect(last).toBeLessThan(first);
    nn.dispose([...params, x, labels]);
  });

  it('a graph keeps the intermediates it needs until its result is disposed', () => {
    const start = nn.memory().liveTensors;
    const w = nn.variable([2]);
    const y = nn.tidy(() => nn.exp(nn.mul(w, 3))); // the product is disposed by tidy but the graph needs it
    const loss = nn.sum(y);
    const [g] = nn.grad(loss, [w]);
    expect(g!.item()).toBeCloseTo(3 * Math.exp(6), 2);
    nn.dispose([y, g, w]);
    expect(nn.memory().liveTensors).toBeGreaterThan(start); // the loss still holds its graph
    loss.dispose();
    expect(nn.memory().liveTensors).toBe(start);
  });

  it('tidy rethrows and still frees what it made', () => {
    const start = nn.memory().liveTensors;
    expect(() =>
      nn.tidy(() => {
        nn.zeros([10]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(nn.memory().liveTensors).toBe(start);
  });
});

describe('fused Adam', () => {
  it('matches the textbook update over several steps, on the fused kernel and the composed fallback', () => {
    const hyper = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.01 };
    const grads = [
      [0.5, -1, 2],
      [0.1, 0.3, -0.2],
      [-1, 1, 0.25],
    ];
    // Reference in double precision, written from the formula.
    const p = [1, -2, 0.5];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    grads.forEach((g, t) => {
      for (let i = 0; i < 3; i++) {
        m[i] = 0.9 * m[i]! + 0.1 * g[i]!;
        v[i] = 0.999 * v[i]! + 0.001 * g[i]! ** 2;
        const update = m[i]! / (1 - 0.9 ** (t + 1)) / (Math.sqrt(v[i]! / (1 - 0.999 ** (t + 1))) + 1e-7);
        p[i] = p[i]! - 0.01 * 0.01 * p[i]! - 0.01 * update;
      }
    });
    for (const dtype of ['float32', 'float64'] as const) {
      // float32 runs the backend's fused kernel; float64 runs the composed fallback.
      const param = nn.variable(nn.tensor([1, -2, 0.5], undefined, dtype));
      const ms = nn.variable(nn.zeros([3], dtype));
      const vs = nn.variable(nn.zeros([3], dtype));
      grads.forEach((g, t) =>
        nn.tidy(() =>
          nn.adamUpdate(param, nn.tensor(g, undefined, dtype), ms, vs, { ...hyper, step: t + 1 }),
        ),
      );
      const got = Array.from(param.dataSync());
      got.forEach((value, i) => expect(value).toBeCloseTo(p[i]!, dtype === 'float32' ? 5 : 12));
      nn.dispose([param, ms, vs]);
    }
  });

  it('never updates a storage another tensor shares', () => {
    const shared = nn.tensor([1, 2, 3]);
    const param = nn.variable([0, 0, 0]);
    param.assign(shared); // adopts shared's storage
    nn.adamUpdate(param, nn.tensor([1, 1, 1]), nn.variable(nn.zeros([3])), nn.variable(nn.zeros([3])), {
      learningRate: 0.1,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      weightDecay: 0,
      step: 1,
    });
    expect(Array.from(shared.dataSync())).toEqual([1, 2, 3]);
    expect(param.dataSync()[0]).toBeCloseTo(0.9, 5);
  });
});
