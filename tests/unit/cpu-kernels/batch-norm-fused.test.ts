/**
 * The CPU backend's fused batch normalization (native/src/batch_norm.cc) against the composed
 * ops it replaces (ops/batch-norm.ts, gradient-checked in float64 elsewhere): output, batch
 * statistics and every gradient bit for bit, with and without γ and β, on dense and NHWC
 * shapes whose channel counts are off the vector width — and the fallbacks: a declined
 * gradient kernel composes from the saved statistics, float64 never takes the fused path.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { batchNormTraining } from '../../../core/engine/ops/batch-norm.js';
import { loadNativeKernels } from '../../../core/engine/backends/cpu/native-loader.js';

const native = loadNativeKernels();

/** Seeded values in [shift − scale, shift + scale). */
function data(shape: number[], seed: number, scale: number, shift: number): nn.Tensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    values[i] = ((s >>> 0) / 2 ** 31 - 1) * scale + shift;
  }
  return nn.tensor(values, shape);
}

interface Outcome {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array | null;
  dBeta: Float32Array | null;
}

function run(
  shape: number[],
  withGamma: boolean,
  withBeta: boolean,
  seed: number,
  activation: 'linear' | 'relu' = 'linear',
): Outcome {
  return nn.tidy(() => {
    const channels = shape[shape.length - 1]!;
    const statShape = shape.map((d, i) => (i === shape.length - 1 ? d : 1));
    const axes = shape.slice(0, -1).map((_, i) => i);
    // Mean and variance far from 0 and 1.
    const x = nn.variable(data(shape, seed, 3, 1.5));
    const gamma = withGamma ? nn.variable(data(statShape, seed + 1, 0.5, 1)) : null;
    const beta = withBeta ? nn.variable(data(statShape, seed + 2, 1, 0)) : null;
    const weights = data(shape, seed + 3, 1, 0);
    let stats: { mean: Float32Array; variance: Float32Array; shape: readonly number[] } | undefined;
    const params = [x, gamma, beta].filter((t): t is nn.Tensor => t !== null);
    const { grads } = nn.valueAndGrad(() => {
      const out = batchNormTraining(x, axes, gamma, beta, 1e-3, activation);
      stats = {
        mean: Float32Array.from(out.mean.dataSync()),
        variance: Float32Array.from(out.variance.dataSync()),
        shape: out.mean.shape,
      };
      return nn.sum(nn.mul(out.y, weights));
    }, params);
    const y = nn.noGrad(() => batchNormTraining(x, axes, gamma, beta, 1e-3, activation).y);
    expect(stats!.shape).toEqual(statShape);
    expect(channels).toBeGreaterThan(0);
    const f32 = (t: nn.Tensor) => Float32Array.from(t.dataSync());
    const outcome = {
      y: f32(y),
      mean: stats!.mean,
      variance: stats!.variance,
      dx: f32(grads[0]!),
      dGamma: gamma ? f32(grads[1]!) : null,
      dBeta: beta ? f32(grads[gamma ? 2 : 1]!) : null,
    };
    for (const p of params) p.dispose(); // variables are kept past tidy
    return outcome;
  });
}

type Hidden = 'batchNormTraining' | 'batchNormTrainingGrad';

/** Runs `fn` with some of the backend's fused kernels hidden. */
function hiding<T>(names: Hidden[], fn: () => T): T {
  const backend = nn.getBackend() as unknown as Record<Hidden, unknown>;
  for (const name of names) backend[name] = undefined;
  try {
    return fn();
  } finally {
    for (const name of names) delete backend[name];
  }
}

function expectSameBits(actual: Outcome, expected: Outcome, label: string) {
  for (const key of Object.keys(expected) as (keyof Outcome)[]) {
    const a = actual[key];
    const e = expected[key];
    if (e === null) {
      expect(a, `${label} ${key}`).toBeNull();
      continue;
    }
    const at = e.findIndex((v, i) => !Object.is(v, a![i]));
    expect(at, `${label} ${key}: first difference at ${at} (${e[at]} vs ${a?.[at]})`).toBe(-1);
  }
}

