import { runtime } from '../runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Backward } from './node.js';

/** True when `t`'s gradient could be wanted: a leaf that requires it, or a recorded result. */
export function needsGrad(t: Tensor): boolean {
  return t.requiresGrad || t.node !== null;
}

/**
 * Attaches a backward rule to `out` when gradients are being recorded and some input needs
 * one. Every differentiable op calls this right after computing its forward value.
 */
export function record(op: string, out: Tensor, inputs: readonly Tensor[], backward: Backward): Tensor {
  if (runtime.gradEnabled && inputs.some(needsGrad)) {
    out.node = { op, inputs, backward };
    for (const input of inputs) input.retainForGraph();
  }
  return out;
}
