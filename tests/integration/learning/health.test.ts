/**
 * Per-layer health as evidence of vanishing gradients: a deep sigmoid network initialised
 * N(0, 1) saturates, so the gradient reaching its first layers is orders of magnitude smaller
 * than at its last; Glorot initialisation or batch normalization keeps it alive.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { fit, type LayerHealth } from '../../../core/engine/train/index.js';
import type { LayerSpec } from '../../../core/engine/nn/layer.js';
import { model } from './support.js';

const DEPTH = 10;
const WIDTH = 32;

function data() {
  const rng = new nn.Random(4);
  const xs = Float32Array.from({ length: 256 * 16 }, () => rng.normal());
  const ys = Int32Array.from({ length: 256 }, (_, i) => (xs[i * 16]! + xs[i * 16 + 1]! > 0 ? 1 : 0));
  return { x: nn.tensor(xs, [256, 16]), y: nn.tensor(ys) };
}

async function firstEpochHealth(layers: LayerSpec[]): Promise<LayerHealth[]> {
  const { x, y } = data();
  const m = model(layers, [16], 7);
  const history = await fit(m, x, y, {
    loss: { name: 'sparse_categorical_crossentropy', fromLogits: true },
    optimizer: { type: 'sgd', learningRate: 0.01 },
    epochs: 1,
    batchSize: 64,
  });
  nn.dispose([x, y]);
  m.dispose();
  return history.epochs[0]!.health!.filter((h) => h.gradientNorm !== null);
}

/** DEPTH dense layers of WIDTH units with `activation` (after batch normalization when asked). */
function stack(init: string, batchNorm: boolean, activation = 'sigmoid'): LayerSpec[] {
  const layers: LayerSpec[] = [];
  for (let i = 0; i < DEPTH; i++) {
    layers.push({
      type: 'dense',
      units: WIDTH,
      kernelInitializer: init,
      activation: batchNorm ? 'linear' : activation,
    });
    if (batchNorm) layers.push({ type: 'batchNormalization' }, { type: 'activation', activation });
  }
  layers.push({ type: 'dense', units: 2, kernelInitializer: init });
  return layers;
}

/** ‖∇W‖ of the first dense layer over that of the last hidden one. */
function firstToLast(health: LayerHealth[]): number {
  const dense = health.filter((h) => h.type === 'dense');
  return dense[0]!.gradientNorm! / dense[DEPTH - 1]!.gradientNorm!;
}

const report = (name: string, h: LayerHealth[]) =>
  console.log(
    `${name}: first/last ‖∇W‖ ratio ${firstToLast(h).toExponential(2)}; per dense layer ` +
      h
        .filter((r) => r.type === 'dense')
        .map((r) => r.gradientNorm!.toExponential(1))
        .join(' '),
  );

describe('learning evidence: vanishing gradients in the health numbers', () => {
  it('a 10-deep sigmoid stack initialised N(0,1) loses ~10 orders of magnitude of gradient', async () => {
    const normal = await firstEpochHealth(stack('randomNormal', false));
    report('sigmoid, N(0,1)', normal);
    expect(firstToLast(normal)).toBeLessThan(1e-6);
    // Glorot removes the saturation (×~1000 more gradient at the bottom), but a 10-deep
    // sigmoid stack still decays by about the sigmoid's maximal slope 1/4 per layer.
    const glorot = await firstEpochHealth(stack('glorotUniform', false));
    report('sigmoid, Glorot', glorot);
    expect(firstToLast(glorot)).toBeGreaterThan(1000 * firstToLast(normal));
    expect(firstToLast(glorot)).toBeLessThan(1e-3);
  });

  it('Glorot with tanh and He with relu keep the gradient flat across depth', async () => {
    const tanhGlorot = await firstEpochHealth(stack('glorotUniform', false, 'tanh'));
    const reluHe = await firstEpochHealth(stack('heNormal', false, 'relu'));
    report('tanh, Glorot', tanhGlorot);
    report('relu, He', reluHe);
    for (const h of [tanhGlorot, reluHe]) {
      expect(firstToLast(h)).toBeGreaterThan(0.1);
      expect(firstToLast(h)).toBeLessThan(10);
    }
    const dead = reluHe.map((r) => r.deadReluFraction).filter((v) => v !== null);
    expect(dead).toHaveLength(DEPTH);
    for (const d of dead) expect(d).toBeLessThan(0.5);
  });

  it('batch normalization keeps the N(0,1) sigmoid stack from vanishing', async () => {
    const bn = await firstEpochHealth(stack('randomNormal', true));
    report('sigmoid, N(0,1), batch norm', bn);
    expect(firstToLast(bn)).toBeGreaterThan(1e-2);
  });
});
