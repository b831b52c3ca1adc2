/**
 * Same seed, config and data → the same training on the CPU and the GPU: 100 steps of fit()
 * with Adam give loss trajectories that agree within float32 tolerance. Initial weights,
 * shuffling and dropout masks are all drawn on the host from seeded generators (see
 * nn/layers/core.ts, Dropout), so both backends see identical randomness; what differs is
 * only the order of float32 rounding inside the kernels. Step losses must agree to 1e-4
 * relative; final weights to 1e-2 (Adam divides by √v, which magnifies rounding in weights
 * whose gradients are small; measured ≈1e-3).
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import type { Backend } from '../../../core/engine/index.js';
import type { LayerSpec } from '../../../core/engine/nn/layer.js';
import { Sequential } from '../../../core/engine/nn/sequential.js';
import { fit } from '../../../core/engine/train/index.js';
import { openBackend } from '../../unit/webgpu/support.js';

const gpu = await openBackend('trajectory.test.ts');
const cpu = nn.createCpuBackend();
afterAll(() => gpu?.destroy());

const FEATURES = 13;
const CLASSES = 5;
const SAMPLES = 320;
const BATCH = 32;
/** 10 steps per epoch × 10 epochs. */
const EPOCHS = 10;

/** Seeded inputs and labels from a fixed random linear teacher, so the loss can fall. */
function teacherData(seed: number): { x: Float32Array; y: Int32Array } {
  const rng = new nn.Random(seed);
  const teacher = Float64Array.from({ length: FEATURES * CLASSES }, () => rng.normal(0, 1));
  const x = Float32Array.from({ length: SAMPLES * FEATURES }, () => rng.normal(0, 1));
  const y = new Int32Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < CLASSES; c++) {
      let score = 0;
      for (let f = 0; f < FEATURES; f++) score += x[i * FEATURES + f]! * teacher[f * CLASSES + c]!;
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    y[i] = best;
  }
  return { x, y };
}

interface Trajectory {
  losses: number[];
  weights: Map<string, Float32Array>;
}

/** Trains a fresh model (seed 11) on `backend` for 100 steps; the step losses and final weights. */
async function train(backend: Backend, layers: LayerSpec[]): Promise<Trajectory> {
  const data = teacherData(5);
  const previous = nn.getBackend();
  nn.setBackend(backend);
  const model = Sequential.fromSpec({ layers, inputShape: [FEATURES] }, { seed: 11 });
  const x = nn.tensor(data.x, [SAMPLES, FEATURES]);
  const y = nn.tensor(data.y, [SAMPLES], 'int32');
  try {
    const history = await fit(model, x, y, {
      loss: { name: 'sparse_categorical_crossentropy', fromLogits: true },
      optimizer: { type: 'adam', learningRate: 0.01 },
      epochs: EPOCHS,
      batchSize: BATCH,
      seed: 3,
      health: false,
    });
    expect(history.stopReason).toBe('completed');
    return { losses: history.stepLosses, weights: await model.getWeightValues() };
  } finally {
    nn.dispose([x, y, model.namedWeights().map((w) => w.value)]);
    nn.setBackend(previous);
  }
}

/** Largest |a − b| / max(|b|, 1e-3) over two series. */
function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-3));
  }
  return worst;
}

function compare(name: string, onGpu: Trajectory, onCpu: Trajectory) {
  expect(onGpu.losses).toHaveLength(100);
  expect(onCpu.losses).toHaveLength(100);
  // The run must learn, or agreeing trajectories would prove little.
  expect(onCpu.losses[99]!).toBeLessThan(onCpu.losses[0]! * 0.6);
  const lossDifference = maxRelativeDifference(onGpu.losses, onCpu.losses);
  let weightDifference = 0;
  for (const [key, value] of onCpu.weights) {
    const got = onGpu.weights.get(key);
    expect(got, `${name}: weight ${key} missing on the GPU`).toBeDefined();
    weightDifference = Math.max(weightDifference, maxRelativeDifference(got!, value));
  }
  console.log(
    `[trajectory] ${name}: loss ${onCpu.losses[0]!.toFixed(4)} → ${onCpu.losses[99]!.toFixed(4)}; ` +
      `largest relative GPU/CPU difference: losses ${lossDifference.toExponential(2)}, ` +
      `final weights ${weightDifference.toExponential(2)}`,
  );
  return { lossDifference, weightDifference };
}

describe.skipIf(!gpu)('CPU and GPU train alike', () => {
  it('an MLP (relu, tanh) with Adam: 100 step losses match', async () => {
    const layers: LayerSpec[] = [
      { type: 'dense', units: 33, activation: 'relu' },
      { type: 'dense', units: 17, activation: 'tanh' },
      { type: 'dense', units: CLASSES },
    ];
    const { lossDifference, weightDifference } = compare(
      'MLP',
      await train(gpu!, layers),
      await train(cpu, layers),
    );
    expect(lossDifference).toBeLessThan(1e-4);
    expect(weightDifference).toBeLessThan(1e-2);
  });

  it('with batchNormalization and dropout: 100 step losses match', async () => {
    const layers: LayerSpec[] = [
      // No bias before batch normalization: its true gradient is zero, so Adam would turn each
      // backend's float32 noise into full-size steps of random sign and the biases would differ.
      { type: 'dense', units: 24, useBias: false },
      { type: 'batchNormalization' },
      { type: 'activation', activation: 'relu' },
      { type: 'dropout', rate: 0.25 },
      { type: 'dense', units: CLASSES },
    ];
    const { lossDifference, weightDifference } = compare(
      'batchNormalization + dropout',
      await train(gpu!, layers),
      await train(cpu, layers),
    );
    expect(lossDifference).toBeLessThan(1e-4);
    expect(weightDifference).toBeLessThan(1e-2);
  });
});
