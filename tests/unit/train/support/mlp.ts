/**
 * A hand-written MLP satisfying the TrainableModel interface, so the training loop is tested
 * independently of the layers module.
 */
import * as nn from '../../../../core/engine/index.js';
import type { NamedWeight, TrainableLayer, TrainableModel } from '../../../../core/engine/train/index.js';

export type Activation = 'relu' | 'sigmoid' | 'tanh' | 'linear';

class DenseLayer implements TrainableLayer {
  readonly type = 'Dense';
  weights: NamedWeight[] = [];
  constructor(
    readonly name: string,
    readonly units: number,
    readonly activationName: Activation,
  ) {}

  build(inputUnits: number, random: nn.Random, init: 'glorot' | 'normal'): void {
    const scale = init === 'normal' ? 1 : Math.sqrt(6 / (inputUnits + this.units));
    const values = Float32Array.from({ length: inputUnits * this.units }, () =>
      init === 'normal' ? random.normal() : random.uniform(-scale, scale),
    );
    this.weights = [
      {
        name: `${this.name}/kernel`,
        value: nn.variable(nn.tensor(values, [inputUnits, this.units])),
        trainable: true,
      },
      { name: `${this.name}/bias`, value: nn.variable(nn.zeros([this.units])), trainable: true },
    ];
  }

  call(x: nn.Tensor): nn.Tensor {
    const z = nn.add(nn.matmul(x, this.weights[0]!.value), this.weights[1]!.value);
    switch (this.activationName) {
      case 'relu':
        return nn.relu(z);
      case 'sigmoid':
        return nn.sigmoid(z);
      case 'tanh':
        return nn.tanh(z);
      default:
        return z;
    }
  }
}

export class TinyMlp implements TrainableModel {
  readonly layers: DenseLayer[];
  readonly random: nn.Random;
  built = false;

  constructor(
    private readonly spec: { units: number[]; activations: Activation[]; init?: 'glorot' | 'normal' },
    seed = 1,
  ) {
    this.random = new nn.Random(seed);
    this.layers = spec.units.map((u, i) => new DenseLayer(`dense_${i}`, u, spec.activations[i]!));
  }

  build(inputShape: readonly number[]): void {
    let units = inputShape[inputShape.length - 1]!;
    for (const layer of this.layers) {
      layer.build(units, this.random, this.spec.init ?? 'glorot');
      units = layer.units;
    }
    this.built = true;
  }

  apply(
    x: nn.Tensor,
    options: { training: boolean; onLayerOutput?: (l: TrainableLayer, o: nn.Tensor) => void },
  ) {
    let h = x;
    for (const layer of this.layers) {
      h = layer.call(h);
      options.onLayerOutput?.(layer, h);
    }
    return h;
  }

  namedWeights(): NamedWeight[] {
    return this.layers.flatMap((l) => l.weights);
  }
  trainableWeights(): nn.Tensor[] {
    return this.namedWeights().map((w) => w.value);
  }
  async getWeightValues(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const w of this.namedWeights()) out.set(w.name, Float32Array.from(await w.value.data()));
    return out;
  }
  setWeightValues(values: Map<string, Float32Array>): void {
    for (const w of this.namedWeights()) {
      const v = values.get(w.name);
      if (!v) throw new Error(`missing weight ${w.name}`);
      const t = nn.tensor(Float32Array.from(v), w.value.shape);
      w.value.assign(t);
      t.dispose();
    }
  }
  regularizationLoss(): nn.Tensor | null {
    return null;
  }
  toSpec(): unknown {
    return this.spec;
  }
  dispose(): void {
    nn.dispose(this.trainableWeights());
  }
}
