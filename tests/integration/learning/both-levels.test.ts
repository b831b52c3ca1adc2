/**
 * Both levels together: a custom layer written with the low-level tensor API learns inside a
 * Sequential model trained by `fit` (and survives a checkpoint round trip once registered),
 * and a Sequential model trained by a hand-written loop — `valueAndGrad` plus an optimizer's
 * `applyGradients` — follows exactly the trajectory `fit` takes for the same steps.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import {
  Layer,
  registerLayer,
  type CommonLayerOptions,
  type LayerSpec,
} from '../../../core/engine/nn/index.js';
import { lossFromName } from '../../../core/engine/nn/losses.js';
import { optimizerFromConfig } from '../../../core/engine/optim/index.js';
import {
  fit,
  loadCheckpoint,
  modelFromCheckpoint,
  predict,
  saveCheckpoint,
} from '../../../core/engine/train/index.js';
import { accuracy, model, twoSpirals } from './support.js';

/**
 * A gated linear unit (Dauphin et al., 2017) from plain ops: y = (x·W + b) ⊙ σ(x·V + c).
 * Nothing in the engine knows it; autodiff gives its backward pass.
 */
class GatedLinear extends Layer {
  private readonly units: number;
  w: nn.Tensor | null = null;
  b: nn.Tensor | null = null;
  v: nn.Tensor | null = null;
  c: nn.Tensor | null = null;

  constructor(spec: CommonLayerOptions & { units?: unknown }) {
    super('gatedLinear', spec);
    if (!Number.isInteger(spec.units) || (spec.units as number) < 1)
      throw new Error(`gatedLinear.units: expected a positive integer, got ${String(spec.units)}`);
    this.units = spec.units as number;
  }

  protected override buildWeights(inputShape: readonly number[]): void {
    const features = inputShape.at(-1)!;
    this.w = this.addWeight('w', [features, this.units], 'glorotUniform');
    this.b = this.addWeight('b', [this.units], 'zeros');
    this.v = this.addWeight('v', [features, this.units], 'glorotUniform');
    this.c = this.addWeight('c', [this.units], 'zeros');
  }

  override computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape.slice(0, -1), this.units];
  }

  call(x: nn.Tensor): nn.Tensor {
    const value = nn.add(nn.matmul(x, this.w!), this.b!);
    const gate = nn.sigmoid(nn.add(nn.matmul(x, this.v!), this.c!));
    return nn.mul(value, gate);
  }

  protected override layerConfig() {
    return { units: this.units };
  }
}

registerLayer('gatedLinear', (spec: LayerSpec) => new GatedLinear(spec));

describe('learning evidence: the low-level and the layer API together', () => {
  it('a custom low-level layer learns two spirals inside a model trained by fit, and reloads', async () => {
    const { x, y, labels } = twoSpirals(100, 1.25, 0.01, 8);
    const m = model(
      [
        { type: 'gatedLinear', units: 32 },
        { type: 'activation', activation: 'tanh' },
        { type: 'gatedLinear', units: 32 },
        { type: 'dense', units: 1 },
      ],
      [2],
      4,
    );
    expect(m.layers[0]).toBeInstanceOf(GatedLinear);
    expect(m.summary().totalParams).toBe(2 * (2 * 32 + 32) + 2 * (32 * 32 + 32) + 33);
    const history = await fit(m, x, y, {
      loss: { name: 'binary_crossentropy', fromLogits: true },
      optimizer: { type: 'adam', learningRate: 0.01 },
      epochs: 200,
      batchSize: 32,
      seed: 3,
      health: false,
    });
    const logits = predict(m, x);
    const probabilities = nn.sigmoid(logits);
    const acc = accuracy(probabilities, labels);
    console.log(
      `custom gatedLinear layers on two spirals: accuracy ${acc.toFixed(3)}, loss ${history.history.loss![0]!.toFixed(3)} → ${history.history.loss!.at(-1)!.toFixed(4)}`,
    );
    expect(acc).toBeGreaterThanOrEqual(0.95);

    // Registered, the custom layer is part of the saved topology.
    const restored = modelFromCheckpoint(loadCheckpoint(await saveCheckpoint({ model: m, epoch: 200 })));
    expect(restored.model.layers[2]).toBeInstanceOf(GatedLinear);
    const again = predict(restored.model, x);
    expect(Array.from(again.dataSync())).toEqual(Array.from(logits.dataSync()));
    nn.dispose([x, y, logits, probabilities, again]);
    m.dispose();
    restored.model.dispose();
  });

  it('a hand-written valueAndGrad + optimizer loop learns, step for step as fit does', async () => {
    const { x, y, labels } = twoSpirals(60, 1, 0.01, 9);
    const layers: LayerSpec[] = [
      { type: 'dense', units: 24, activation: 'tanh' },
      { type: 'dense', units: 24, activation: 'tanh' },
      { type: 'dense', units: 1 },
    ];
    const optimizerConfig = { type: 'adam', learningRate: 0.02 };
    const steps = 150;

    // By hand: full-batch steps, the loss from the loss registry, gradients from valueAndGrad.
    const handModel = model(layers, [2], 6);
    const optimizer = optimizerFromConfig(optimizerConfig);
    const loss = lossFromName('binary_crossentropy', { fromLogits: true });
    const params = handModel.trainableWeights();
    const handLosses: number[] = [];
    for (let i = 0; i < steps; i++) {
      nn.tidy(() => {
        const { value, grads } = nn.valueAndGrad(
          () => loss(y, handModel.apply(x, { training: true })),
          params,
        );
        optimizer.applyGradients(grads.map((g, k) => ({ grad: g, param: params[k]! })));
        handLosses.push(value.item());
      });
    }
    const acc = accuracy(
      nn.tidy(() => nn.sigmoid(predict(handModel, x))),
      labels,
    );
    console.log(
      `hand-written loop: loss ${handLosses[0]!.toFixed(3)} → ${handLosses.at(-1)!.toFixed(4)}, accuracy ${acc.toFixed(3)}`,
    );
    expect(handLosses.at(-1)!).toBeLessThan(handLosses[0]! / 10);
    expect(acc).toBeGreaterThanOrEqual(0.95);

    // fit with the same seed, full batches and no shuffling takes exactly the same steps.
    const fitModel = model(layers, [2], 6);
    const history = await fit(fitModel, x, y, {
      loss: { name: 'binary_crossentropy', fromLogits: true },
      optimizer: optimizerConfig,
      epochs: steps,
      batchSize: x.shape[0]!,
      shuffle: false,
      health: false,
    });
    expect(history.stepLosses).toEqual(handLosses);
    expect(await fitModel.getWeightValues()).toEqual(await handModel.getWeightValues());
    nn.dispose([x, y]);
    optimizer.dispose();
    handModel.dispose();
    fitModel.dispose();
  });
});
