/**
 * The layer lifecycle, as in Keras: a layer is configured from JSON options, `build(inputShape)`
 * creates its weights once the input's shape is known, `call(x, {training})` computes its
 * output from engine ops (autodiff gives the backward pass), `computeOutputShape` infers
 * shapes without data, and `getConfig()` gives back JSON that rebuilds the same layer.
 *
 * A custom layer extends `Layer`, creates its weights in `buildWeights` with `addWeight`, and
 * composes ops in `call`; registered with `registerLayer`, it works in specs too.
 *
 * Options common to every layer: `name` (defaults to `<type>_<n>`, numbered within a model),
 * `dtype` ('float32', the default, or 'float64' for gradient checks on the CPU backend) and
 * `trainable` (defaults to true; false makes every weight non-trainable).
 */
import { globalRandom } from '../runtime.js';
import { tensor, variable } from '../ops/creation.js';
import { add } from '../ops/elementwise.js';
import { cast } from '../ops/shape.js';
import { ShapeError } from '../tensor/layout.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { createInitializer, type InitializerSpec } from './initializers.js';
import {
  boolean,
  oneOf,
  readOptions,
  SpecError,
  type JsonValue,
  type OptionTable,
  type OptionValues,
} from './options.js';
import { createRegularizer, type RegularizerSpec } from './regularizers.js';

export interface CallOptions {
  /** Training mode: dropout drops, batch normalization uses (and updates) batch statistics. */
  training: boolean;
}

export interface LayerWeight {
  /** Unique within a model: `<layer name>/<weight name>`, e.g. 'dense_1/kernel'. */
  name: string;
  /** A variable (kept out of tidy scopes; updated with assign). */
  value: Tensor;
  trainable: boolean;
}

/** A layer as JSON: `{"type": "dense", "units": 128, "activation": "relu"}`. */
export interface LayerSpec {
  type: string;
  name?: string;
  dtype?: LayerDType;
  trainable?: boolean;
  [option: string]: unknown;
}

export type LayerDType = 'float32' | 'float64';

/** Options every layer accepts besides its own. */
export interface CommonLayerOptions {
  name?: string;
  dtype?: LayerDType;
  trainable?: boolean;
}

export const commonOptionNames = ['type', 'name', 'dtype', 'trainable'] as const;

/** Reads a layer's own options from its spec, refusing unknown names (the common ones pass). */
export function readLayerOptions<T extends OptionTable>(
  type: string,
  spec: Record<string, unknown>,
  table: T,
): OptionValues<T> {
  return readOptions(type, spec, table, commonOptionNames);
}

const parseDType = oneOf(['float32', 'float64'] as const);

export abstract class Layer {
  readonly type: string;
  /** The dtype of this layer's weights and computations. */
  readonly dtype: LayerDType;
  readonly trainable: boolean;
  /**
   * The generator for randomness at call time (dropout masks). A model sets it to its own
   * generator (`model.random`); a layer on its own uses the global one.
   */
  random: Random = globalRandom();
  /** The generator initial weights are drawn from (a model sets it to its seeded one). */
  initRandom: Random = globalRandom();

  private layerName: string | undefined;
  private readonly ownWeights: LayerWeight[] = [];
  private readonly penalties: { weight: Tensor; regularizer: (w: Tensor) => Tensor }[] = [];
  private builtShape: number[] | null = null;

  constructor(type: string, spec: CommonLayerOptions = {}) {
    this.type = type;
    if (spec.name !== undefined && (typeof spec.name !== 'string' || !/^[\w.-]+$/.test(spec.name))) {
      throw new SpecError(
        `${type}.name: expected letters, digits, '_', '.' or '-', got ${JSON.stringify(spec.name)}`,
      );
    }
    this.layerName = spec.name;
    this.dtype = spec.dtype === undefined ? 'float32' : parseDType(spec.dtype, `${type}.dtype`);
    this.trainable = spec.trainable === undefined ? true : boolean(spec.trainable, `${type}.trainable`);
  }

  /** 'relu' etc. when the layer's output passes through an activation (dead-ReLU health). */
  get activationName(): string | undefined {
    return undefined;
  }

  /** The layer's name: given in the spec, or assigned by its model (`dense_1`), else its type. */
  get name(): string {
    return this.layerName ?? this.type;
  }

  /** True when the name was given or assigned (and so appears in getConfig). */
  get hasName(): boolean {
    return this.layerName !== undefined;
  }

  /** @internal Names an unnamed layer; used by Sequential. */
  assignName(name: string): void {
    if (this.layerName !== undefined) throw new Error(`${this.name}: the layer already has a name`);
    this.layerName = name;
  }

