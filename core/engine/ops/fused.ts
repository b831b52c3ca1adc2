/**
 * Fused updates: one pass over memory instead of a chain of elementwise ops, where the backend
 * offers a kernel; the same formula composed from primitives where it does not.
 */
import type { AdamHyper } from '../backends/backend.js';
import { noGrad } from '../runtime.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, mul, sqrt, square, sub } from './elementwise.js';

/**
 * Applies one Adam (or AdamW, with `weightDecay`) step to `param`, updating the moment
 * estimates `m` and `v` in place. All three must be variables of the gradient's shape.
 */
export function adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, hyper: AdamHyper): void {
  const backend = param.backend;
  if (backend.adamUpdate && param.dtype === 'float32') {
    backend.adamUpdate(
      param.exclusiveStorage(),
      grad.view('adamUpdate'),
      m.exclusiveStorage(),
      v.exclusiveStorage(),
      hyper,
    );
    return;
  }
  const { learningRate: lr, beta1, beta2, epsilon, weightDecay, step } = hyper;
  noGrad(() =>
    tidy(() => {
      const m1 = add(mul(m, beta1), mul(grad, 1 - beta1));
      const v1 = add(mul(v, beta2), mul(square(grad), 1 - beta2));
      const update = div(div(m1, 1 - beta1 ** step), add(sqrt(div(v1, 1 - beta2 ** step)), epsilon));
      const decayed = weightDecay ? sub(param, mul(param, lr * weightDecay)) : param;
      m.assign(m1);
      v.assign(v1);
      param.assign(sub(decayed, mul(update, lr)));
    }),
  );
}
