/**
 * The fused max-pool kernel (values + argmax, backward by scatter) against the composed
 * im2col + max path the engine uses on backends without it: same values (NaN included), same
 * gradients, on shapes with padding, strides and overlapping windows.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';

type PoolOptions = Parameters<typeof nn.maxPool2d>[1];

function pooledAndGrad(x: nn.Tensor, options: PoolOptions, weights: nn.Tensor) {
  return nn.tidy(() => {
    const v = nn.variable(x);
    const { value, grads } = nn.valueAndGrad(() => nn.sum(nn.mul(nn.maxPool2d(v, options), weights)), [v]);
    const out = nn.maxPool2d(x, options);
    return { out: Array.from(out.dataSync()), loss: value.item(), grad: Array.from(grads[0]!.dataSync()) };
  });
}

/** Runs `fn` with the backend's fused kernel hidden, so maxPool2d takes the composed path. */
function composed<T>(fn: () => T): T {
  const backend = nn.getBackend() as { maxPool2d?: unknown };
  backend.maxPool2d = undefined;
  try {
    return fn();
  } finally {
    delete backend.maxPool2d;
  }
}

const cases: [string, number[], PoolOptions][] = [
  ['2×2 stride 2', [2, 6, 6, 3], {}],
  ['same padding, odd size', [2, 7, 5, 4], { padding: 'same' }],
  ['3×3 stride 1, overlapping', [1, 6, 6, 2], { poolSize: 3, strides: 1 }],
  ['3×3 stride 2 same', [3, 9, 9, 5], { poolSize: 3, strides: 2, padding: 'same' }],
];

describe('maxPool2d: the fused CPU kernel matches the composed path', () => {
  for (const [label, shape, options] of cases) {
    it(label, () => {
      expect(nn.getBackend().maxPool2d).toBeTypeOf('function');
      const rng = new nn.Random(shape.reduce((a, b) => a * b, 1));
      const size = shape.reduce((a, b) => a * b, 1);
      const x = nn.tensor(
        Float32Array.from({ length: size }, () => rng.normal()),
        shape,
      );
      const probe = nn.maxPool2d(x, options);
      const weights = nn.tensor(
        Float32Array.from({ length: probe.size }, () => rng.normal()),
        probe.shape,
      );
      const fused = pooledAndGrad(x, options, weights);
      const reference = composed(() => pooledAndGrad(x, options, weights));
      expect(fused.out).toEqual(reference.out);
      expect(fused.loss).toBeCloseTo(reference.loss, 4);
      expect(fused.grad).toEqual(reference.grad);
      nn.dispose([x, probe, weights]);
    });
  }

  it('propagates NaN and keeps the live count flat', () => {
    const values = Float32Array.from({ length: 16 }, (_, i) => i);
    values[5] = NaN;
    const x = nn.tensor(values, [1, 4, 4, 1]);
    const before = nn.memory().liveTensors;
    const fused = nn.maxPool2d(x);
    const reference = composed(() => nn.maxPool2d(x));
    expect(Array.from(fused.dataSync())).toEqual([NaN, 7, 13, 15]);
    expect(Array.from(reference.dataSync())).toEqual([NaN, 7, 13, 15]);
    nn.dispose([fused, reference]);
    expect(nn.memory().liveTensors).toBe(before);
    x.dispose();
  });
});
