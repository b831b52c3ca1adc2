/**
 * Adagrad (Duchi et al. 2011), Keras's form: the accumulator starts at
 * `initialAccumulatorValue` and
 *   a ← a + g²
 *   p ← p − lr·g / (√a + ε)
 */
import type { Tensor } from '../tensor/tensor.js';
import { add, div, mul, sqrt, square, sub } from '../ops/elementwise.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';

export interface AdagradOptions extends OptimizerOptions {
  /** Defaults to 0.001. */
  learningRate?: number;
  /** Defaults to 0.1 (Keras). */
  initialAccumulatorValue?: number;
  /** Defaults to 1e-7. */
  epsilon?: number;
}

export class Adagrad extends Optimizer {
  readonly type = 'adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(options: AdagradOptions = {}) {
    super(options, 0.001);
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0.1;
    this.epsilon = options.epsilon ?? 1e-7;
    if (!(this.initialAccumulatorValue >= 0)) throw new Error('adagrad: initialAccumulatorValue must be ≥ 0');
  }

  protected slotSpecs() {
    return [{ name: 'accumulator', initial: this.initialAccumulatorValue }];
  }

  protected updateParam(param: Tensor, grad: Tensor, slots: Record<string, Tensor>): void {
    const accumulator = add(slots.accumulator!, square(grad));
    slots.accumulator!.assign(accumulator);
    param.assign(sub(param, div(mul(grad, this.learningRate), add(sqrt(accumulator), this.epsilon))));
  }

  protected hyperparameters() {
    return { initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

export function adagrad(options: AdagradOptions = {}): Adagrad {
  return new Adagrad(options);
}