  get built(): boolean {
    return this.builtShape !== null;
  }

  /** The input shape (without batch) the layer was built for; null before build. */
  get inputShape(): readonly number[] | null {
    return this.builtShape;
  }

  /**
   * Creates the weights for inputs of `inputShape` (without the batch dimension). Calling it
   * again with the same shape does nothing; with another shape it throws.
   */
  build(inputShape: readonly number[]): void {
    if (this.builtShape) {
      if (this.builtShape.join() !== inputShape.join()) {
        throw new ShapeError(
          `${this.name}: built for inputs ${batchShape(this.builtShape)}, got ${batchShape(inputShape)}`,
        );
      }
      return;
    }
    this.buildWeights(inputShape);
    this.builtShape = [...inputShape];
  }

  /** Creates the layer's weights with addWeight; the default creates none. */
  protected buildWeights(_inputShape: readonly number[]): void {}

  /** The layer's output for `x` (which has the batch dimension). Compose engine ops here. */
  abstract call(x: Tensor, options: CallOptions): Tensor;

  /** The output shape for an input shape, both without the batch dimension. Defaults to the same shape. */
  computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  /** The layer's own options (besides type, name, dtype, trainable) as JSON. */
  protected layerConfig(): Record<string, JsonValue> {
    return {};
  }

  /** JSON that `layerFromSpec` turns back into an identically configured layer. */
  getConfig(): LayerSpec {
    const spec: LayerSpec = { type: this.type };
    if (this.layerName !== undefined) spec.name = this.layerName;
    Object.assign(spec, this.layerConfig());
    if (this.dtype !== 'float32') spec.dtype = this.dtype;
    if (!this.trainable) spec.trainable = false;
    return spec;
  }

  /** Every weight, trainable ones first in creation order. */
  get weights(): LayerWeight[] {
    const all = this.ownWeights.map((w) => ({
      name: `${this.name}/${w.name}`,
      value: w.value,
      trainable: w.trainable && this.trainable,
    }));
    return [...all.filter((w) => w.trainable), ...all.filter((w) => !w.trainable)];
  }

  /** The number of scalars in the layer's weights. */
  countParams(): { total: number; trainable: number } {
    let total = 0;
    let trainable = 0;
    for (const w of this.weights) {
      total += w.value.size;
      if (w.trainable) trainable += w.value.size;
    }
    return { total, trainable };
  }

  /**
   * Creates a weight variable of `shape` drawn from `initializer` (a spec, or a function giving
   * the values in row-major order) with this layer's initialisation generator. Call from buildWeights. Non-trainable weights (moving
   * statistics) get no gradient and are updated by the layer itself with assign.
   */
  protected addWeight(
    name: string,
    shape: readonly number[],
    initializer: InitializerSpec | ((shape: readonly number[], random: Random) => Float64Array),
    options: { trainable?: boolean; regularizer?: RegularizerSpec | null } = {},
  ): Tensor {
    if (this.ownWeights.some((w) => w.name === name))
      throw new Error(`${this.name}: weight "${name}" exists`);
    const values =
      typeof initializer === 'function'
        ? initializer(shape, this.initRandom)
        : createInitializer(initializer, `${this.type}.${name}`).sample(shape, this.initRandom);
    const trainable = options.trainable ?? true;
    const initial = tensor(values, shape, this.dtype);
    const value = variable(initial, name);
    initial.dispose();
    value.requiresGrad = trainable && this.trainable;
    this.ownWeights.push({ name, value, trainable });
    const regularizer = createRegularizer(options.regularizer ?? null, `${this.type}.${name}Regularizer`);
    if (regularizer) this.penalties.push({ weight: value, regularizer: (w) => regularizer.penalty(w) });
    return value;
  }

  /** The sum of this layer's weight penalties (a scalar in the layer's dtype), or null if none. */
  regularizationLoss(): Tensor | null {
    let total: Tensor | null = null;
    for (const { weight, regularizer } of this.penalties) {
      const p = regularizer(weight);
      total = total ? add(total, p) : p;
    }
    return total;
  }

  /** Brings an input to this layer's dtype (float32 data into a float64 layer, for instance). */
  protected castInput(x: Tensor): Tensor {
    return x.dtype === this.dtype ? x : cast(x, this.dtype);
  }

  /** Releases the layer's weights. */
  dispose(): void {
    for (const w of this.ownWeights) w.value.dispose();
    this.ownWeights.length = 0;
    this.penalties.length = 0;
    this.builtShape = null;
  }
}

/** A shape with its batch dimension shown as null, as Keras prints it: [null, 28, 28, 1]. */
export function batchShape(shape: readonly number[]): string {
  return `[${['null', ...shape].join(', ')}]`;
}
