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
