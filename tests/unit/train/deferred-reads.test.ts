/**
 * fit on a backend without synchronous reads (a GPU's situation): the step's loss,
 * predictions and targets stay on the device and are read a few steps behind, one read-back
 * per kind for the whole group of steps, with the same losses and metrics as the direct path.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { Sequential } from '../../../core/engine/nn/sequential.js';
import { evaluate, fit, type History } from '../../../core/engine/train/index.js';

const spec = {
  layers: [
    { type: 'dense', units: 8, activation: 'relu' },
    { type: 'dense', units: 3 },
  ],
  inputShape: [4],
};

function data(n: number) {
  const rng = new nn.Random(4);
  const xs = Float32Array.from({ length: n * 4 }, () => rng.normal());
  const ys = Int32Array.from({ length: n }, (_, i) => (xs[i * 4]! > 0.3 ? 2 : xs[i * 4 + 1]! > 0 ? 1 : 0));
  return { x: nn.tensor(xs, [n, 4]), y: nn.tensor(ys) };
}

async function train(stepLogs: Record<string, number>[]): Promise<History> {
  const { x, y } = data(64);
  const model = Sequential.fromSpec(spec, { seed: 5 });
  try {
    return await fit(model, x, y, {
      loss: { name: 'sparse_categorical_crossentropy', fromLogits: true },
      optimizer: { type: 'adam', learningRate: 0.01 },
      epochs: 2,
      batchSize: 16,
      seed: 1,
      metrics: ['accuracy'],
      stepMetricsInterval: 1,
      health: false,
      lossReadInterval: 3,
      callbacks: [{ onStepEnd: (e) => void stepLogs.push(e.logs) }],
    });
  } finally {
    nn.dispose([x, y]);
    model.dispose();
  }
}

describe('deferred read-back in fit', () => {
  it('reads losses, predictions and targets once per group of steps, with unchanged results', async () => {
    const cpu = nn.getBackend();
    const directLogs: Record<string, number>[] = [];
    const direct = await train(directLogs);

    const asyncOnly = Object.create(cpu) as nn.Backend & { readSync?: unknown };
    asyncOnly.readSync = undefined;
    let reads = 0;
    asyncOnly.read = (view) => {
      reads++;
      return Promise.resolve(cpu.readSync!(view));
    };
    nn.setBackend(asyncOnly);
    const deferredLogs: Record<string, number>[] = [];
    let deferred: History;
    try {
      deferred = await train(deferredLogs);
    } finally {
      nn.setBackend(cpu);
    }
    expect(deferred.stepLosses).toEqual(direct.stepLosses);
    expect(deferred.history).toEqual(direct.history);
    // Each step's running accuracy is over exactly the steps before it, as on the direct path.
    expect(deferredLogs).toEqual(directLogs);
    // 4 steps an epoch, read after steps 3 and 4: 2 groups × 3 reads (loss, predictions,
    // targets) × 2 epochs; one read per step and kind would be 24.
    expect(reads).toBe(12);
  });

  it('evaluate reads a group of batches at once, with unchanged results', async () => {
    const cpu = nn.getBackend();
    const { x, y } = data(64);
    const model = Sequential.fromSpec(spec, { seed: 5 });
    const options = {
      loss: { name: 'sparse_categorical_crossentropy', fromLogits: true },
      metrics: ['accuracy', 'auc'],
      batchSize: 5,
    };
    const direct = await evaluate(model, x, y, options);
    const asyncOnly = Object.create(cpu) as nn.Backend & { readSync?: unknown };
    asyncOnly.readSync = undefined;
    let reads = 0;
    asyncOnly.read = (view) => {
      reads++;
      return Promise.resolve(cpu.readSync!(view));
    };
    nn.setBackend(asyncOnly);
    try {
      const [xa, ya] = [nn.tensor(x.dataSync(), x.shape), nn.tensor(y.dataSync(), y.shape, 'int32')];
      const model2 = Sequential.fromSpec(spec, { seed: 5 });
      const deferred = await evaluate(model2, xa, ya, options);
      expect(deferred).toEqual(direct);
      // 13 batches read in groups of 8 and 5: 2 groups × (losses, predictions, targets).
      expect(reads).toBe(6);
      model2.dispose();
      nn.dispose([xa, ya]);
    } finally {
      nn.setBackend(cpu);
      model.dispose();
      nn.dispose([x, y]);
    }
  });
});
