/**
 * Normalisation layers: batch normalization (statistics over the batch, with moving averages
 * for inference) and layer normalization (statistics over each example's features).
 */
import { noGrad } from '../../runtime.js';
import { add, div, mul, relu, sqrt, square, sub } from '../../ops/elementwise.js';
import { mean } from '../../ops/reduce.js';
import { batchNormTraining } from '../../ops/batch-norm.js';
import { reshape } from '../../ops/shape.js';
import { formatShape, ShapeError } from '../../tensor/layout.js';
import type { Tensor } from '../../tensor/tensor.js';
import { parseInitializer, type InitializerSpec } from '../initializers.js';
import { Layer, readLayerOptions, type CallOptions, type CommonLayerOptions } from '../layer.js';
import {
  boolean,
  numberIn,
  optional,
  SpecError,
  type JsonValue,
  type OptionValues,
  type Parser,
} from '../options.js';
import { parseRegularizer, type RegularizerSpec } from '../regularizers.js';

/** An axis of the input including its batch dimension (Keras's convention); -1 is the last. */
const axisList: Parser<number | number[]> = (value, where) => {
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v !== 0;
  if (ok(value)) return value as number;
  if (Array.isArray(value) && value.length > 0 && value.every(ok) && new Set(value).size === value.length) {
    return [...(value as number[])];
  }
  throw new SpecError(
    `${where}: expected a non-zero integer axis or a list of them (axis 0 is the batch), got ${JSON.stringify(value)}`,
  );
};

/** The input axes (with batch, rank = exampleRank + 1) named by `axis`, sorted. */
function resolveAxes(layer: string, axis: number | number[], exampleRank: number): number[] {
  const rank = exampleRank + 1;
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
  for (const a of axes) {
    if (a <= 0 || a >= rank) {
      throw new ShapeError(
        `${layer}: axis ${JSON.stringify(axis)} is outside inputs of rank ${rank} (axis 0 is the batch)`,
      );
    }
  }
  return [...new Set(axes)].sort((p, q) => p - q);
}

const initializer = (fallback: InitializerSpec) => optional(parseInitializer, fallback);
const regularizer = () => optional(parseRegularizer, null as RegularizerSpec | null);

const batchNormOptions = {
  axis: optional(axisList, -1 as number | number[]),
  momentum: optional(numberIn(0, 1), 0.99),
  epsilon: optional(numberIn(0, Infinity, { minOpen: true }), 1e-3),
  center: optional(boolean, true),
  scale: optional(boolean, true),
  betaInitializer: initializer('zeros'),
  gammaInitializer: initializer('ones'),
  movingMeanInitializer: initializer('zeros'),
  movingVarianceInitializer: initializer('ones'),
  betaRegularizer: regularizer(),
  gammaRegularizer: regularizer(),
};

export interface BatchNormalizationOptions extends CommonLayerOptions {
  /** The feature axis (or axes) kept; statistics are over all others. Defaults to -1 (channels last). */
  axis?: number | number[];
  /** Moving-average momentum: moving = moving·momentum + batch·(1 − momentum). Defaults to 0.99. */
  momentum?: number;
  /** Added to the variance. Defaults to 1e-3. */
  epsilon?: number;
  /** Learn a shift beta. Defaults to true. */
  center?: boolean;
  /** Learn a scale gamma. Defaults to true. */
  scale?: boolean;
  betaInitializer?: InitializerSpec;
  gammaInitializer?: InitializerSpec;
  movingMeanInitializer?: InitializerSpec;
  movingVarianceInitializer?: InitializerSpec;
  betaRegularizer?: RegularizerSpec | null;
  gammaRegularizer?: RegularizerSpec | null;
}

/**
 * y = gamma·(x − μ)/√(σ² + ε) + beta per feature. In training μ and σ² are the batch's mean
 * and (biased) variance, and the moving averages are updated; in inference the moving
 * averages are used. As in Keras, the four weights (gamma, beta, movingMean, movingVariance)
 * all count as parameters, the moving ones as non-trainable.
 */
export class BatchNormalization extends Layer {
  readonly options: OptionValues<typeof batchNormOptions>;
  gamma: Tensor | null = null;
  beta: Tensor | null = null;
  movingMean: Tensor | null = null;
  movingVariance: Tensor | null = null;
  private featureAxes: number[] = [];

  constructor(spec: BatchNormalizationOptions = {}) {
    super('batchNormalization', spec);
    this.options = readLayerOptions('batchNormalization', { ...spec }, batchNormOptions);
  }

  protected override buildWeights(inputShape: readonly number[]): void {
    const o = this.options;
    this.featureAxes = resolveAxes(this.name, o.axis, inputShape.length);
    const shape = this.featureAxes.map((a) => inputShape[a - 1]!);
    if (o.scale)
      this.gamma = this.addWeight('gamma', shape, o.gammaInitializer, { regularizer: o.gammaRegularizer });
    if (o.center)
      this.beta = this.addWeight('beta', shape, o.betaInitializer, { regularizer: o.betaRegularizer });
    this.movingMean = this.addWeight('movingMean', shape, o.movingMeanInitializer, { trainable: false });
    this.movingVariance = this.addWeight('movingVariance', shape, o.movingVarianceInitializer, {
      trainable: false,
    });
  }

