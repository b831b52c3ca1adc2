/**
 * fit on the WebGPU backend submits each step's kernels as one batch at the step's end (so
 * the GPU works while the host records the next step) and reads nothing back inside a step:
 * losses, predictions and targets are read every lossReadInterval steps, one read per kind.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { Sequential } from '../../../core/engine/nn/sequential.js';
import { fit } from '../../../core/engine/train/index.js';
import { openBackend } from './support.js';

const gpu = await openBackend('fit-submission.test.ts');
afterAll(() => gpu?.destroy());

describe.skipIf(!gpu)('fit submissions on the WebGPU backend', () => {
  it('one submission per step, and three reads per group of lossReadInterval steps', async () => {
    const previous = nn.getBackend();
    nn.setBackend(gpu!);
    const rng = new nn.Random(6);
    const x = nn.tensor(
      Float32Array.from({ length: 24 * 4 }, () => rng.normal()),
      [24, 4],
    );
    const y = nn.tensor(Int32Array.from({ length: 24 }, () => rng.int(3)));
    const model = Sequential.fromSpec(
      {
        layers: [
          { type: 'dense', units: 8, activation: 'relu' },
          { type: 'dense', units: 3 },
        ],
        inputShape: [4],
      },
      { seed: 1 },
    );
    model.build([4]);
    const read = gpu!.read.bind(gpu!);
    let reads = 0;
    gpu!.read = (view) => {
      reads++;
      return read(view);
    };
    try {
      gpu!.flush();
      const before = gpu!.memory().submits;
      const history = await fit(model, x, y, {
        loss: { name: 'sparse_categorical_crossentropy', fromLogits: true },
        optimizer: { type: 'adam', learningRate: 0.01 },
        batchSize: 2,
        metrics: ['accuracy'],
        health: false,
        lossReadInterval: 4,
      });
      const submits = gpu!.memory().submits - before;
      expect(history.stepLosses).toHaveLength(12);
      // 12 steps read after steps 4, 8 and 12: loss, predictions and targets each time.
      expect(reads).toBe(9);
      // Each read submits its own copy; everything else is one submission per step.
      expect(submits).toBe(12 + reads);
    } finally {
      gpu!.read = read;
      model.dispose();
      nn.dispose([x, y]);
      nn.setBackend(previous);
    }
  });
});
