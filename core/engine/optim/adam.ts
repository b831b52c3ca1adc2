/**
 * Adam (Kingma & Ba 2015) with bias correction, and AdamW (Loshchilov & Hutter 2019) with
 * decoupled weight decay, in PyTorch's form:
 *   m ← β₁·m + (1−β₁)·g;   v ← β₂·v + (1−β₂)·g²
 *   m̂ = m / (1−β₁ᵗ);       v̂ = v / (1−β₂ᵗ)
 *   p ← p − lr·wd·p − lr·m̂ / (√v̂ + ε)          (wd = 0 for Adam)
 * The update runs through the engine's `adamUpdate`, which uses a backend's fused kernel when
 * it has one and composes primitives otherwise.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { AdamHyper } from '../backends/backend.js';
import { adamUpdate, adamUpdateAll } from '../ops/fused.js';
import { Optimizer, type OptimizerOptions, type ParamUpdate } from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  /** Defaults to 0.001. */
  learningRate?: number;
  /** Defaults to 0.9. */
  beta1?: number;
  /** Defaults to 0.999. */
  beta2?: number;
  /** Defaults to 1e-7 (Keras; PyTorch uses 1e-8). */
  epsilon?: number;
}

export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay, multiplied by the learning rate. Defaults to 0.004 (Keras). */
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly type: string = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;

  constructor(options: AdamWOptions = {}, weightDecay = 0) {
    super(options, 0.001);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    this.weightDecay = weightDecay;
    for (const [name, value] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const) {
      if (!(value >= 0 && value < 1))
        throw new Error(`${this.constructor.name.toLowerCase()}: ${name} must be in [0, 1), got ${value}`);
    }
  }

  protected slotSpecs() {
    return [
      { name: 'm', initial: 0 },
      { name: 'v', initial: 0 },
    ];
  }

  protected updateParam(param: Tensor, grad: Tensor, slots: Record<string, Tensor>, step: number): void {
    adamUpdate(param, grad, slots.m!, slots.v!, this.hyper(step));
  }

  /** Every parameter of the step at once: a GPU updates several per dispatch. */
  protected override updateParams(updates: readonly ParamUpdate[], step: number): void {
    adamUpdateAll(
      updates.map((u) => ({ param: u.param, grad: u.grad, m: u.slots.m!, v: u.slots.v! })),
      this.hyper(step),
    );
  }

  private hyper(step: number): AdamHyper {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
      step,
    };
  }

  protected hyperparameters(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export class AdamW extends Adam {
  override readonly type = 'adamw';

  constructor(options: AdamWOptions = {}) {
    const weightDecay = options.weightDecay ?? 0.004;
    if (!(weightDecay >= 0)) throw new Error(`adamw: weightDecay must be ≥ 0, got ${weightDecay}`);
    super(options, weightDecay);
  }

  protected override hyperparameters(): Record<string, unknown> {
    return { ...super.hyperparameters(), weightDecay: this.weightDecay };
  }
}

/** @example const opt = adam({ learningRate: 1e-3 }); */
export function adam(options: AdamOptions = {}): Adam {
  return new Adam(options);
}

/** @example const opt = adamw({ learningRate: 1e-3, weightDecay: 0.01 }); */
export function adamw(options: AdamWOptions = {}): AdamW {
  return new AdamW(options);
}