const cases: [string, number[], boolean, boolean][] = [
  ['dense [64, 37], γ and β', [64, 37], true, true],
  ['NHWC [4, 7, 5, 19], γ and β', [4, 7, 5, 19], true, true],
  ['NHWC [3, 6, 6, 32], γ only', [3, 6, 6, 32], true, false],
  ['dense [50, 8], β only', [50, 8], false, true],
  ['dense [9, 3], neither', [9, 3], false, false],
];

describe.skipIf(native === null)('fused batch normalization (CPU, native)', () => {
  afterEach(() => {
    // A failing test must not leave a kernel hidden for the next.
    const backend = nn.getBackend() as unknown as Record<string, unknown>;
    delete backend.batchNormTraining;
    delete backend.batchNormTrainingGrad;
  });

  it('is what the CPU backend uses for float32', () => {
    const backend = nn.getBackend();
    expect(typeof backend.batchNormTraining).toBe('function');
    const out = nn.tidy(() => {
      const result = backend.batchNormTraining!(data([8, 4], 1, 1, 0).view(), null, null, 1e-3);
      if (result) for (const storage of Object.values(result)) backend.release(storage);
      return result !== null;
    });
    expect(out).toBe(true);
  });

  it.each(cases)('%s: bit-identical to the composed ops', (label, shape, withGamma, withBeta) => {
    const fused = run(shape, withGamma, withBeta, shape.length * 13 + shape[0]!);
    const composed = hiding(['batchNormTraining', 'batchNormTrainingGrad'], () =>
      run(shape, withGamma, withBeta, shape.length * 13 + shape[0]!),
    );
    expectSameBits(fused, composed, label);
  });

  it.each(cases)(
    '%s, followed by a relu: fused bit-identical to batch norm then the relu op',
    (label, shape, g, b) => {
      const seed = shape.length * 13 + shape[0]! + 1;
      const fused = run(shape, g, b, seed, 'relu');
      // Hiding the fused kernels makes the op compose batch norm and then call relu.
      const composed = hiding(['batchNormTraining', 'batchNormTrainingGrad'], () =>
        run(shape, g, b, seed, 'relu'),
      );
      expectSameBits(fused, composed, `${label} + relu`);
      // And the relu really zeroed something (inputs centred on 0 give about half negative).
      expect(fused.y.filter((v) => v === 0).length).toBeGreaterThan(fused.y.length / 4);
    },
  );

  it('composes the relu backward when the gradient kernel declines', () => {
    const shape = [4, 7, 5, 19];
    const full = run(shape, true, true, 9, 'relu');
    const declined = hiding(['batchNormTrainingGrad'], () => run(shape, true, true, 9, 'relu'));
    expectSameBits(declined, full, 'declined relu gradient');
  });

  it('composes the backward from the saved statistics when the gradient kernel declines', () => {
    const shape = [4, 7, 5, 19];
    const full = run(shape, true, true, 7);
    const declined = hiding(['batchNormTrainingGrad'], () => run(shape, true, true, 7));
    expectSameBits(declined, full, 'declined gradient');
  });

  it('declines float64 and non-dense views, so those compose', () => {
    const backend = nn.getBackend();
    nn.tidy(() => {
      const x64 = nn.cast(data([6, 4], 3, 1, 0), 'float64');
      expect(backend.batchNormTraining!(x64.view(), null, null, 1e-3)).toBeNull();
      const strided = nn.transpose(data([4, 6], 3, 1, 0));
      expect(backend.batchNormTraining!(strided.view(), null, null, 1e-3)).toBeNull();
    });
  });

  it.each([false, true])(
    'keeps the live-tensor count flat over training steps (composed: %s)',
    (composed) => {
      const shape = [8, 5, 5, 6];
      const step = (i: number) => run(shape, true, true, 11 + i);
      const steps = () => {
        step(0); // warm-up
        const before = nn.memory().liveTensors;
        for (let i = 1; i < 4; i++) step(i);
        return nn.memory().liveTensors - before;
      };
      expect(composed ? hiding(['batchNormTraining', 'batchNormTrainingGrad'], steps) : steps()).toBe(0);
    },
  );
});
