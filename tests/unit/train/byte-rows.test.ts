/**
 * ByteRows on the CPU backend: uint8 rows packed four to an int32, gathered as floats
 * (byte·scale + shift) with rows straddling words, row views, errors, and fit/evaluate giving
 * exactly what the same values as a float32 tensor give.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { Sequential } from '../../../core/engine/nn/sequential.js';
import { ByteRows, evaluate, fit } from '../../../core/engine/train/index.js';

function bytes(n: number, seed = 1): Uint8Array {
  const rng = new nn.Random(seed);
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

describe('ByteRows', () => {
  it('gathers rows of 5 bytes (straddling int32 words) as byte·scale + shift', () => {
    const data = bytes(7 * 5);
    const x = ByteRows.upload(data, [7, 5], { scale: 0.5, shift: -3 });
    const got = nn.tidy(() => x.gather(nn.tensor(Int32Array.from([6, 0, 3, 3]))).dataSync());
    const expected = [6, 0, 3, 3].flatMap((r) =>
      Array.from(data.subarray(r * 5, r * 5 + 5), (b) => b * 0.5 - 3),
    );
    expect(Array.from(got)).toEqual(expected);
    x.dispose();
  });

  it('row views index from their own first row; toTensor gives every row', () => {
    const data = bytes(6 * 3 * 2);
    const x = ByteRows.upload(data, [6, 3, 2]);
    const view = x.rows(1, 4).rows(2, 2); // rows 3 and 4
    expect(view.shape).toEqual([2, 3, 2]);
    const t = view.toTensor();
    expect(t.shape).toEqual([2, 3, 2]);
    expect(Array.from(t.dataSync())).toEqual(Array.from(data.subarray(18, 30)));
    t.dispose();
    view.dispose(); // a view frees nothing
    const all = x.toTensor();
    expect(Array.from(all.dataSync())).toEqual(Array.from(data));
    all.dispose();
    x.dispose();
    expect(() => view.toTensor()).toThrow(/disposed/);
  });

  it('refuses bad input by name', () => {
    expect(() => ByteRows.upload(bytes(10), [3, 3])).toThrow(/\[3,3\] does not hold 10 bytes/);
    const x = ByteRows.upload(bytes(12), [4, 3]);
    expect(() => x.rows(3, 2)).toThrow(/outside the 4 rows/);
    nn.tidy(() => {
      expect(() => x.gather(nn.tensor(Int32Array.from([4])))).toThrow(/out of range/);
      expect(() => x.gather(nn.tensor([0]))).toThrow(/int32/);
    });
    x.dispose();
  });

  it('fit and evaluate on ByteRows match the same values as a float32 tensor', async () => {
    const n = 48;
    const data = bytes(n * 6, 3);
    const scale = 1 / 255;
    const labels = Int32Array.from(
      { length: n },
      (_, i) => (data[i * 6]! > 128 ? 1 : 0) + (data[i * 6 + 1]! > 128 ? 1 : 0),
    );
    const spec = {
      layers: [
        { type: 'dense', units: 8, activation: 'relu' },
        { type: 'dense', units: 3 },
      ],
      inputShape: [6],
    };
    const run = async (x: nn.Tensor | ByteRows) => {
      const y = nn.tensor(labels);
      const model = Sequential.fromSpec(spec, { seed: 2 });
      const options = {
        loss: { name: 'sparse_categorical_crossentropy', fromLogits: true },
        metrics: ['accuracy'],
      };
      const history = await fit(model, x, y, {
        ...options,
        optimizer: { type: 'adam', learningRate: 0.01 },
        epochs: 2,
        batchSize: 8,
        seed: 4,
        validationSplit: 0.25,
      });
      const result = await evaluate(model, x, y, { ...options, batchSize: 10 });
      model.dispose();
      y.dispose();
      return { history, result };
    };
    const floats = nn.tensor(
      Float32Array.from(data, (b) => b * scale),
      [n, 6],
    );
    const asFloats = await run(floats);
    floats.dispose();
    const asBytes = ByteRows.upload(data, [n, 6], { scale });
    const fromBytes = await run(asBytes);
    asBytes.dispose();
    expect(fromBytes.history.stepLosses).toEqual(asFloats.history.stepLosses);
    expect(fromBytes.history.history).toEqual(asFloats.history.history);
    expect(fromBytes.history.epochs.map((e) => e.health)).toEqual(
      asFloats.history.epochs.map((e) => e.health),
    );
    expect(fromBytes.result).toEqual(asFloats.result);
  });
});
