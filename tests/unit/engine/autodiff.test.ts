import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';

describe('reverse-mode autodiff', () => {
  it('works the classic chain-rule example: L = (y − w·x)², dL/dw = −2, one SGD step gives w = 1.02', () => {
    const w = nn.variable([1]);
    const x = nn.tensor([1]);
    const y = nn.tensor([2]);
    const loss = nn.sum(nn.square(nn.sub(y, nn.mul(w, x))));
    expect(loss.item()).toBe(1);
    const [dw] = nn.grad(loss, [w]);
    expect(dw!.item()).toBe(-2);
    w.assign(nn.sub(w, nn.mul(dw!, 0.01)));
    expect(w.item()).toBeCloseTo(1.02, 6);
  });

  it('accumulates the gradient of a tensor used several times', () => {
    const x = nn.variable([3]);
    // f = x·x + x → df/dx = 2x + 1 = 7
    const [g] = nn.grad(nn.sum(nn.add(nn.mul(x, x), x)), [x]);
    expect(g!.item()).toBe(7);
  });

  it('sums gradients back through broadcasting', () => {
    const b = nn.variable([[1, 2, 3]]);
    const x = nn.tensor([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    const [g] = nn.grad(nn.sum(nn.mul(nn.add(x, b), 2)), [b]);
    expect(g!.shape).toEqual([1, 3]);
    expect(g!.toArray()).toEqual([[4, 4, 4]]);
  });

  it('gives zeros for a tensor the loss does not depend on', () => {
    const a = nn.variable([1, 2]);
    const unused = nn.variable([5]);
    const [, g] = nn.grad(nn.sum(a), [a, unused]);
    expect(g!.toArray()).toEqual([0]);
  });

  it('records nothing inside noGrad, and detach cuts the graph', () => {
    const w = nn.variable([2]);
    const inside = nn.noGrad(() => nn.mul(w, 3));
    expect(inside.node).toBeNull();
    const cut = nn.mul(nn.detach(nn.mul(w, 3)), w); // d/dw = 6 (the detached factor is a constant)
    const [g] = nn.grad(nn.sum(cut), [w]);
    expect(g!.item()).toBe(6);
  });

  it('differentiates through a composed expression: softplus(x)·tanh(x) at x = 0.3', () => {
    const x = nn.variable(new Float64Array([0.3]));
    const [g] = nn.grad(nn.sum(nn.mul(nn.softplus(x), nn.tanh(x))), [x]);
    const s = Math.log1p(Math.exp(0.3));
    const t = Math.tanh(0.3);
    const expected = (1 / (1 + Math.exp(-0.3))) * t + s * (1 - t * t);
    expect(g!.item()).toBeCloseTo(expected, 12);
  });

  it('valueAndGrad returns the value without a graph and the gradients', () => {
    const w = nn.variable([1, 2, 3]);
    const { value, grads } = nn.valueAndGrad(() => nn.sum(nn.square(w)), [w]);
    expect(value.item()).toBe(14);
    expect(value.node).toBeNull();
    expect(grads[0]!.toArray()).toEqual([2, 4, 6]);
  });

  it('supports a vector–Jacobian product with an explicit upstream gradient', () => {
    const x = nn.variable([1, 2]);
    const y = nn.mul(x, x);
    const [g] = nn.grad(y, [x], nn.tensor([1, 10]));
    expect(g!.toArray()).toEqual([2, 40]);
  });

  it('refuses a non-scalar loss without dy, naming the shape', () => {
    const x = nn.variable([1, 2]);
    expect(() => nn.grad(nn.mul(x, 2), [x])).toThrow(/scalar.*\[2\]/);
  });
});

describe('errors name the op and the shapes', () => {
  it('matmul inner dimension mismatch', () => {
    expect(() => nn.matmul(nn.zeros([64, 784]), nn.zeros([128, 10]))).toThrow(
      'matmul: [64,784] × [128,10]: inner dims 784≠128',
    );
  });

  it('broadcasting mismatch', () => {
    expect(() => nn.add(nn.zeros([2, 3]), nn.zeros([4]))).toThrow('add: [2,3] and [4] cannot broadcast');
  });

  it('reshape to a wrong size, and a disposed tensor', () => {
    expect(() => nn.reshape(nn.zeros([2, 3]), [4, 2])).toThrow(
      /reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,2\]/,
    );
    const t = nn.zeros([2]);
    t.dispose();
    expect(() => nn.add(t, 1)).toThrow(/was disposed/);
  });

  it('gather index out of range', () => {
    expect(() => nn.gather(nn.zeros([3, 2]), nn.tensor([0, 5], undefined, 'int32'))).toThrow(
      /index 5 .* out of range \[0, 3\)/,
    );
  });
});

describe('views share storage', () => {
  it('reshape, transpose, expand and slice do not copy', () => {
    const before = nn.memory().liveStorages;
    const x = nn.arange(0, 12, 1, 'float32');
    const views = [
      nn.reshape(x, [3, 4]),
      nn.transpose(nn.reshape(x, [3, 4])),
      nn.slice(nn.reshape(x, [3, 4]), [1, 1], [2, 2]),
    ];
    expect(nn.memory().liveStorages - before).toBe(1);
    expect(views[1]!.toArray()).toEqual([
      [0, 4, 8],
      [1, 5, 9],
      [2, 6, 10],
      [3, 7, 11],
    ]);
    expect(views[2]!.toArray()).toEqual([
      [5, 6],
      [9, 10],
    ]);
    nn.dispose([x, ...views]);
  });
});

describe('seeded randomness', () => {
  it('one seed reproduces every draw', () => {
    nn.setSeed(42);
    const a = nn.randomNormal([100]).dataSync();
    nn.setSeed(42);
    const b = nn.randomNormal([100]).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    nn.setSeed(43);
    expect(Array.from(nn.randomNormal([100]).dataSync())).not.toEqual(Array.from(a));
  });

  it('draws have the requested moments and truncation', () => {
    const rng = new nn.Random(7);
    const n = Array.from(nn.randomNormal([20000], 1, 2, { random: rng }).dataSync());
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const std = Math.sqrt(n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length);
    expect(mean).toBeCloseTo(1, 1);
    expect(std).toBeCloseTo(2, 1);
    const t = nn.truncatedNormal([5000], 0, 1, { random: rng }).dataSync();
    expect(Math.max(...t)).toBeLessThanOrEqual(2);
    expect(Math.min(...t)).toBeGreaterThanOrEqual(-2);
    const u = nn.randomUniform([5000], -3, 5, { random: rng }).dataSync();
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...u)).toBeLessThan(5);
  });
});

describe('fluent methods', () => {
  it('read like the maths and give the same gradients as the functions', () => {
    const w = nn.variable([1]);
    const x = nn.tensor([1]);
    const y = nn.tensor([2]);
    const loss = y.sub(w.mul(x)).square().sum();
    const [dw] = nn.grad(loss, [w]);
    expect(dw!.item()).toBe(-2);
    const a = nn.tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(a.T.matmul(a).toArray()).toEqual([
      [10, 14],
      [14, 20],
    ]);
    expect(a.softmax().sum(-1).toArray()).toEqual([1, 1]);
  });
});
