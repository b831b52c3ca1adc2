/**
 * The WebGPU backend's fused batch normalization: which programs of kernels/batch-norm.ts run
 * in what order, with which temporaries. Kept out of webgpu-backend.ts, which hands it the few
 * backend services it needs as a KernelHost.
 */
import type { BatchNormGrads, BatchNormOutputs, View } from '../backend.js';
import { contiguousLayout, isContiguous, sizeOf } from '../../tensor/layout.js';
import {
  applyProgram,
  chunking,
  gradApplyProgram,
  gradFinalizeProgram,
  meanProgram,
  partialsProgram,
  varianceProgram,
} from './kernels/batch-norm.js';
import type { KernelHost } from './kernel-host.js';
import type { GPUStorage } from './storage.js';

/** Rows and channels when every view is dense float32 and x has a batch axis; else null. */
function geometry(x: View, views: readonly View[]) {
  const shape = x.layout.shape;
  const channels = shape[shape.length - 1] ?? 0;
  const size = sizeOf(shape);
  const dense = views.every((v) => v.storage.dtype === 'float32' && isContiguous(v.layout));
  if (!dense || shape.length < 2 || channels === 0 || size === 0) return null;
  return { size, rows: size / channels, channels };
}

function vectorView(storage: GPUStorage, n: number): View {
  return { storage, layout: contiguousLayout([n]) };
}

/** Backend.batchNormTraining: five dispatches (see kernels/batch-norm.ts); `relu` in the last. */
export function batchNormForward(
  host: KernelHost,
  x: View,
  gamma: View | null,
  beta: View | null,
  epsilon: number,
  relu = false,
): BatchNormOutputs | null {
  const views = [x, gamma, beta].filter((v): v is View => v !== null);
  const g = geometry(x, views);
  if (!g) return null;
  host.check(...views);
  const { size, rows, channels } = g;
  const op = 'batchNormTraining';
  const y = host.allocate(op, size, 'float32');
  const mean = host.allocate(op, channels, 'float32');
  const variance = host.allocate(op, channels, 'float32');
  const made = [y, mean, variance];
  const partial = host.allocate(op, chunking(rows).chunks * channels, 'float32');
  const factor = host.allocate(op, channels, 'float32');
  try {
    host.run(partialsProgram('sum', x, rows, channels, partial), ...made);
    host.run(meanProgram(partial, rows, channels, mean), ...made);
    host.run(
      partialsProgram('centered-square', x, rows, channels, partial, vectorView(mean, channels)),
      ...made,
    );
    host.run(varianceProgram(partial, rows, channels, epsilon, gamma, variance, factor), ...made);
    host.run(applyProgram(x, mean, factor, beta, size, channels, y, relu), ...made);
  } finally {
    host.release(partial);
    host.release(factor);
  }
  return { y, mean, variance };
}

/**
 * Backend.batchNormTrainingGrad: three dispatches; with `relu`, dy is masked by step of the
 * pre-relu value, recomputed in the partial and apply passes.
 */
export function batchNormBackward(
  host: KernelHost,
  dy: View,
  x: View,
  mean: View,
  variance: View,
  gamma: View | null,
  epsilon: number,
  beta: View | null = null,
  relu = false,
): BatchNormGrads | null {
  const views = [dy, x, mean, variance, gamma, beta].filter((v): v is View => v !== null);
  const g = geometry(x, views);
  if (!g || sizeOf(dy.layout.shape) !== g.size) return null;
  host.check(...views);
  const { size, rows, channels } = g;
  const op = 'batchNormTrainingGrad';
  const dx = host.allocate(op, size, 'float32');
  const dGamma = host.allocate(op, channels, 'float32');
  const dBeta = host.allocate(op, channels, 'float32');
  const made = [dx, dGamma, dBeta];
  const partial = host.allocate(op, 2 * chunking(rows).chunks * channels, 'float32');
  const coefficients = host.allocate(op, 3 * channels, 'float32');
  try {
    const mask = relu ? { variance, gamma, beta, epsilon } : undefined;
    host.run(partialsProgram('grad', x, rows, channels, partial, mean, dy, mask), ...made);
    host.run(
      gradFinalizeProgram(partial, variance, gamma, rows, channels, epsilon, dGamma, dBeta, coefficients),
      ...made,
    );
    host.run(
      gradApplyProgram(dy, x, mean, coefficients, size, channels, dx, relu ? { beta } : null),
      ...made,
    );
  } finally {
    host.release(partial);
    host.release(coefficients);
  }
  return { dx, dGamma, dBeta };
}
