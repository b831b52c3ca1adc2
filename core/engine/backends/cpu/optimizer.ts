/** CPU fused optimizer updates: one pass over each parameter and its slots. */
import type { AdamHyper } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';

export function adamKernel(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, h: AdamHyper): void {
  const { beta1, beta2, epsilon } = h;
  const c1 = 1 - beta1 ** h.step;
  const c2 = 1 - beta2 ** h.step;
  const lr = h.learningRate;
  const stepSize = lr / c1;
  const invSqrtC2 = 1 / Math.sqrt(c2);
  const decay = 1 - lr * h.weightDecay;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i]! * decay - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + epsilon);
  }
}
