import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import {
  CheckpointError,
  crc32,
  fit,
  loadCheckpoint,
  modelCheckpoint,
  predict,
  restoreCheckpoint,
  saveCheckpoint,
} from '../../../core/engine/train/index.js';
import { optimizerFromConfig, type Optimizer } from '../../../core/engine/optim/index.js';
import { TinyMlp } from './support/mlp.js';

function data() {
  const rng = new nn.Random(11);
  const xs = Float32Array.from({ length: 48 * 3 }, () => rng.uniform(-1, 1));
  const ys = Float32Array.from({ length: 48 }, (_, i) => Math.sin(xs[3 * i]!) + xs[3 * i + 2]! ** 2);
  return { x: nn.tensor(xs, [48, 3]), y: nn.tensor(ys, [48, 1]) };
}
const newModel = () => new TinyMlp({ units: [6, 1], activations: ['tanh', 'linear'] }, 4);

async function trained(): Promise<{ model: TinyMlp; optimizer: Optimizer; bytes: Uint8Array }> {
  const { x, y } = data();
  const model = newModel();
  const optimizer = optimizerFromConfig({ type: 'adam', learningRate: 0.01 });
  await fit(model, x, y, { loss: 'mse', optimizer, epochs: 3, batchSize: 16, seed: 2 });
  const bytes = await saveCheckpoint({ model, optimizer, epoch: 3, extra: { run: 'abc' } });
  nn.dispose([x, y]);
  return { model, optimizer, bytes };
}

describe('checkpoints', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('a loaded model predicts bit-identically and resumes the same trajectory', async () => {
    const { x, y } = data();
    const { model, optimizer, bytes } = await trained();
    const checkpoint = loadCheckpoint(bytes);
    expect(checkpoint.epoch).toBe(3);
    expect(checkpoint.extra).toEqual({ run: 'abc' });
    expect(checkpoint.spec).toEqual(model.toSpec());
    const copy = newModel();
    copy.build([3]);
    const resumedOptimizer = optimizerFromConfig(checkpoint.optimizer!.config);
    restoreCheckpoint(checkpoint, { model: copy, optimizer: resumedOptimizer });
    const a = predict(model, x);
    const b = predict(copy, x);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    // Two more epochs from the original and from the restored copy give identical losses.
    const more = async (m: TinyMlp, o: Optimizer) =>
      (await fit(m, x, y, { loss: 'mse', optimizer: o, epochs: 5, initialEpoch: 3, batchSize: 16, seed: 9 }))
        .stepLosses;
    expect(await more(copy, resumedOptimizer)).toEqual(await more(model, optimizer));
    nn.dispose([x, y, a, b]);
    model.dispose();
    copy.dispose();
    optimizer.dispose();
    resumedOptimizer.dispose();
  });

  it('refuses corrupt, truncated, foreign and wrong-version bytes, saying what is wrong', async () => {
    const { model, optimizer, bytes } = await trained();
    const flipped = bytes.slice();
    flipped[bytes.length - 40]! ^= 0x01;
    expect(() => loadCheckpoint(flipped)).toThrow(/CRC-32 mismatch/);
    expect(() => loadCheckpoint(bytes.slice(0, bytes.length - 10))).toThrow(
      /truncated: expected \d+ bytes, got \d+/,
    );
    expect(() => loadCheckpoint(bytes.slice(0, 30))).toThrow(/truncated/);
    expect(() => loadCheckpoint(bytes.slice(0, 10))).toThrow(/shorter than the 20-byte minimum/);
    expect(() => loadCheckpoint(new TextEncoder().encode('PK\x03\x04 this is a zip file, not ours'))).toThrow(
      /not an NN Lab checkpoint: the file starts with/,
    );
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(8, 99, true);
    expect(() => loadCheckpoint(future)).toThrow(/version 99 is not supported.*newer NN Lab/);
    const header = bytes.slice();
    header[20]! ^= 0xff;
    expect(() => loadCheckpoint(header)).toThrow(CheckpointError);
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(() => loadCheckpoint(longer)).toThrow(/3 unexpected trailing bytes/);
    const other = new TinyMlp({ units: [5, 1], activations: ['tanh', 'linear'] });
    other.build([3]);
    expect(() => restoreCheckpoint(loadCheckpoint(bytes), { model: other })).toThrow(
      /weight 'dense_0\/kernel' has shape \[3,6\], the model's is \[3,5\]/,
    );
    model.dispose();
    other.dispose();
    optimizer.dispose();
  });

  it('the best-model checkpoint callback writes only on improvement', async () => {
    const { x, y } = data();
    const model = newModel();
    const written: number[] = [];
    const fake = [3, 2, 2.5, 1, 1.5];
    let last: Uint8Array | null = null;
    await fit(model, x, y, {
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.01 },
      epochs: 5,
      batchSize: 16,
      callbacks: [
        { onEpochEnd: (e) => void (e.logs.score = fake[e.epoch]!) },
        modelCheckpoint({
          monitor: 'score',
          mode: 'min',
          write: (bytes, info) => void (written.push(info.epoch), (last = bytes)),
        }),
      ],
    });
    expect(written).toEqual([0, 1, 3]);
    expect(loadCheckpoint(last!).epoch).toBe(4);
    nn.dispose([x, y]);
    model.dispose();
  });
});
