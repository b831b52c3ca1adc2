/**
 * The WebGPU backend's fused batch normalization (kernels/batch-norm.ts) against the CPU
 * backend: output, batch statistics and the gradients of x, γ and β within float32 tolerance,
 * on shapes that span several row chunks and channel groups, with and without γ and β; it is
 * really the fused path that ran (the composed one is tested by the layer tests); and
 * non-dense views are declined so the engine composes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import type { Backend } from '../../../core/engine/index.js';
import { batchNormTraining } from '../../../core/engine/ops/batch-norm.js';
import { mismatch, openBackend, rng } from './support.js';

const gpu = await openBackend('batch-norm.test.ts');
afterAll(() => gpu?.destroy());
const cpu = nn.createCpuBackend();

function values(n: number, seed: number, scale: number, shift: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => (next() * 2 - 1) * scale + shift);
}

interface Outcome {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  grads: Float32Array[];
}

async function run(
  backend: Backend,
  shape: number[],
  withGamma: boolean,
  withBeta: boolean,
  activation: 'linear' | 'relu' = 'linear',
): Promise<Outcome> {
  const size = shape.reduce((a, b) => a * b, 1);
  const channels = shape[shape.length - 1]!;
  const statShape = shape.map((d, i) => (i === shape.length - 1 ? d : 1));
  const axes = shape.slice(0, -1).map((_, i) => i);
  const tensors = nn.withBackend(backend, () =>
    nn.tidy(() => {
      const x = nn.tensor(values(size, 1, 3, 1.5), shape).requireGrad();
      const gamma = withGamma ? nn.tensor(values(channels, 2, 0.5, 1), statShape).requireGrad() : null;
      const beta = withBeta ? nn.tensor(values(channels, 3, 1, 0), statShape).requireGrad() : null;
      const weights = nn.tensor(values(size, 4, 1, 0), shape);
      const out = batchNormTraining(x, axes, gamma, beta, 1e-3, activation);
      const params = [x, gamma, beta].filter((t): t is nn.Tensor => t !== null);
      const grads = nn.grad(nn.sum(nn.mul(out.y, weights)), params);
      return [out.y, out.mean, out.variance, ...grads.map((g) => g!)];
    }),
  );
  const data = await Promise.all(tensors.map(async (t) => Float32Array.from(await t.data())));
  nn.dispose(tensors);
  const [y, mean, variance, ...grads] = data;
  return { y: y!, mean: mean!, variance: variance!, grads };
}

const cases: [string, number[], boolean, boolean][] = [
  ['NHWC [3, 20, 20, 5]: 1,200 rows in 5 chunks, γ and β', [3, 20, 20, 5], true, true],
  ['dense [300, 70]: two channel groups, γ only', [300, 70], true, false],
  ['dense [64, 32], β only', [64, 32], false, true],
  ['dense [7, 3], neither', [7, 3], false, false],
];

describe.skipIf(!gpu)('fused batch normalization on the WebGPU backend', () => {
  it.each(cases)('%s: matches the CPU', async (label, shape, withGamma, withBeta) => {
    const onGpu = await run(gpu!, shape, withGamma, withBeta);
    const onCpu = await run(cpu, shape, withGamma, withBeta);
    // y is unit-scale by construction; near its zeros x − μ cancels, so the error is absolute
    // (an ulp of x), hence the floor of 1.
    expect(mismatch(onGpu.y, onCpu.y, 1e-4, 1), `${label} y`).toBeNull();
    expect(mismatch(onGpu.mean, onCpu.mean), `${label} mean`).toBeNull();
    expect(mismatch(onGpu.variance, onCpu.variance), `${label} variance`).toBeNull();
    expect(onGpu.grads.length).toBe(onCpu.grads.length);
    // Gradients sum products over the rows: a looser bound than one rounding.
    onGpu.grads.forEach((g, i) =>
      expect(mismatch(g, onCpu.grads[i]!, 1e-3, 1e-2), `${label} grad ${i}`).toBeNull(),
    );
  });

  it.each(cases)(
    '%s, followed by a relu (fused on the GPU too): matches the CPU',
    async (label, shape, g, b) => {
      const onGpu = await run(gpu!, shape, g, b, 'relu');
      const onCpu = await run(cpu, shape, g, b, 'relu');
      expect(mismatch(onGpu.y, onCpu.y, 1e-4, 1), `${label} y`).toBeNull();
      onGpu.grads.forEach((grad, i) =>
        expect(mismatch(grad, onCpu.grads[i]!, 1e-3, 1e-2), `${label} relu grad ${i}`).toBeNull(),
      );
      expect(onGpu.y.filter((v) => v === 0).length).toBeGreaterThan(onGpu.y.length / 4);
    },
  );

  it('runs the fused kernels (and declines non-dense views)', () => {
    const backend = gpu!;
    nn.withBackend(backend, () =>
      nn.tidy(() => {
        const x = nn.tensor(values(24, 5, 1, 0), [6, 4]);
        const out = backend.batchNormTraining!(x.view(), null, null, 1e-3);
        expect(out).not.toBeNull();
        for (const storage of Object.values(out!)) backend.release(storage);
        expect(backend.batchNormTraining!(nn.transpose(x).view(), null, null, 1e-3)).toBeNull();
      }),
    );
  });

  it('keeps the GPU live-storage count flat', async () => {
    const shape = [4, 6, 6, 8];
    await run(gpu!, shape, true, true);
    const before = gpu!.memory().liveStorages;
    for (let i = 0; i < 3; i++) await run(gpu!, shape, true, true);
    expect(gpu!.memory().liveStorages).toBe(before);
  });
});
