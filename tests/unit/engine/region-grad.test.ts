/**
 * Gradients through slices accumulate in place (RegionGrad): many slices of one tensor —
 * overlapping, strided, mixed with dense uses before and after, and the T per-step slices an
 * RNN takes — give exactly the gradient a hand-derived reference gives, in float64; the
 * accumulation leaves no tensor behind; and the fused LSTM and GRU cells match the composed ones.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';

function values(n: number, seed: number): Float64Array {
  const rng = new nn.Random(seed);
  return Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
}

describe('gradients through slices', () => {
  it('adds overlapping, strided and dense uses of one tensor correctly (float64, exact)', () => {
    nn.tidy(() => {
      const data = values(6 * 5, 1);
      const x = nn.tensor(data, [6, 5], 'float64').requireGrad();
      const w1 = nn.tensor(values(3 * 5, 2), [3, 5], 'float64');
      const w2 = nn.tensor(values(4 * 2, 3), [4, 2], 'float64');
      const w3 = nn.tensor(values(6 * 5, 4), [6, 5], 'float64');
      // Dense use first, then overlapping slices, a slice of a transposed view, then dense again.
      const loss = nn.add(
        nn.add(nn.sum(nn.mul(x, w3)), nn.sum(nn.mul(nn.slice(x, [0, 0], [3, 5]), w1))),
        nn.add(
          nn.sum(nn.mul(nn.slice(x, [2, 1], [4, 2]), w2)),
          nn.add(nn.sum(nn.slice(nn.transpose(x), [1, 0], [2, 6])), nn.sum(nn.square(x))),
        ),
      );
      const [g] = nn.grad(loss, [x]);
      const expected = new Float64Array(30);
      const w1d = w1.dataSync();
      const w2d = w2.dataSync();
      const w3d = w3.dataSync();
      for (let r = 0; r < 6; r++) {
        for (let c = 0; c < 5; c++) {
          const i = r * 5 + c;
          expected[i] = w3d[i]! + 2 * data[i]!;
          if (r < 3) expected[i]! += w1d[r * 5 + c]!;
          if (r >= 2 && c >= 1 && c < 3) expected[i]! += w2d[(r - 2) * 2 + (c - 1)]!;
          if (c >= 1 && c < 3) expected[i]! += 1; // rows 1..2 of xᵀ are columns 1..2 of x
        }
      }
      const got = g!.dataSync();
      for (let i = 0; i < 30; i++) expect(got[i]).toBeCloseTo(expected[i]!, 12);
    });
  });

  it('gives each of T time-step slices its gradient, with no tensor left behind', () => {
    const before = nn.memory().liveTensors;
    nn.tidy(() => {
      const T = 9;
      const x = nn.tensor(values(T * 4 * 3, 5), [T, 4, 3], 'float64').requireGrad();
      const steps = nn.split(x, T, 0);
      let h = nn.zeros([1, 4, 3], 'float64');
      for (const [t, s] of steps.entries()) h = nn.add(nn.mul(h, 0.5), nn.mul(s, t + 1));
      const [g] = nn.grad(nn.sum(h), [x]);
      // ∂/∂x_t = (t + 1)·0.5^(T−1−t), the same for every element of the step.
      const got = g!.dataSync();
      for (let t = 0; t < T; t++) {
        for (let k = 0; k < 12; k++) expect(got[t * 12 + k]).toBeCloseTo((t + 1) * 0.5 ** (T - 1 - t), 12);
      }
    });
    expect(nn.memory().liveTensors).toBe(before);
  });
});

describe('lstmCell', () => {
  const B = 3;
  const U = 5;
  const run = () =>
    nn.tidy(() => {
      const z = nn
        .tensor(
          Float32Array.from(values(B * 4 * U, 7), (v) => 3 * v),
          [B, 4 * U],
        )
        .requireGrad();
      const c = nn.tensor(Float32Array.from(values(B * U, 8)), [B, U]).requireGrad();
      const w = nn.tensor(Float32Array.from(values(B * 2 * U, 9)), [B, 2 * U]);
      const out = nn.lstmCell(z, c);
      const [dz, dc] = nn.grad(nn.sum(nn.mul(out, w)), [z, c]);
      return [out, dz!, dc!].map((t) => Float32Array.from(t.dataSync()));
    });

  it('the fused CPU kernel matches the composed ops (values and gradients)', () => {
    const fused = run();
    const backend = nn.getBackend() as unknown as Record<string, unknown>;
    backend.lstmCell = undefined;
    let composed: Float32Array[];
    try {
      composed = run();
    } finally {
      delete backend.lstmCell;
    }
    fused.forEach((a, k) => {
      const b = composed[k]!;
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(b[i]!)));
    });
  });

  it('refuses gates and state of mismatched shapes, naming them', () => {
    expect(() => nn.lstmCell(nn.zeros([2, 8]), nn.zeros([2, 3]))).toThrow(
      /lstmCell: gates \[2,8\] and state \[2,3\]/,
    );
  });
});

describe('gruCell', () => {
  const B = 4;
  const U = 6;
  const run = () =>
    nn.tidy(() => {
      const x = nn
        .tensor(
          Float32Array.from(values(B * 3 * U, 10), (v) => 3 * v),
          [B, 3 * U],
        )
        .requireGrad();
      const rec = nn
        .tensor(
          Float32Array.from(values(B * 3 * U, 11), (v) => 2 * v),
          [B, 3 * U],
        )
        .requireGrad();
      const h = nn.tensor(Float32Array.from(values(B * U, 12)), [B, U]).requireGrad();
      const w = nn.tensor(Float32Array.from(values(B * U, 13)), [B, U]);
      const out = nn.gruCell(x, rec, h);
      const grads = nn.grad(nn.sum(nn.mul(out, w)), [x, rec, h]);
      return [out, ...grads.map((g) => g!)].map((t) => Float32Array.from(t.dataSync()));
    });

  it('the fused CPU kernel matches the composed ops (values and gradients)', () => {
    const fused = run();
    const backend = nn.getBackend() as unknown as Record<string, unknown>;
    backend.gruCell = undefined;
    let composed: Float32Array[];
    try {
      composed = run();
    } finally {
      delete backend.gruCell;
    }
    fused.forEach((a, k) => {
      const b = composed[k]!;
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(b[i]!)));
    });
  });

  it('refuses inputs of mismatched shapes, naming them', () => {
    expect(() => nn.gruCell(nn.zeros([2, 9]), nn.zeros([2, 6]), nn.zeros([2, 3]))).toThrow(
      /gruCell: input \[2,9\], recurrent \[2,6\] and state \[2,3\]/,
    );
  });
});
