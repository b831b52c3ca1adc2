/**
 * A sequential model: layers applied one after another, built from a JSON spec (the same spec a
 * run config holds) or from layer objects, with the input shape inferred from the first batch.
 *
 * @example
 * const model = Sequential.fromSpec({ layers: [
 *   { type: 'dense', units: 128, activation: 'relu' },
 *   { type: 'dense', units: 10 },
 * ] }, { seed: 42 });
 * const logits = tidy(() => model.apply(x, { training: false })); // builds for x.shape.slice(1)
 * console.log(model.summaryText());
 */
import { globalRandom } from '../runtime.js';
import { tensor } from '../ops/creation.js';
import { add } from '../ops/elementwise.js';
import { ShapeError } from '../tensor/layout.js';
import { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { batchShape, Layer, type CallOptions, type LayerDType, type LayerSpec } from './layer.js';
import { ActivationLayer } from './layers/core.js';
import { BatchNormalization } from './layers/normalization.js';
import { SpecError } from './options.js';
import { layerFromSpec, layerTypes, registerLayer } from './registry.js';

export { layerFromSpec, registerLayer, layerTypes };

/** A model as JSON: its layers, and optionally the input shape (without the batch dimension). */
export interface ModelSpec {
  layers: LayerSpec[];
  inputShape?: number[];
}

export interface SequentialOptions {
  /**
   * Seeds the model's generators: initial weights, then dropout masks. Defaults to a draw from
   * the global generator (so setSeed still makes runs reproducible).
   */
  seed?: number;
}

export interface SummaryRow {
  name: string;
  type: string;
  /** The output shape with the batch dimension as null: [null, 128]. */
  outputShape: (number | null)[];
  params: number;
  trainableParams: number;
}

export interface ModelSummary {
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

export interface ApplyOptions extends CallOptions {
  /** Called with each layer's output as the forward pass goes (health probes, activations views). */
  onLayerOutput?: (layer: Layer, output: Tensor) => void;
}

export class Sequential {
  readonly layers: Layer[];
  /** The generator dropout masks are drawn from; a checkpoint saves its state (getState). */
  readonly random: Random;
  /** The generator initial weights are drawn from. */
  readonly initRandom: Random;
  readonly seed: number;
  private builtShape: number[] | null = null;
  private outputShapes: number[][] = [];

  /**
   * A model from a spec. With `inputShape` in the spec the model is built at once; otherwise it
   * is built by the first `apply` (or an explicit `build`).
   * @param options.dtype builds every layer in this dtype ('float64' for gradient checks).
   */
  static fromSpec(spec: ModelSpec, options: SequentialOptions & { dtype?: LayerDType } = {}): Sequential {
    if (spec === null || typeof spec !== 'object' || !Array.isArray(spec.layers)) {
      throw new SpecError(
        `model spec: expected {"layers": [...], "inputShape"?: [...]}, got ${JSON.stringify(spec)}`,
      );
    }
    for (const key of Object.keys(spec)) {
      if (key !== 'layers' && key !== 'inputShape') {
        throw new SpecError(`model spec: unknown option "${key}"; valid options are layers, inputShape`);
      }
    }
    const layers = spec.layers.map((layerSpec, i) => {
      try {
        return layerFromSpec(options.dtype ? { ...layerSpec, dtype: options.dtype } : layerSpec);
      } catch (error) {
        if (error instanceof SpecError) throw new SpecError(`model spec: layers[${i}]: ${error.message}`);
        throw error;
      }
    });
    const model = new Sequential(layers, options);
    if (spec.inputShape !== undefined) model.build(spec.inputShape);
    return model;
  }

  constructor(layers: Layer[], options: SequentialOptions = {}) {
    this.layers = [...layers];
    this.seed = options.seed ?? globalRandom().nextUint32();
    const root = new Random(this.seed);
    this.initRandom = root.fork();
    this.random = root.fork();
    const taken = new Set<string>();
    for (const layer of this.layers) {
      if (!(layer instanceof Layer)) throw new Error('Sequential: every layer must extend Layer');
      if (layer.hasName) {
        if (taken.has(layer.name)) throw new SpecError(`Sequential: two layers are named "${layer.name}"`);
        taken.add(layer.name);
      }
    }
    const counts = new Map<string, number>();
    for (const layer of this.layers) {
      layer.random = this.random;
      layer.initRandom = this.initRandom;
      if (layer.hasName) continue;
      let name: string;
      do {
        const n = (counts.get(layer.type) ?? 0) + 1;
        counts.set(layer.type, n);
        name = `${layer.type}_${n}`;
      } while (taken.has(name));
      taken.add(name);
      layer.assignName(name);
    }
  }

  get built(): boolean {
    return this.builtShape !== null;
  }

  /** The input shape (without batch) the model was built for; null before build. */
  get inputShape(): readonly number[] | null {
    return this.builtShape;
  }

  /** The output shape (without batch); null before build. */
  get outputShape(): readonly number[] | null {
    return this.builtShape ? (this.outputShapes.at(-1) ?? this.builtShape) : null;
  }

  /**
   * Builds every layer for inputs of `inputShape` (without the batch dimension), inferring
   * each layer's output shape. Idempotent for the same shape; another shape throws.
   */
  build(inputShape: readonly number[]): void {
    if (this.builtShape) {
      if (this.builtShape.join() === inputShape.join()) return;
      throw new ShapeError(
        `Sequential: built for inputs ${batchShape(this.builtShape)}, got ${batchShape(inputShape)}`,
      );
    }
    if (!Array.isArray(inputShape) || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new ShapeError(
        `Sequential: input shape must be positive integers, got ${JSON.stringify(inputShape)}`,
      );
    }
    let shape = [...inputShape];
    const shapes: number[][] = [];
    const builtHere: Layer[] = [];
    for (const layer of this.layers) {
      try {
        if (!layer.built) builtHere.push(layer);
        layer.build(shape);
        shape = layer.computeOutputShape(shape);
      } catch (error) {
        // Leave nothing half-built: the weights created by this call are released.
        for (const l of builtHere) l.dispose();
        if (error instanceof ShapeError || error instanceof SpecError) {
          const where = `Sequential: layer ${layer.name} (${layer.type}) on inputs ${batchShape(shape)}`;
          throw new (error instanceof ShapeError ? ShapeError : SpecError)(`${where}: ${error.message}`);
        }
        throw error;
      }
      shapes.push(shape);
    }
    this.outputShapes = shapes;
    this.builtShape = [...inputShape];
  }

  /**
   * Runs the layers on `x` (with its batch dimension), building the model on first use. Wrap
   * calls in `tidy`: intermediate outputs are left to the caller's scope.
   */
  apply(x: Tensor, options: ApplyOptions): Tensor {
    const exampleShape = x.shape.slice(1);
    if (!this.builtShape) this.build(exampleShape);
    else if (this.builtShape.join() !== exampleShape.join()) {
      throw new ShapeError(
        `Sequential: the model expects inputs ${batchShape(this.builtShape)}, got [${x.shape.join(', ')}]`,
      );
    }
    let h = x;
    const call: CallOptions = { training: options.training };
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i]!;
      const next = this.layers[i + 1];
      // Batch normalization and the ReLU after it run as one fused op in training (unless a
      // caller watches each layer's own output).
      if (
        options.training &&
        !options.onLayerOutput &&
        layer instanceof BatchNormalization &&
        next instanceof ActivationLayer &&
        next.activationName === 'relu' &&
        next.dtype === layer.dtype
      ) {
        h = layer.callWithRelu(h, call);
        i++;
        continue;
      }
      h = layer.call(h, call);
      options.onLayerOutput?.(layer, h);
    }
    return h;
  }

  /** Every weight with its unique name ('dense_1/kernel'), in layer order. */
  namedWeights(): { name: string; value: Tensor; trainable: boolean }[] {
    return this.layers.flatMap((layer) => layer.weights);
  }

  /** The variables an optimizer updates, in a stable order. */
  trainableWeights(): Tensor[] {
    return this.namedWeights()
      .filter((w) => w.trainable)
      .map((w) => w.value);
  }

  /** Weights updated by the layers themselves (moving statistics) or frozen. */
  nonTrainableWeights(): Tensor[] {
    return this.namedWeights()
      .filter((w) => !w.trainable)
      .map((w) => w.value);
  }

  /** Copies of every weight's values by name (float64 weights are rounded to float32). */
  async getWeightValues(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const w of this.namedWeights()) {
      const data = await w.value.data();
      out.set(w.name, data instanceof Float32Array ? data.slice() : Float32Array.from(data));
    }
    return out;
  }

  /** Sets every weight from `values` (as getWeightValues returns them); names and sizes must match. */
  setWeightValues(values: Map<string, Float32Array>): void {
    const weights = this.namedWeights();
    const known = new Set(weights.map((w) => w.name));
    for (const name of values.keys()) {
      if (!known.has(name)) {
        throw new Error(
          `setWeightValues: the model has no weight "${name}"; its weights are ${[...known].join(', ')}`,
        );
      }
    }
    for (const w of weights) {
      const v = values.get(w.name);
      if (!v) throw new Error(`setWeightValues: no values for weight "${w.name}"`);
      if (v.length !== w.value.size) {
        throw new Error(
          `setWeightValues: "${w.name}" has ${w.value.size} values [${w.value.shape.join(', ')}], got ${v.length}`,
        );
      }
    }
    for (const w of weights) {
      const next = tensor(values.get(w.name)!, w.value.shape, w.value.dtype);
      w.value.assign(next);
      next.dispose();
    }
  }

  /** The sum of every layer's weight penalties, or null when no layer has a regularizer. */
  regularizationLoss(): Tensor | null {
    let total: Tensor | null = null;
    for (const layer of this.layers) {
      const loss = layer.regularizationLoss();
      if (loss) total = total ? add(total, loss) : loss;
    }
    return total;
  }

  /** Layers, output shapes and parameter counts, counted as Keras counts them. */
  summary(): ModelSummary {
    if (!this.builtShape) {
      throw new Error(
        'summary: the model is not built; give the spec an inputShape, call build(), or apply it to data',
      );
    }
    const rows = this.layers.map((layer, i) => {
      const counts = layer.countParams();
      return {
        name: layer.name,
        type: layer.type,
        outputShape: [null, ...this.outputShapes[i]!],
        params: counts.total,
        trainableParams: counts.trainable,
      };
    });
    const totalParams = rows.reduce((n, r) => n + r.params, 0);
    const trainableParams = rows.reduce((n, r) => n + r.trainableParams, 0);
    return { rows, totalParams, trainableParams, nonTrainableParams: totalParams - trainableParams };
  }

  /** The summary as a Keras-like text table. */
  summaryText(): string {
    const s = this.summary();
    const n = (v: number) => v.toLocaleString('en-US');
    const cells = s.rows.map((r) => [
      `${r.name} (${r.type})`,
      `(${r.outputShape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${r.outputShape.length === 1 ? ',' : ''})`,
      n(r.params),
    ]);
    const header = ['Layer (type)', 'Output Shape', 'Param #'];
    const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)) + 2);
    const line = (row: string[]) =>
      row
        .map((cell, c) => (c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('')
        .trimEnd();
    const total = widths.reduce((a, b) => a + b, 0);
    return [
      'Model: "sequential"',
      '─'.repeat(total),
      line(header),
      '═'.repeat(total),
      ...cells.map(line),
      '═'.repeat(total),
      `Total params: ${n(s.totalParams)}`,
      `Trainable params: ${n(s.trainableParams)}`,
      `Non-trainable params: ${n(s.nonTrainableParams)}`,
    ].join('\n');
  }

  /** The JSON spec that rebuilds this model (layer names included; inputShape once built). */
  toSpec(): ModelSpec {
    const spec: ModelSpec = { layers: this.layers.map((l) => l.getConfig()) };
    if (this.builtShape) spec.inputShape = [...this.builtShape];
    return spec;
  }

  /** The number of scalars in the model's weights. */
  countParams(): number {
    return this.layers.reduce((n, l) => n + l.countParams().total, 0);
  }

  /** Releases every weight. */
  dispose(): void {
    for (const layer of this.layers) layer.dispose();
    this.builtShape = null;
    this.outputShapes = [];
  }
}
