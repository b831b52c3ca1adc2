/**
 * The fused Adam/AdamW step, native (when built) and TypeScript, against a float64 reference
 * of Backend.adamUpdate's rule, one step at a time from the kernel's own state.
 *
 * Error bound: the native kernel computes in float32, a handful of roundings per element, so
 * each output is within 8·u·(sum of the magnitudes of its terms) of the exact value
 * (u = 2⁻²⁴); the TypeScript kernel computes in float64 and rounds once on store. Lengths
 * 1, 7, 13 and 1003 cover the vector body and the scalar tail.
 */
import { describe, expect, it } from 'vitest';
import {
  adamUpdate,
  adamUpdateNative,
  adamUpdateTypescript,
  type AdamFn,
} from '../../../core/engine/backends/cpu/adam.js';

const U32 = 2 ** -24;

function random(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 31 - 1;
  };
}

interface Hyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  wd: number;
}

function runSteps<T extends Float32Array | Float64Array>(
  kernel: AdamFn<T>,
  Ctor: { new (n: number): T },
  n: number,
  h: Hyper,
  u: number,
): void {
  const next = random(n + 17);
  const p = new Ctor(n).map(() => next()) as T;
  const m = new Ctor(n);
  const v = new Ctor(n);
  for (let step = 1; step <= 5; step++) {
    const g = new Ctor(n).map(() => next() * 0.1) as T;
    if (step === 3 && n > 2) g[1] = 0; // a zero gradient: v may decay towards 0
    const [p0, m0, v0] = [Float64Array.from(p), Float64Array.from(m), Float64Array.from(v)];
    kernel(p, g, m, v, h.lr, h.beta1, h.beta2, h.eps, step, h.wd);
    const stepSize = h.lr / (1 - h.beta1 ** step);
    const invSqrtC2 = 1 / Math.sqrt(1 - h.beta2 ** step);
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      const mi = h.beta1 * m0[i]! + (1 - h.beta1) * gi;
      const vi = h.beta2 * v0[i]! + (1 - h.beta2) * gi * gi;
      const delta = (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + h.eps);
      const pi = p0[i]! * (1 - h.lr * h.wd) - delta;
      const within = (got: number, want: number, scale: number, what: string) => {
        if (!(Math.abs(got - want) <= 8 * u * scale)) {
          throw new Error(
            `step ${step}, ${what}[${i}] = ${got}, expected ${want} (n ${n}, ${JSON.stringify(h)})`,
          );
        }
      };
      within(m[i]!, mi, Math.abs(h.beta1 * m0[i]!) + Math.abs((1 - h.beta1) * gi), 'm');
      within(v[i]!, vi, Math.abs(h.beta2 * v0[i]!) + (1 - h.beta2) * gi * gi, 'v');
      within(p[i]!, pi, Math.abs(p0[i]!) + Math.abs(delta), 'p');
    }
  }
}

const hypers: Hyper[] = [
  { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7, wd: 0 },
  { lr: 3e-2, beta1: 0.8, beta2: 0.99, eps: 1e-8, wd: 0.01 },
];
const lengths = [1, 7, 13, 1003];

const implementations: [string, AdamFn<Float32Array> | null][] = [
  ['native', adamUpdateNative],
  ['typescript', adamUpdateTypescript],
  ['dispatching', adamUpdate],
];

for (const [label, impl] of implementations) {
  describe.skipIf(impl === null)(`adamUpdate float32 (${label})`, () => {
    for (const h of hypers) {
      it.each(lengths)(`length %i, ${JSON.stringify(h)}`, (n) => runSteps(impl!, Float32Array, n, h, U32));
    }

    it('rejects mismatched lengths and bad steps', () => {
      const a = new Float32Array(4);
      expect(() =>
        impl!(a, new Float32Array(3), new Float32Array(4), new Float32Array(4), 1e-3, 0.9, 0.999, 1e-7, 1),
      ).toThrow(RangeError);
      expect(() => impl!(a, a.slice(), a.slice(), a.slice(), 1e-3, 0.9, 0.999, 1e-7, 0)).toThrow(RangeError);
      expect(() => impl!(a, a.slice(), a.slice(), a.slice(), 1e-3, 0.9, 0.999, 1e-7, 1.5)).toThrow(
        RangeError,
      );
    });
  });
}

describe('adamUpdate float64 (TypeScript)', () => {
  for (const h of hypers) {
    it.each(lengths)(`length %i, ${JSON.stringify(h)}`, (n) =>
      runSteps(adamUpdate, Float64Array, n, h, 2 ** -53),
    );
  }
});
