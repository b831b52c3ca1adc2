/**
 * Convolution and pooling over NHWC images (channels last, as Keras): conv2d, maxPooling2d,
 * averagePooling2d, globalAveragePooling2d. Filters are [kH, kW, Cin, Cout].
 */
import { windowGeometry, conv2d, maxPool2d, avgPool2d, type WindowOptions } from '../../ops/conv.js';
import { add } from '../../ops/elementwise.js';
import { mean } from '../../ops/reduce.js';
import { formatShape, ShapeError } from '../../tensor/layout.js';
import type { Tensor } from '../../tensor/tensor.js';
import { createActivation, parseActivation, type Activation, type ActivationSpec } from '../activations.js';
import { parseInitializer, type InitializerSpec } from '../initializers.js';
import { Layer, readLayerOptions, type CommonLayerOptions } from '../layer.js';
import {
  boolean,
  intPair,
  oneOf,
  optional,
  positiveInt,
  required,
  type JsonValue,
  type OptionValues,
  type Parser,
} from '../options.js';
import { parseRegularizer, type RegularizerSpec } from '../regularizers.js';

export type PaddingMode = 'valid' | 'same';
const padding = oneOf(['valid', 'same'] as const);

function checkImage(layer: string, inputShape: readonly number[]): void {
  if (inputShape.length !== 3) {
    throw new ShapeError(
      `${layer}: expects images [height, width, channels] (NHWC), got examples of shape ${formatShape(inputShape)}`,
    );
  }
}

/** [outH, outW] of a window sliding over an example [H, W, C]. */
function windowOutput(
  layer: string,
  inputShape: readonly number[],
  kernel: readonly [number, number],
  options: WindowOptions,
  defaultStride: readonly [number, number],
): [number, number] {
  checkImage(layer, inputShape);
  const g = windowGeometry(layer, [1, ...inputShape], kernel, options, defaultStride);
  return [g.outHeight, g.outWidth];
}

const nullablePair: Parser<[number, number] | null> = (value, where) =>
  value === null ? null : intPair(value, where);

const conv2dOptions = {
  filters: required(positiveInt),
  kernelSize: required(intPair),
  strides: optional(intPair, [1, 1] as [number, number]),
  padding: optional(padding, 'valid' as PaddingMode),
  dilationRate: optional(intPair, [1, 1] as [number, number]),
  activation: optional(parseActivation, 'linear' as ActivationSpec),
  useBias: optional(boolean, true),
  kernelInitializer: optional(parseInitializer, 'glorotUniform' as InitializerSpec),
  biasInitializer: optional(parseInitializer, 'zeros' as InitializerSpec),
  kernelRegularizer: optional(parseRegularizer, null as RegularizerSpec | null),
  biasRegularizer: optional(parseRegularizer, null as RegularizerSpec | null),
};

export interface Conv2DOptions extends CommonLayerOptions {
  /** The number of output channels. */
  filters: number;
  /** The window: n or [kH, kW]. */
  kernelSize: number | [number, number];
  /** Defaults to 1. */
  strides?: number | [number, number];
  /** 'valid' (the default: no padding) or 'same' (output = ceil(input / stride)). */
  padding?: PaddingMode;
  /** Defaults to 1. */
  dilationRate?: number | [number, number];
  /** Defaults to 'linear'. */
  activation?: ActivationSpec;
  /** Defaults to true. */
  useBias?: boolean;
  /** Defaults to 'glorotUniform' (fans kH·kW·Cin and kH·kW·Cout). */
  kernelInitializer?: InitializerSpec;
  /** Defaults to 'zeros'. */
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: RegularizerSpec | null;
  biasRegularizer?: RegularizerSpec | null;
}

/**
 * 2-D convolution: [batch, H, W, Cin] → [batch, outH, outW, filters], kernel [kH, kW, Cin, filters].
 * Parameters: kH·kW·Cin·filters + filters.
 * @example new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu' })
 */
export class Conv2D extends Layer {
  readonly options: OptionValues<typeof conv2dOptions>;
  private readonly activation: Activation;
  kernel: Tensor | null = null;
  bias: Tensor | null = null;

  constructor(spec: Conv2DOptions) {
    super('conv2d', spec);
    this.options = readLayerOptions('conv2d', { ...spec }, conv2dOptions);
    this.activation = createActivation(this.options.activation, 'conv2d.activation');
  }

