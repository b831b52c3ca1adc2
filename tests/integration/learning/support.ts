/** Shared helpers for the learning-evidence tests: models from specs, data generators. */
import * as nn from '../../../core/engine/index.js';
import { Sequential } from '../../../core/engine/nn/sequential.js';
import type { LayerSpec } from '../../../core/engine/nn/layer.js';

export function model(layers: LayerSpec[], inputShape: number[], seed = 1): Sequential {
  return Sequential.fromSpec({ layers, inputShape }, { seed });
}

/** Fraction of rows where the predicted class matches (sigmoid output: threshold 0.5). */
export function accuracy(pred: nn.Tensor, labels: ArrayLike<number>): number {
  const p = pred.dataSync();
  const width = pred.shape[pred.rank - 1]!;
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    let cls: number;
    if (width === 1) cls = p[i]! > 0.5 ? 1 : 0;
    else {
      cls = 0;
      for (let c = 1; c < width; c++) if (p[i * width + c]! > p[i * width + cls]!) cls = c;
    }
    if (cls === labels[i]) hits++;
  }
  return hits / labels.length;
}

/** Two interleaved spirals (Lang & Witbrock), `perClass` points each, radius growing to 1. */
export function twoSpirals(perClass: number, turns: number, noise: number, seed: number) {
  const rng = new nn.Random(seed);
  const xs = new Float32Array(perClass * 2 * 2);
  const ys = new Float32Array(perClass * 2);
  for (let i = 0; i < perClass; i++) {
    const t = (i / perClass) * turns * 2 * Math.PI + 0.5;
    const r = t / (turns * 2 * Math.PI + 0.5);
    for (const cls of [0, 1]) {
      const k = 2 * i + cls;
      const sign = cls === 0 ? 1 : -1;
      xs[2 * k] = sign * r * Math.cos(t) + rng.normal(0, noise);
      xs[2 * k + 1] = sign * r * Math.sin(t) + rng.normal(0, noise);
      ys[k] = cls;
    }
  }
  return { x: nn.tensor(xs, [perClass * 2, 2]), y: nn.tensor(ys, [perClass * 2, 1]), labels: ys };
}
