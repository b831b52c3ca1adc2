/**
 * The optimizer lifecycle (Keras's): slots (momenta, accumulators) are created once, lazily,
 * the first time a parameter is updated; then each step is one `applyGradients(pairs)` call,
 * which clips the gradients if asked and runs every parameter's update rule under `noGrad`,
 * writing results with `assign`.
 *
 * `getState()` / `setState()` carry the slots and the iteration count, so a checkpoint can
 * resume training exactly where it stopped.
 */
import { noGrad } from '../runtime.js';
import { tidy, keep } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { fullLike } from '../ops/creation.js';
import { tensor } from '../ops/creation.js';
import { formatShape } from '../tensor/layout.js';
import { clipGradients, type ClippingOptions } from './clipping.js';

/** One parameter's update within a step: its (clipped) gradient and its slots. */
export interface ParamUpdate {
  readonly param: Tensor;
  readonly grad: Tensor;
  readonly slots: Record<string, Tensor>;
}

/** One gradient and the parameter it updates. */
export interface GradientPair {
  grad: Tensor;
  param: Tensor;
}

export interface OptimizerOptions extends ClippingOptions {
  /** The step size. Each optimizer documents its default. */
  learningRate?: number;
}

/** A JSON description of an optimizer: its type and hyperparameters. */
export interface OptimizerConfig {
  type: string;
  learningRate: number;
  [option: string]: unknown;
}

/** One slot of one parameter, copied to the host. */
export interface SlotState {
  /** The parameter's index in first-update order. */
  param: number;
  /** The parameter's name when it has one (checked on restore). */
  paramName?: string;
  slot: string;
  shape: number[];
  values: Float32Array;
}

export interface OptimizerState {
  iterations: number;
  learningRate: number;
  slots: SlotState[];
}

export abstract class Optimizer {
  /** The Keras-style type name (`'adam'`, `'sgd'`, …) used by `optimizerFromConfig`. */
  abstract readonly type: string;
  /** The current step size; schedules and callbacks change it between steps. */
  learningRate: number;
  /** Steps taken (applyGradients calls). */
  iterations = 0;
  readonly clipping: ClippingOptions;
  /** The global gradient norm before clipping, from the last step (when clipping computed it). */
  lastGradientNorm: Tensor | null = null;

  private readonly slots = new Map<Tensor, Record<string, Tensor>>();
  private readonly order: Tensor[] = [];
  private pending: OptimizerState | null = null;

  constructor(options: OptimizerOptions, defaultLearningRate: number) {
    this.learningRate = options.learningRate ?? defaultLearningRate;
    if (!(this.learningRate >= 0)) throw new Error(`${this.constructor.name}: learningRate must be ≥ 0`);
    this.clipping = {
      clipValue: options.clipValue,
      clipNorm: options.clipNorm,
      globalClipNorm: options.globalClipNorm,
    };
  }

  /** Slot names and initial values this optimizer keeps per parameter. */
  protected abstract slotSpecs(): { name: string; initial: number }[];

  /** The update rule for one parameter; runs under noGrad inside a tidy. `step` is 1-based. */
  protected abstract updateParam(
    param: Tensor,
    grad: Tensor,
    slots: Record<string, Tensor>,
    step: number,
  ): void;

  /** Hyperparameters beyond the learning rate, for getConfig. */
  protected abstract hyperparameters(): Record<string, unknown>;

  /**
   * One optimisation step: clips the gradients (when configured), then updates each parameter
   * in place. The caller keeps ownership of the gradients.
   */
  applyGradients(pairs: readonly GradientPair[]): void {
    this.iterations++;
    const step = this.iterations;
    for (const { param } of pairs) this.ensureSlots(param);
    noGrad(() =>
      tidy(() => {
        const { grads, globalNorm } = clipGradients(
          pairs.map((p) => p.grad),
          this.clipping,
        );
        if (this.lastGradientNorm) this.lastGradientNorm.dispose();
        this.lastGradientNorm = globalNorm ? keep(globalNorm) : null;
        const updates = pairs.map(({ param }, i): ParamUpdate => {
          const grad = grads[i]!;
          if (grad.shape.join() !== param.shape.join()) {
            throw new Error(
              `${this.type}: gradient ${formatShape(grad.shape)} does not match parameter ${param.name ?? ''}${formatShape(param.shape)}`,
            );
          }
          return { param, grad, slots: this.slots.get(param)! };
        });
        this.updateParams(updates, step);
      }),
    );
  }

  /**
   * Applies the update rule to every parameter of a step. Optimizers with a kernel that
   * updates many parameters at once override it; the default updates them one by one.
   */
  protected updateParams(updates: readonly ParamUpdate[], step: number): void {
    for (const u of updates) tidy(() => this.updateParam(u.param, u.grad, u.slots, step));
  }

  private ensureSlots(param: Tensor): void {
    if (this.slots.has(param)) return;
    const index = this.order.length;
    const record: Record<string, Tensor> = {};
    const restored = this.pending?.slots.filter((s) => s.param === index) ?? [];
    for (const spec of this.slotSpecs()) {
      const saved = restored.find((s) => s.slot === spec.name);
      if (saved) {
        if (saved.shape.join() !== param.shape.join()) {
          throw new Error(
            `${this.type}.setState: slot '${spec.name}' of parameter ${index}${saved.paramName ? ` (${saved.paramName})` : ''} has shape ${formatShape(saved.shape)}, but the parameter is ${formatShape(param.shape)}`,
          );
        }
        record[spec.name] = keep(tensor(saved.values, param.shape, 'float32'));
        if (param.dtype !== 'float32')
          throw new Error(`${this.type}.setState: only float32 parameters can resume`);
      } else {
        record[spec.name] = keep(fullLike(param, spec.initial));
      }
    }
    this.slots.set(param, record);
    this.order.push(param);
  }

  /** The type and hyperparameters, enough for `optimizerFromConfig` to make an equal optimizer. */
  getConfig(): OptimizerConfig {
    return {
      type: this.type,
      learningRate: this.learningRate,
      ...this.hyperparameters(),
      ...this.clippingConfig(),
    };
  }

  private clippingConfig(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.clipping)) if (v !== undefined) out[k] = v as number;
    return out;
  }

  /** The slots (copied to the host) and iteration count, for checkpoints. */
  async getState(): Promise<OptimizerState> {
    const slots: SlotState[] = [];
    for (let i = 0; i < this.order.length; i++) {
      const param = this.order[i]!;
      for (const [slot, t] of Object.entries(this.slots.get(param)!)) {
        const data = await t.data();
        slots.push({
          param: i,
          paramName: param.name,
          slot,
          shape: [...t.shape],
          values: data instanceof Float32Array ? Float32Array.from(data) : Float32Array.from(data),
        });
      }
    }
    return { iterations: this.iterations, learningRate: this.learningRate, slots };
  }

  /**
   * Restores iterations, learning rate and slots. Slots are matched to parameters by the order
   * in which they are first updated (the model's trainableWeights order), and created from the
   * saved values on the next step. Must be called before the first step.
   */
  setState(state: OptimizerState): void {
    if (this.order.length > 0) {
      throw new Error(`${this.type}.setState: call it before the first step (slots already exist)`);
    }
    this.iterations = state.iterations;
    this.learningRate = state.learningRate;
    this.pending = state;
  }

  /** Frees the slots. */
  dispose(): void {
    for (const record of this.slots.values()) for (const t of Object.values(record)) t.dispose();
    this.slots.clear();
    this.order.length = 0;
    this.lastGradientNorm?.dispose();
    this.lastGradientNorm = null;
  }
}
