/**
 * GPU memory over real training: fit() on the WebGPU backend keeps the live-tensor count, the
 * live storages and bytes, and the buffers the pool has allocated flat from one epoch to the
 * next (nothing accumulates per step or per epoch), and gives every storage back at the end.
 * The loss-only run caught the pool handing free buffers to kernels before the ones released
 * in the same batch, so uploads drew new buffers every epoch (buffer-pool.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import type { LayerSpec } from '../../../core/engine/nn/layer.js';
import { Sequential } from '../../../core/engine/nn/sequential.js';
import { fit } from '../../../core/engine/train/index.js';
import { openBackend } from '../../unit/webgpu/support.js';

const gpu = await openBackend('memory.test.ts');
afterAll(() => gpu?.destroy());

interface EpochMemory {
  liveTensors: number;
  liveStorages: number;
  liveBytes: number;
  allocatedBuffers: number;
}

// With a metric, fit reads predictions back each step (or stacks them per read); without one,
// several steps run between reads and each batch of kernels spans many steps.
const runs: [string, string[]][] = [
  ['with an accuracy metric', ['accuracy']],
  ['loss only (several steps between reads)', []],
];

describe.skipIf(!gpu)('GPU memory across epochs of training', () => {
  it.each(runs)('%s: live counts and pool buffers stay flat; all freed after', async (_, metrics) => {
    const be = gpu!;
    const previous = nn.getBackend();
    nn.setBackend(be);
    const before = be.memory();
    const tensorsBefore = nn.memory().liveTensors;
    const rng = new nn.Random(9);
    const samples = 203;
    const x = nn.tensor(
      Float32Array.from({ length: samples * 11 }, () => rng.normal(0, 1)),
      [samples, 11],
    );
    const y = nn.tensor(
      Int32Array.from({ length: samples }, () => rng.int(4)),
      [samples],
      'int32',
    );
    const layers: LayerSpec[] = [
      { type: 'dense', units: 19, activation: 'relu' },
      { type: 'batchNormalization' },
      { type: 'dropout', rate: 0.2 },
      { type: 'dense', units: 4 },
    ];
    const model = Sequential.fromSpec({ layers, inputShape: [11] }, { seed: 4 });
    const epochs: EpochMemory[] = [];
    try {
      await fit(model, x, y, {
        loss: { name: 'sparse_categorical_crossentropy', fromLogits: true },
        optimizer: { type: 'adam', learningRate: 1e-3 },
        // 160 training rows in batches of 24: a short last batch every epoch.
        epochs: 6,
        batchSize: 24,
        validationSplit: 0.2,
        metrics,
        callbacks: [
          {
            onEpochEnd: () => {
              const m = be.memory();
              epochs.push({
                liveTensors: nn.memory().liveTensors,
                liveStorages: m.liveStorages,
                liveBytes: m.liveBytes,
                allocatedBuffers: m.pool.allocatedBuffers,
              });
            },
          },
        ],
      });
    } finally {
      nn.dispose([x, y, model.namedWeights().map((w) => w.value)]);
      nn.setBackend(previous);
    }
    expect(epochs).toHaveLength(6);
    // Live tensors and storages end every epoch where the first one ended. The pool may still
    // grow in the second epoch (the first epoch's end is the first validation pass); from then
    // on it must reuse what it has: a pool that grows every epoch holds ever more idle memory.
    const live = ({ allocatedBuffers: _, ...rest }: EpochMemory) => rest;
    for (const later of epochs.slice(1)) expect(live(later)).toEqual(live(epochs[0]!));
    const pool = epochs.map((e) => e.allocatedBuffers);
    expect(pool.slice(2), `pool buffers per epoch: ${pool.join(', ')}`).toEqual(
      pool.slice(2).map(() => pool[1]),
    );
    const after = be.memory();
    expect(nn.memory().liveTensors).toBe(tensorsBefore);
    expect(after.liveStorages).toBe(before.liveStorages);
    expect(after.liveBytes).toBe(before.liveBytes);
  });
});
