/**
 * Stochastic gradient descent with optional momentum and Nesterov momentum, in PyTorch's form
 * (which equals Keras's for a constant learning rate):
 *   b ← μ·b + g
 *   p ← p − lr·b               (classical momentum)
 *   p ← p − lr·(g + μ·b)       (nesterov)
 * Without momentum: p ← p − lr·g.
 */
import type { Tensor } from '../tensor/tensor.js';
import { add, mul, sub } from '../ops/elementwise.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';

export interface SgdOptions extends OptimizerOptions {
  /** Defaults to 0.01. */
  learningRate?: number;
  /** μ, in [0, 1). Defaults to 0 (plain SGD). */
  momentum?: number;
  /** Use Nesterov momentum (needs momentum > 0). Defaults to false. */
  nesterov?: boolean;
}

export class Sgd extends Optimizer {
  readonly type = 'sgd';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(options: SgdOptions = {}) {
    super(options, 0.01);
    this.momentum = options.momentum ?? 0;
    this.nesterov = options.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum < 1))
      throw new Error(`sgd: momentum must be in [0, 1), got ${this.momentum}`);
    if (this.nesterov && this.momentum === 0) throw new Error('sgd: nesterov needs momentum > 0');
  }

  protected slotSpecs() {
    return this.momentum > 0 ? [{ name: 'momentum', initial: 0 }] : [];
  }

  protected updateParam(param: Tensor, grad: Tensor, slots: Record<string, Tensor>): void {
    const lr = this.learningRate;
    if (this.momentum === 0) {
      param.assign(sub(param, mul(grad, lr)));
      return;
    }
    const buffer = add(mul(slots.momentum!, this.momentum), grad);
    slots.momentum!.assign(buffer);
    const direction = this.nesterov ? add(grad, mul(buffer, this.momentum)) : buffer;
    param.assign(sub(param, mul(direction, lr)));
  }

  protected hyperparameters() {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }
}

/** @example const opt = sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }); */
export function sgd(options: SgdOptions = {}): Sgd {
  return new Sgd(options);
}
