/**
 * The core layers: dense, activation, flatten, reshape and dropout.
 */
import { tensor } from '../../ops/creation.js';
import { add, mul } from '../../ops/elementwise.js';
import { dense, isDenseActivation } from '../../ops/dense.js';
import { matmul } from '../../ops/matmul.js';
import { reshape } from '../../ops/shape.js';
import { formatShape, ShapeError } from '../../tensor/layout.js';
import type { Tensor } from '../../tensor/tensor.js';
import { createActivation, parseActivation, type Activation, type ActivationSpec } from '../activations.js';
import { parseInitializer, type InitializerSpec } from '../initializers.js';
import { Layer, readLayerOptions, type CallOptions, type CommonLayerOptions } from '../layer.js';
import {
  boolean,
  numberIn,
  optional,
  positiveInt,
  required,
  shapeWithWildcard,
  type JsonValue,
  type OptionValues,
} from '../options.js';
import { parseRegularizer, type RegularizerSpec } from '../regularizers.js';

const denseOptions = {
  units: required(positiveInt),
  activation: optional(parseActivation, 'linear' as ActivationSpec),
  useBias: optional(boolean, true),
  kernelInitializer: optional(parseInitializer, 'glorotUniform' as InitializerSpec),
  biasInitializer: optional(parseInitializer, 'zeros' as InitializerSpec),
  kernelRegularizer: optional(parseRegularizer, null as RegularizerSpec | null),
  biasRegularizer: optional(parseRegularizer, null as RegularizerSpec | null),
};

export interface DenseOptions extends CommonLayerOptions {
  /** The number of outputs. */
  units: number;
  /** Defaults to 'linear'. */
  activation?: ActivationSpec;
  /** Defaults to true. */
  useBias?: boolean;
  /** Defaults to 'glorotUniform'. */
  kernelInitializer?: InitializerSpec;
  /** Defaults to 'zeros'. */
  biasInitializer?: InitializerSpec;
  /** Defaults to none. */
  kernelRegularizer?: RegularizerSpec | null;
  /** Defaults to none. */
  biasRegularizer?: RegularizerSpec | null;
}

/**
 * A fully connected layer: y = activation(x·W + b), W of shape [inputs, units]. On inputs of
 * rank > 2 it applies to the last axis (as Keras).
 * @example new Dense({ units: 128, activation: 'relu' }) // 784 inputs → 100,480 parameters
 */
export class Dense extends Layer {
  readonly options: OptionValues<typeof denseOptions>;
  private readonly activation: Activation;
  kernel: Tensor | null = null;
  bias: Tensor | null = null;

  constructor(spec: DenseOptions) {
    super('dense', spec);
    this.options = readLayerOptions('dense', { ...spec }, denseOptions);
    this.activation = createActivation(this.options.activation, 'dense.activation');
  }

  override get activationName(): string | undefined {
    return this.activation.name === 'linear' ? undefined : this.activation.name;
  }

  protected override buildWeights(inputShape: readonly number[]): void {
    if (inputShape.length < 1) throw new ShapeError(`${this.name}: needs inputs of rank ≥ 1, got []`);
    const o = this.options;
    this.kernel = this.addWeight('kernel', [inputShape.at(-1)!, o.units], o.kernelInitializer, {
      regularizer: o.kernelRegularizer,
    });
    if (o.useBias) {
      this.bias = this.addWeight('bias', [o.units], o.biasInitializer, { regularizer: o.biasRegularizer });
    }
  }

  override computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape.slice(0, -1), this.options.units];
  }

  call(x: Tensor): Tensor {
    const kernel = this.kernel!;
    const input = this.castInput(x);
    // Rank > 2: one [batch·…, inputs] × [inputs, units] product instead of a broadcast batch.
    const flat = input.rank === 2 ? input : reshape(input, [-1, kernel.shape[0]!]);
    const unflatten = (y: Tensor) =>
      flat === input ? y : reshape(y, [...input.shape.slice(0, -1), this.options.units]);
    // One op (one GPU kernel forward) when the activation's gradient follows from its output.
    const name = this.activation.name;
    if (isDenseActivation(name)) return unflatten(dense(flat, kernel, this.bias, name));
    let y = matmul(flat, kernel);
    if (this.bias) y = add(y, this.bias);
    return this.activation.apply(unflatten(y));
  }

  protected override layerConfig(): Record<string, JsonValue> {
    return { ...this.options };
  }
}

const activationOptions = { activation: required(parseActivation) };

