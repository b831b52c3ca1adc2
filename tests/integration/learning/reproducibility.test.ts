/**
 * Determinism and save/load on models with every kind of state: a conv net with batch
 * normalization (moving statistics are non-trainable weights) and dropout (masks from the
 * model's generator), and an embedding + GRU sequence model. The same seed gives a
 * bit-identical loss trajectory; a checkpoint reloads into a model that predicts exactly the
 * same and resumes the same trajectory; damaged bytes are refused.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import type { LayerSpec } from '../../../core/engine/nn/index.js';
import { optimizerFromConfig } from '../../../core/engine/optim/index.js';
import {
  CheckpointError,
  fit,
  loadCheckpoint,
  modelFromCheckpoint,
  predict,
  saveCheckpoint,
} from '../../../core/engine/train/index.js';
import { model } from './support.js';

const convNet: LayerSpec[] = [
  { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', useBias: false },
  { type: 'batchNormalization' },
  { type: 'activation', activation: 'relu' },
  { type: 'maxPooling2d', poolSize: 2 },
  { type: 'flatten' },
  { type: 'dropout', rate: 0.25 },
  { type: 'dense', units: 3 },
];

const sequenceNet: LayerSpec[] = [
  { type: 'embedding', inputDim: 6, outputDim: 4 },
  { type: 'gru', units: 8 },
  { type: 'dense', units: 3 },
];

/** 8×8 one-channel images whose class is the quadrant holding the bright blob (0–2). */
function images(n: number) {
  const rng = new nn.Random(13);
  const xs = new Float32Array(n * 64);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cls = rng.int(3);
    ys[i] = cls;
    for (let p = 0; p < 64; p++) xs[i * 64 + p] = rng.normal(0, 0.3);
    const [r0, c0] = [
      [0, 0],
      [0, 4],
      [4, 0],
    ][cls]!;
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) xs[i * 64 + (r0! + r) * 8 + c0! + c] += 1;
  }
  return { x: nn.tensor(xs, [n, 8, 8, 1]), y: nn.tensor(ys) };
}

/** Token sequences of length 6; the class is the first token modulo 3. */
function tokens(n: number) {
  const rng = new nn.Random(14);
  const xs = Int32Array.from({ length: n * 6 }, () => rng.int(6));
  const ys = Int32Array.from({ length: n }, (_, i) => xs[i * 6]! % 3);
  return { x: nn.tensor(xs, [n, 6]), y: nn.tensor(ys) };
}

const cases = [
  { name: 'conv + batch norm + dropout', layers: convNet, inputShape: [8, 8, 1], data: () => images(96) },
  { name: 'embedding + GRU', layers: sequenceNet, inputShape: [6], data: () => tokens(96) },
];

const loss = { name: 'sparse_categorical_crossentropy', fromLogits: true };
const optimizerConfig = { type: 'adam', learningRate: 0.01 };

async function trajectory(layers: LayerSpec[], inputShape: number[], seed: number, shuffleSeed: number) {
  const { x, y } = cases.find((c) => c.layers === layers)!.data();
  const m = model(layers, inputShape, seed);
  const h = await fit(m, x, y, {
    loss,
    optimizer: optimizerConfig,
    epochs: 3,
    batchSize: 16,
    seed: shuffleSeed,
  });
  nn.dispose([x, y]);
  m.dispose();
  return h.stepLosses;
}

describe('learning evidence: determinism and save/load', () => {
  for (const c of cases) {
    it(`${c.name}: the same seed gives a bit-identical loss trajectory`, async () => {
      const first = await trajectory(c.layers, c.inputShape, 5, 6);
      expect(first).toHaveLength(3 * 6);
      expect(first.every(Number.isFinite)).toBe(true);
      expect(await trajectory(c.layers, c.inputShape, 5, 6)).toEqual(first);
      expect(await trajectory(c.layers, c.inputShape, 8, 6)).not.toEqual(first);
    });

    it(`${c.name}: a checkpoint predicts exactly the same and resumes the same run`, async () => {
      const { x, y } = c.data();
      const m = model(c.layers, c.inputShape, 5);
      const optimizer = optimizerFromConfig(optimizerConfig);
      const random = new nn.Random(21);
      await fit(m, x, y, { loss, optimizer, epochs: 2, batchSize: 16, random });
      const bytes = await saveCheckpoint({ model: m, optimizer, epoch: 2, random });
      const checkpoint = loadCheckpoint(bytes);
      expect(checkpoint.epoch).toBe(2);
      const restored = modelFromCheckpoint(checkpoint);
      expect(restored.model.toSpec()).toEqual(m.toSpec());
      expect(await restored.model.getWeightValues()).toEqual(await m.getWeightValues());
      const before = predict(m, x);
      const after = predict(restored.model, x);
      expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));

      const resumedRandom = new nn.Random(0);
      resumedRandom.setState(checkpoint.trainingRandomState!);
      const more = { loss, epochs: 4, initialEpoch: 2, batchSize: 16 };
      const original = await fit(m, x, y, { ...more, optimizer, random });
      const resumed = await fit(restored.model, x, y, {
        ...more,
        optimizer: restored.optimizer!,
        random: resumedRandom,
      });
      expect(resumed.stepLosses).toEqual(original.stepLosses);

      const truncated = bytes.slice(0, Math.floor(bytes.length * 0.7));
      expect(() => loadCheckpoint(truncated)).toThrow(CheckpointError);
      const corrupt = bytes.slice();
      corrupt[Math.floor(bytes.length * 0.8)]! ^= 0x10;
      expect(() => loadCheckpoint(corrupt)).toThrow(/CRC-32 mismatch/);
      nn.dispose([x, y, before, after]);
      m.dispose();
      restored.model.dispose();
      optimizer.dispose();
      restored.optimizer!.dispose();
    });
  }
});
