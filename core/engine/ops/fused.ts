/**
 * Fused updates: one pass over memory instead of a chain of elementwise ops, where the backend
 * offers a kernel; the same formula composed from primitives where it does not.
 */
import type { AdamHyper, AdamItem } from '../backends/backend.js';
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

/** One parameter, its gradient and its Adam moments (see adamUpdateAll). */
export interface AdamParam {
  param: Tensor;
  grad: Tensor;
  m: Tensor;
  v: Tensor;
}

/**
 * adamUpdate for every parameter of a step: the float32 ones in as few kernels as the backend
 * allows (Backend.adamUpdateMany), the rest one by one.
 */
export function adamUpdateAll(items: readonly AdamParam[], hyper: AdamHyper): void {
  const backend = items[0]?.param.backend;
  const together = backend?.adamUpdateMany
    ? items.filter((i) => i.param.dtype === 'float32' && i.param.backend === backend)
    : [];
  if (together.length > 1) {
    const fused: AdamItem[] = together.map((i) => ({
      param: i.param.exclusiveStorage(),
      grad: i.grad.view('adamUpdateAll'),
      m: i.m.exclusiveStorage(),
      v: i.v.exclusiveStorage(),
    }));
    backend!.adamUpdateMany!(fused, hyper);
  }
  for (const i of items) {
    if (together.length > 1 && together.includes(i)) continue;
    adamUpdate(i.param, i.grad, i.m, i.v, hyper);
  }
}