  call(x: Tensor, options: CallOptions): Tensor {
    return this.forward(x, options, 'linear');
  }

  /**
   * This layer and a ReLU after it (the Sequential model fuses the pair): in training, one
   * fused op — the same values and gradients as `call` followed by relu.
   */
  callWithRelu(x: Tensor, options: CallOptions): Tensor {
    return options.training ? this.forward(x, options, 'relu') : relu(this.forward(x, options, 'linear'));
  }

  private forward(x: Tensor, options: CallOptions, activation: 'linear' | 'relu'): Tensor {
    const input = this.castInput(x);
    const o = this.options;
    const reduceAxes = input.shape.map((_, i) => i).filter((i) => !this.featureAxes.includes(i));
    // Per-feature tensors broadcast as [1, …, C, …, 1].
    const broadcast = input.shape.map((d, i) => (this.featureAxes.includes(i) ? d : 1));
    const perFeature = (t: Tensor) => reshape(t, broadcast);
    if (options.training) {
      // One recorded op with a closed-form backward (ops/batch-norm.ts).
      const {
        y,
        mean: batchMean,
        variance,
      } = batchNormTraining(
        input,
        reduceAxes,
        this.gamma ? perFeature(this.gamma) : null,
        this.beta ? perFeature(this.beta) : null,
        o.epsilon,
        activation,
      );
      const featureShape = this.movingMean!.shape;
      noGrad(() => {
        const m = o.momentum;
        const mm = this.movingMean!;
        const mv = this.movingVariance!;
        mm.assign(add(mul(mm, m), mul(reshape(batchMean, featureShape), 1 - m)));
        mv.assign(add(mul(mv, m), mul(reshape(variance, featureShape), 1 - m)));
      });
      return y;
    }
    const centered = sub(input, perFeature(this.movingMean!));
    const inverseStd = div(1, sqrt(add(perFeature(this.movingVariance!), o.epsilon)));
    const factor = this.gamma ? mul(inverseStd, perFeature(this.gamma)) : inverseStd;
    const y = mul(centered, factor);
    return this.beta ? add(y, perFeature(this.beta)) : y;
  }

  protected override layerConfig(): Record<string, JsonValue> {
    return { ...this.options };
  }
}

const layerNormOptions = {
  axis: optional(axisList, -1 as number | number[]),
  epsilon: optional(numberIn(0, Infinity, { minOpen: true }), 1e-3),
  center: optional(boolean, true),
  scale: optional(boolean, true),
  betaInitializer: initializer('zeros'),
  gammaInitializer: initializer('ones'),
  betaRegularizer: regularizer(),
  gammaRegularizer: regularizer(),
};

export interface LayerNormalizationOptions extends CommonLayerOptions {
  /** The axis (or axes) normalised over, per example. Defaults to -1. */
  axis?: number | number[];
  /** Defaults to 1e-3. */
  epsilon?: number;
  /** Defaults to true. */
  center?: boolean;
  /** Defaults to true. */
  scale?: boolean;
  betaInitializer?: InitializerSpec;
  gammaInitializer?: InitializerSpec;
  betaRegularizer?: RegularizerSpec | null;
  gammaRegularizer?: RegularizerSpec | null;
}

/**
 * y = gamma·(x − μ)/√(σ² + ε) + beta with μ, σ² over `axis` of each example; the same in
 * training and inference.
 */
export class LayerNormalization extends Layer {
  readonly options: OptionValues<typeof layerNormOptions>;
  gamma: Tensor | null = null;
  beta: Tensor | null = null;
  private normAxes: number[] = [];

  constructor(spec: LayerNormalizationOptions = {}) {
    super('layerNormalization', spec);
    this.options = readLayerOptions('layerNormalization', { ...spec }, layerNormOptions);
  }

  protected override buildWeights(inputShape: readonly number[]): void {
    const o = this.options;
    this.normAxes = resolveAxes(this.name, o.axis, inputShape.length);
    const shape = this.normAxes.map((a) => inputShape[a - 1]!);
    if (o.scale)
      this.gamma = this.addWeight('gamma', shape, o.gammaInitializer, { regularizer: o.gammaRegularizer });
    if (o.center)
      this.beta = this.addWeight('beta', shape, o.betaInitializer, { regularizer: o.betaRegularizer });
  }

  call(x: Tensor): Tensor {
    const input = this.castInput(x);
    if (input.rank - 1 !== this.inputShape?.length) {
      throw new ShapeError(
        `${this.name}: expected inputs of rank ${this.inputShape!.length + 1}, got ${formatShape(input.shape)}`,
      );
    }
    const broadcast = input.shape.map((d, i) => (this.normAxes.includes(i) ? d : 1));
    const mu = mean(input, this.normAxes, { keepDims: true });
    const centered = sub(input, mu);
    const variance = mean(square(centered), this.normAxes, { keepDims: true });
    let y = mul(centered, div(1, sqrt(add(variance, this.options.epsilon))));
    if (this.gamma) y = mul(y, reshape(this.gamma, broadcast));
    return this.beta ? add(y, reshape(this.beta, broadcast)) : y;
  }

  protected override layerConfig(): Record<string, JsonValue> {
    return { ...this.options };
  }
}
