/**
 * RMSprop (Hinton's lecture 6e), Keras's form:
 *   v ← ρ·v + (1−ρ)·g²
 *   centered: ḡ ← ρ·ḡ + (1−ρ)·g, and the denominator is v − ḡ² instead of v
 *   Δ ← lr·g / √(denominator + ε)
 *   with momentum μ: b ← μ·b + Δ, p ← p − b;  without: p ← p − Δ
 * (ε is inside the square root, as in Keras; PyTorch adds it outside.)
 */
import type { Tensor } from '../tensor/tensor.js';
import { add, div, mul, sqrt, square, sub } from '../ops/elementwise.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';

export interface RmspropOptions extends OptimizerOptions {
  /** Defaults to 0.001. */
  learningRate?: number;
  /** ρ, the decay of the squared-gradient average. Defaults to 0.9. */
  rho?: number;
  /** Defaults to 0. */
  momentum?: number;
  /** Defaults to 1e-7. */
  epsilon?: number;
  /** Normalise by the gradient's estimated variance instead of its second moment. Defaults to false. */
  centered?: boolean;
}

export class Rmsprop extends Optimizer {
  readonly type = 'rmsprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(options: RmspropOptions = {}) {
    super(options, 0.001);
    this.rho = options.rho ?? 0.9;
    this.momentum = options.momentum ?? 0;
    this.epsilon = options.epsilon ?? 1e-7;
    this.centered = options.centered ?? false;
    if (!(this.rho >= 0 && this.rho < 1)) throw new Error(`rmsprop: rho must be in [0, 1), got ${this.rho}`);
    if (!(this.momentum >= 0 && this.momentum < 1))
      throw new Error(`rmsprop: momentum must be in [0, 1), got ${this.momentum}`);
  }

  protected slotSpecs() {
    const specs = [{ name: 'velocity', initial: 0 }];
    if (this.centered) specs.push({ name: 'averageGradient', initial: 0 });
    if (this.momentum > 0) specs.push({ name: 'momentum', initial: 0 });
    return specs;
  }

  protected updateParam(param: Tensor, grad: Tensor, slots: Record<string, Tensor>): void {
    const rho = this.rho;
    const velocity = add(mul(slots.velocity!, rho), mul(square(grad), 1 - rho));
    slots.velocity!.assign(velocity);
    let denominator = velocity;
    if (this.centered) {
      const average = add(mul(slots.averageGradient!, rho), mul(grad, 1 - rho));
      slots.averageGradient!.assign(average);
      denominator = sub(velocity, square(average));
    }
    const increment = div(mul(grad, this.learningRate), sqrt(add(denominator, this.epsilon)));
    if (this.momentum > 0) {
      const buffer = add(mul(slots.momentum!, this.momentum), increment);
      slots.momentum!.assign(buffer);
      param.assign(sub(param, buffer));
    } else {
      param.assign(sub(param, increment));
    }
  }

  protected hyperparameters() {
    return { rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

export function rmsprop(options: RmspropOptions = {}): Rmsprop {
  return new Rmsprop(options);
}
