/**
 * The fused Adam/AdamW step (Backend.adamUpdate's rule), in place over contiguous arrays of
 * one parameter, its gradient and its two moment slots:
 *
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *   p ← p − lr·(m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε) − lr·wd·p
 *
 * `adamUpdate` runs the native addon for float32 arrays when it was built (AVX2 or generic
 * C++, arithmetic in float32), else the TypeScript kernel (arithmetic in float64, rounded on
 * store). The two agree to a few float32 ulps.
 */
import { loadNativeKernels } from './native-loader.js';

type Floats = Float32Array | Float64Array;

export type AdamFn<T extends Floats> = (
  param: T,
  grad: T,
  m: T,
  v: T,
  learningRate: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  /** The 1-based step number, for bias correction. */
  step: number,
  /** Decoupled weight decay (AdamW); 0 for Adam. */
  weightDecay?: number,
) => void;

const native = loadNativeKernels();

function check(param: Floats, grad: Floats, m: Floats, v: Floats, step: number): void {
  const n = param.length;
  if (grad.length !== n || m.length !== n || v.length !== n) {
    throw new RangeError('adamUpdate: param, grad, m and v must have the same length');
  }
  if (!Number.isInteger(step) || step < 1) throw new RangeError('adamUpdate: step must be an integer >= 1');
}

/** The portable kernel, for float32 or float64 arrays (all four of one type). */
export const adamUpdateTypescript: AdamFn<Floats> = (
  param,
  grad,
  m,
  v,
  learningRate,
  beta1,
  beta2,
  epsilon,
  step,
  weightDecay = 0,
) => {
  check(param, grad, m, v, step);
  const stepSize = learningRate / (1 - beta1 ** step);
  const invSqrtC2 = 1 / Math.sqrt(1 - beta2 ** step);
  const decay = 1 - learningRate * weightDecay;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const g = grad[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * g;
    const vi = beta2 * v[i]! + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i]! * decay - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + epsilon);
  }
};

/** The native kernel (float32 only) when the addon loaded, else null. */
export const adamUpdateNative: AdamFn<Float32Array> | null = native
  ? (param, grad, m, v, learningRate, beta1, beta2, epsilon, step, weightDecay = 0) =>
      native.adamUpdate(param, grad, m, v, learningRate, beta1, beta2, epsilon, step, weightDecay)
  : null;

export const adamUpdate: AdamFn<Floats> = (
  param,
  grad,
  m,
  v,
  learningRate,
  beta1,
  beta2,
  epsilon,
  step,
  weightDecay,
) => {
  if (
    adamUpdateNative &&
    param instanceof Float32Array &&
    grad instanceof Float32Array &&
    m instanceof Float32Array &&
    v instanceof Float32Array
  ) {
    adamUpdateNative(param, grad, m, v, learningRate, beta1, beta2, epsilon, step, weightDecay);
  } else {
    adamUpdateTypescript(param, grad, m, v, learningRate, beta1, beta2, epsilon, step, weightDecay);
  }
};