export interface ActivationOptions extends CommonLayerOptions {
  /** The activation: a name, or {type: 'leakyRelu' | 'elu', alpha}. */
  activation: ActivationSpec;
}

/**
 * Applies an activation function elementwise.
 * @example new ActivationLayer({ activation: 'softmax' })
 */
export class ActivationLayer extends Layer {
  readonly options: OptionValues<typeof activationOptions>;
  private readonly activation: Activation;

  constructor(spec: ActivationOptions) {
    super('activation', spec);
    this.options = readLayerOptions('activation', { ...spec }, activationOptions);
    this.activation = createActivation(this.options.activation, 'activation.activation');
  }

  override get activationName(): string {
    return this.activation.name;
  }

  call(x: Tensor): Tensor {
    return this.activation.apply(this.castInput(x));
  }

  protected override layerConfig(): Record<string, JsonValue> {
    return { ...this.options };
  }
}

/** Flattens each example to one dimension: [batch, a, b, c] → [batch, a·b·c]. */
export class Flatten extends Layer {
  constructor(spec: CommonLayerOptions = {}) {
    super('flatten', spec);
    readLayerOptions('flatten', { ...spec }, {});
  }

  override computeOutputShape(inputShape: readonly number[]): number[] {
    return [inputShape.reduce((n, d) => n * d, 1)];
  }

  call(x: Tensor): Tensor {
    return reshape(this.castInput(x), [x.shape[0]!, this.computeOutputShape(x.shape.slice(1))[0]!]);
  }
}

const reshapeOptions = { targetShape: required(shapeWithWildcard) };

export interface ReshapeOptions extends CommonLayerOptions {
  /** The shape of each example (without the batch dimension); one entry may be -1. */
  targetShape: number[];
}

/**
 * Reshapes each example to `targetShape`.
 * @example new Reshape({ targetShape: [28, 28, 1] })
 */
export class Reshape extends Layer {
  readonly options: OptionValues<typeof reshapeOptions>;

  constructor(spec: ReshapeOptions) {
    super('reshape', spec);
    this.options = readLayerOptions('reshape', { ...spec }, reshapeOptions);
  }

  override computeOutputShape(inputShape: readonly number[]): number[] {
    const target = [...this.options.targetShape];
    const total = inputShape.reduce((n, d) => n * d, 1);
    const known = target.reduce((n, d) => (d === -1 ? n : n * d), 1);
    const wildcard = target.indexOf(-1);
    if (wildcard >= 0 && known > 0 && total % known === 0) target[wildcard] = total / known;
    if (target.reduce((n, d) => n * d, 1) !== total || target.includes(-1)) {
      throw new ShapeError(
        `${this.name}: cannot reshape examples of shape ${formatShape(inputShape)} (${total} values) to ${formatShape(this.options.targetShape)}`,
      );
    }
    return target;
  }

  call(x: Tensor): Tensor {
    return reshape(this.castInput(x), [x.shape[0]!, ...this.computeOutputShape(x.shape.slice(1))]);
  }

  protected override layerConfig(): Record<string, JsonValue> {
    return { ...this.options };
  }
}

const dropoutOptions = { rate: required(numberIn(0, 1, { maxOpen: true })) };

export interface DropoutOptions extends CommonLayerOptions {
  /** The fraction of inputs set to zero in training, in [0, 1). */
  rate: number;
}

/**
 * Inverted dropout: in training, each input is zeroed with probability `rate` and the kept
 * ones are scaled by 1/(1 − rate), so inference (which passes inputs through) needs no
 * rescaling. Masks are drawn from the layer's generator (the model's `random`).
 */
export class Dropout extends Layer {
  readonly options: OptionValues<typeof dropoutOptions>;

  constructor(spec: DropoutOptions) {
    super('dropout', spec);
    this.options = readLayerOptions('dropout', { ...spec }, dropoutOptions);
  }

  call(x: Tensor, options: CallOptions): Tensor {
    const input = this.castInput(x);
    const rate = this.options.rate;
    if (!options.training || rate === 0) return input === x ? reshape(x, x.shape) : input;
    const scale = 1 / (1 - rate);
    // The mask is drawn on the host (one upload), from the seeded generator.
    const mask = this.dtype === 'float64' ? new Float64Array(input.size) : new Float32Array(input.size);
    for (let i = 0; i < mask.length; i++) mask[i] = this.random.next() >= rate ? scale : 0;
    return mul(input, tensor(mask, input.shape));
  }

  protected override layerConfig(): Record<string, JsonValue> {
    return { ...this.options };
  }
}
