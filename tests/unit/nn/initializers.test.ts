import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { computeFans, createInitializer, Sequential } from '../../../core/engine/nn/index.js';

function stats(values: Float64Array) {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length), min, max };
}

const shape = [400, 300];
const fanIn = 400;
const fanOut = 300;
const sample = (spec: unknown, s = shape) => createInitializer(spec).sample(s, new nn.Random(1));

describe('initializers', () => {
  it('computes fans as Keras', () => {
    expect(computeFans([5, 7])).toEqual({ fanIn: 5, fanOut: 7 });
    expect(computeFans([3, 3, 2, 4])).toEqual({ fanIn: 18, fanOut: 36 });
    expect(computeFans([6])).toEqual({ fanIn: 6, fanOut: 6 });
  });

  it('constants', () => {
    expect([...sample('zeros', [3])]).toEqual([0, 0, 0]);
    expect([...sample('ones', [2])]).toEqual([1, 1]);
    expect([...sample({ type: 'constant', value: 0.25 }, [2])]).toEqual([0.25, 0.25]);
  });

  const uniform: [string, number][] = [
    ['glorotUniform', Math.sqrt(6 / (fanIn + fanOut))],
    ['heUniform', Math.sqrt(6 / fanIn)],
    ['lecunUniform', Math.sqrt(3 / fanIn)],
  ];
  for (const [name, limit] of uniform) {
    it(`${name}: U(±${limit.toFixed(4)})`, () => {
      const s = stats(sample(name));
      expect(s.min).toBeGreaterThanOrEqual(-limit);
      expect(s.max).toBeLessThanOrEqual(limit);
      expect(s.max).toBeGreaterThan(0.99 * limit);
      expect(Math.abs(s.mean)).toBeLessThan(0.01 * limit);
      expect(s.std).toBeCloseTo(limit / Math.sqrt(3), 3);
    });
  }

  const normal: [string, number, boolean][] = [
    ['glorotNormal', Math.sqrt(2 / (fanIn + fanOut)), true],
    ['heNormal', Math.sqrt(2 / fanIn), true],
    ['lecunNormal', Math.sqrt(1 / fanIn), true],
    ['gaussian', Math.sqrt(1 / fanIn), false],
  ];
  for (const [name, std, truncated] of normal) {
    it(`${name}: std ${std.toFixed(4)}${truncated ? ', truncated' : ''}`, () => {
      const s = stats(sample(name));
      expect(Math.abs(s.mean)).toBeLessThan(0.02 * std);
      expect(Math.abs(s.std / std - 1)).toBeLessThan(0.01);
      const bound = (2 * std) / 0.87962566103423978;
      if (truncated) expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(bound);
      else expect(Math.max(-s.min, s.max)).toBeGreaterThan(bound);
    });
  }

  it('randomUniform, randomNormal, truncatedNormal with options and Keras defaults', () => {
    const u = stats(sample({ type: 'randomUniform', minval: 1, maxval: 3 }));
    expect(u.min).toBeGreaterThanOrEqual(1);
    expect(u.max).toBeLessThan(3);
    expect(u.mean).toBeCloseTo(2, 2);
    const d = stats(sample('randomUniform'));
    expect(d.min).toBeGreaterThanOrEqual(-0.05);
    expect(d.max).toBeLessThan(0.05);
    const n = stats(sample({ type: 'randomNormal', mean: 0.5, stddev: 0.2 }));
    expect(n.mean).toBeCloseTo(0.5, 2);
    expect(n.std).toBeCloseTo(0.2, 2);
    const t = stats(sample({ type: 'truncatedNormal', stddev: 1 }));
    expect(t.max).toBeLessThanOrEqual(2);
    expect(t.min).toBeGreaterThanOrEqual(-2);
  });

  it('orthogonal gives orthonormal rows or columns (times the gain)', () => {
    const check = (rows: number, cols: number, gain = 1) => {
      const w = createInitializer(gain === 1 ? 'orthogonal' : { type: 'orthogonal', gain }).sample(
        [rows, cols],
        new nn.Random(3),
      );
      const n = Math.min(rows, cols);
      // Gram matrix of the short side's vectors.
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          let dot = 0;
          for (let k = 0; k < Math.max(rows, cols); k++) {
            dot += rows >= cols ? w[k * cols + a]! * w[k * cols + b]! : w[a * cols + k]! * w[b * cols + k]!;
          }
          expect(dot).toBeCloseTo(a === b ? gain * gain : 0, 10);
        }
      }
    };
    check(8, 8);
    check(12, 5);
    check(4, 16);
    check(6, 6, 2);
    const a = sample('orthogonal', [5, 5]);
    const b = createInitializer('orthogonal').sample([5, 5], new nn.Random(1));
    expect([...a]).toEqual([...b]);
  });

  it('normalises specs and refuses bad options', () => {
    expect(createInitializer({ type: 'constant', value: 0 }).config).toBe('constant');
    expect(createInitializer({ type: 'constant', value: 2 }).config).toEqual({ type: 'constant', value: 2 });
    expect(() => createInitializer({ type: 'randomNormal', stddev: -1 })).toThrow(
      /stddev: expected a number in \(0/,
    );
    expect(() => createInitializer({ type: 'orthogonal', scale: 1 })).toThrow(/unknown option "scale".*gain/);
  });

  it('defaults as Keras: glorotUniform kernels, zero biases, orthogonal recurrent kernels, LSTM forget bias 1', async () => {
    const model = Sequential.fromSpec(
      {
        layers: [
          { type: 'lstm', units: 4 },
          { type: 'dense', units: 3 },
        ],
        inputShape: [5, 6],
      },
      { seed: 4 },
    );
    const w = await model.getWeightValues();
    expect([...w.get('lstm_1/bias')!]).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...w.get('dense_1/bias')!]).toEqual([0, 0, 0]);
    const limit = Math.sqrt(6 / (4 + 3));
    expect(Math.max(...w.get('dense_1/kernel')!.map(Math.abs))).toBeLessThanOrEqual(limit);
    const u = w.get('lstm_1/recurrentKernel')!; // [4, 16]: orthonormal rows
    let dot = 0;
    for (let k = 0; k < 16; k++) dot += u[k]! * u[16 + k]!;
    expect(dot).toBeCloseTo(0, 5);
    model.dispose();
  });
});