  override get activationName(): string | undefined {
    return this.activation.name === 'linear' ? undefined : this.activation.name;
  }

  private get window(): WindowOptions {
    return {
      strides: this.options.strides,
      padding: this.options.padding,
      dilation: this.options.dilationRate,
    };
  }

  protected override buildWeights(inputShape: readonly number[]): void {
    checkImage(this.name, inputShape);
    const o = this.options;
    const [kh, kw] = o.kernelSize;
    this.kernel = this.addWeight('kernel', [kh, kw, inputShape[2]!, o.filters], o.kernelInitializer, {
      regularizer: o.kernelRegularizer,
    });
    if (o.useBias) {
      this.bias = this.addWeight('bias', [o.filters], o.biasInitializer, { regularizer: o.biasRegularizer });
    }
  }

  override computeOutputShape(inputShape: readonly number[]): number[] {
    return [
      ...windowOutput(this.name, inputShape, this.options.kernelSize, this.window, [1, 1]),
      this.options.filters,
    ];
  }

  call(x: Tensor): Tensor {
    let y = conv2d(this.castInput(x), this.kernel!, this.window);
    if (this.bias) y = add(y, this.bias);
    return this.activation.apply(y);
  }

  protected override layerConfig(): Record<string, JsonValue> {
    return { ...this.options };
  }
}

const poolOptions = {
  poolSize: optional(intPair, [2, 2] as [number, number]),
  strides: optional(nullablePair, null as [number, number] | null),
  padding: optional(padding, 'valid' as PaddingMode),
};

export interface Pooling2DOptions extends CommonLayerOptions {
  /** The window: n or [h, w]. Defaults to 2. */
  poolSize?: number | [number, number];
  /** Defaults to the pool size (non-overlapping windows). */
  strides?: number | [number, number] | null;
  /** 'valid' (the default) or 'same'. */
  padding?: PaddingMode;
}

abstract class Pooling2D extends Layer {
  readonly options: OptionValues<typeof poolOptions>;

  constructor(type: string, spec: Pooling2DOptions) {
    super(type, spec);
    this.options = readLayerOptions(type, { ...spec }, poolOptions);
  }

  protected get pool(): { poolSize: [number, number]; strides: [number, number]; padding: PaddingMode } {
    const o = this.options;
    return { poolSize: o.poolSize, strides: o.strides ?? o.poolSize, padding: o.padding };
  }

  override computeOutputShape(inputShape: readonly number[]): number[] {
    const p = this.pool;
    return [...windowOutput(this.name, inputShape, p.poolSize, p, p.poolSize), inputShape[2]!];
  }

  protected override layerConfig(): Record<string, JsonValue> {
    return { ...this.options };
  }
}

/** The maximum over each window (per channel). Padding never wins. */
export class MaxPooling2D extends Pooling2D {
  constructor(spec: Pooling2DOptions = {}) {
    super('maxPooling2d', spec);
  }

  call(x: Tensor): Tensor {
    return maxPool2d(this.castInput(x), this.pool);
  }
}

/** The mean over each window (per channel); with 'same' padding, padded taps are not counted. */
export class AveragePooling2D extends Pooling2D {
  constructor(spec: Pooling2DOptions = {}) {
    super('averagePooling2d', spec);
  }

  call(x: Tensor): Tensor {
    return avgPool2d(this.castInput(x), this.pool);
  }
}

const globalPoolOptions = { keepDims: optional(boolean, false) };

export interface GlobalPooling2DOptions extends CommonLayerOptions {
  /** Keep the spatial dimensions as 1×1. Defaults to false. */
  keepDims?: boolean;
}

/** The mean over height and width: [batch, H, W, C] → [batch, C]. */
export class GlobalAveragePooling2D extends Layer {
  readonly options: OptionValues<typeof globalPoolOptions>;

  constructor(spec: GlobalPooling2DOptions = {}) {
    super('globalAveragePooling2d', spec);
    this.options = readLayerOptions('globalAveragePooling2d', { ...spec }, globalPoolOptions);
  }

  override computeOutputShape(inputShape: readonly number[]): number[] {
    checkImage(this.name, inputShape);
    return this.options.keepDims ? [1, 1, inputShape[2]!] : [inputShape[2]!];
  }

  call(x: Tensor): Tensor {
    return mean(this.castInput(x), [1, 2], { keepDims: this.options.keepDims });
  }

  protected override layerConfig(): Record<string, JsonValue> {
    return { ...this.options };
  }
}
