/** fit, checkpoints and the deferred loss read-back with the real Sequential model. */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { Sequential } from '../../../core/engine/nn/sequential.js';
import {
  fit,
  loadCheckpoint,
  modelFromCheckpoint,
  predict,
  saveCheckpoint,
} from '../../../core/engine/train/index.js';
import { optimizerFromConfig } from '../../../core/engine/optim/index.js';

const spec = {
  layers: [
    { type: 'dense', units: 16, activation: 'relu' },
    { type: 'dropout', rate: 0.2 },
    { type: 'dense', units: 3 },
  ],
  inputShape: [4],
};

function data(n = 90) {
  const rng = new nn.Random(21);
  const xs = Float32Array.from({ length: n * 4 }, () => rng.normal());
  const ys = Int32Array.from({ length: n }, (_, i) => (xs[i * 4]! > 0.5 ? 2 : xs[i * 4 + 1]! > 0 ? 1 : 0));
  return { x: nn.tensor(xs, [n, 4]), y: nn.tensor(ys) };
}

const loss = { name: 'sparse_categorical_crossentropy', fromLogits: true };

describe('fit with Sequential', () => {
  it('gives a bit-identical loss trajectory for the same seed (dropout included)', async () => {
    const run = async () => {
      const { x, y } = data();
      const model = Sequential.fromSpec(spec, { seed: 3 });
      const h = await fit(model, x, y, {
        loss,
        optimizer: { type: 'adam', learningRate: 0.01 },
        epochs: 4,
        batchSize: 16,
      });
      nn.dispose([x, y]);
      model.dispose();
      return h.stepLosses;
    };
    const first = await run();
    expect(first).toHaveLength(4 * 6);
    expect(await run()).toEqual(first);
  });

  it('keeps live tensors flat across epochs with dropout, validation and metrics; learns', async () => {
    const { x, y } = data();
    const model = Sequential.fromSpec(spec, { seed: 3 });
    const counts: number[] = [];
    const history = await fit(model, x, y, {
      loss,
      optimizer: { type: 'adamw', learningRate: 0.02, globalClipNorm: 5 },
      epochs: 30,
      batchSize: 16,
      validationSplit: 0.2,
      metrics: ['accuracy'],
      callbacks: [{ onEpochEnd: () => void counts.push(nn.memory().liveTensors) }],
    });
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(counts[1]).toBe(counts[0]);
    expect(history.history.accuracy!.at(-1)!).toBeGreaterThan(0.85);
    expect(history.history.val_accuracy!.at(-1)!).toBeGreaterThan(0.75);
    expect(
      history.epochs.at(-1)!.health!.find((h) => h.layer === 'dense_1')!.deadReluFraction,
    ).toBeGreaterThanOrEqual(0);
    nn.dispose([x, y]);
    model.dispose();
  });

  it('a model loaded from a checkpoint predicts bit-identically and resumes the same run', async () => {
    const { x, y } = data();
    const model = Sequential.fromSpec(spec, { seed: 5 });
    const optimizer = optimizerFromConfig({ type: 'rmsprop', learningRate: 0.01, momentum: 0.5 });
    const random = new nn.Random(99);
    await fit(model, x, y, { loss, optimizer, epochs: 2, batchSize: 16, random });
    const bytes = await saveCheckpoint({ model, optimizer, epoch: 2, random });
    const restored = modelFromCheckpoint(loadCheckpoint(bytes));
    const a = predict(model, x);
    const b = predict(restored.model, x);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const resumedRandom = new nn.Random(0);
    resumedRandom.setState(loadCheckpoint(bytes).trainingRandomState!);
    const cont = await fit(model, x, y, {
      loss,
      optimizer,
      epochs: 4,
      initialEpoch: 2,
      batchSize: 16,
      random,
    });
    const resumed = await fit(restored.model, x, y, {
      loss,
      optimizer: restored.optimizer!,
      epochs: 4,
      initialEpoch: 2,
      batchSize: 16,
      random: resumedRandom,
    });
    expect(resumed.stepLosses).toEqual(cont.stepLosses);
    nn.dispose([x, y, a, b]);
    model.dispose();
    restored.model.dispose();
    optimizer.dispose();
    restored.optimizer!.dispose();
  });

  it('on a backend without synchronous reads, losses are read every lossReadInterval steps, in order', async () => {
    const cpu = nn.getBackend();
    // The CPU backend seen through an object without readSync: fit must take the deferred path.
    const asyncOnly = Object.create(cpu) as nn.Backend & { readSync?: unknown };
    asyncOnly.readSync = undefined;
    asyncOnly.read = (view) => Promise.resolve(cpu.readSync!(view));
    const reference = await (async () => {
      const { x, y } = data(64);
      const model = Sequential.fromSpec(spec, { seed: 8 });
      const h = await fit(model, x, y, {
        loss,
        optimizer: { type: 'sgd', learningRate: 0.1 },
        epochs: 2,
        batchSize: 16,
        seed: 1,
      });
      nn.dispose([x, y]);
      model.dispose();
      return h.stepLosses;
    })();
    nn.setBackend(asyncOnly);
    try {
      const { x, y } = data(64);
      const model = Sequential.fromSpec(spec, { seed: 8 });
      // Each step event with the optimizer's iteration count when it fired.
      const fired: [number, number][] = [];
      const h = await fit(model, x, y, {
        loss,
        optimizer: { type: 'sgd', learningRate: 0.1 },
        epochs: 2,
        batchSize: 16,
        seed: 1,
        lossReadInterval: 3,
        callbacks: [{ onStepEnd: (e, ctx) => void fired.push([e.globalStep, ctx.optimizer.iterations]) }],
      });
      expect(h.stepLosses).toEqual(reference);
      // Read three steps behind, and at each epoch's end.
      expect(fired).toEqual([
        [1, 3],
        [2, 3],
        [3, 3],
        [4, 4],
        [5, 7],
        [6, 7],
        [7, 7],
        [8, 8],
      ]);
      nn.dispose([x, y]);
      model.dispose();
    } finally {
      nn.setBackend(cpu);
    }
  });
});
