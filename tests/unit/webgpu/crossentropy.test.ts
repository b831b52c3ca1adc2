/**
 * The fused softmax cross-entropy kernels on the WebGPU backend beyond their op-table rows
 * (forward and float32 gradients against the CPU, in op-table.test.ts): NaN rows and
 * out-of-range labels give NaN exactly where the CPU backend gives it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import type { Backend } from '../../../core/engine/index.js';
import { mismatch, openBackend } from './support.js';

const gpu = await openBackend('crossentropy.test.ts');
afterAll(() => gpu?.destroy());
const cpu = nn.createCpuBackend();

describe.skipIf(!gpu)('softmax cross-entropy on the WebGPU backend', () => {
  it('gives NaN for out-of-range labels and for rows holding NaN, like the CPU', async () => {
    const logits = [
      [1, 2, 3],
      [0, 0, 0],
      [1, NaN, 0],
      [5, -1, 2],
    ];
    const labels = Int32Array.from([2, 3, 0, -1]);
    const run = (backend: Backend) =>
      nn.withBackend(backend, () =>
        nn.tidy(() => {
          const x = nn.tensor(logits).requireGrad();
          const loss = nn.sparseSoftmaxCrossEntropy(x, nn.tensor(labels));
          const [g] = nn.grad(nn.sum(loss), [x]);
          return [loss, g!];
        }),
      );
    const [gpuLoss, gpuGrad] = run(gpu!);
    const [cpuLoss, cpuGrad] = run(cpu);
    const got = await gpuLoss!.data();
    expect(Number.isNaN(got[0])).toBe(false);
    expect([1, 2, 3].every((i) => Number.isNaN(got[i]))).toBe(true);
    expect(mismatch(got, cpuLoss!.dataSync())).toBeNull();
    expect(mismatch(await gpuGrad!.data(), cpuGrad!.dataSync())).toBeNull();
    nn.dispose([gpuLoss, gpuGrad, cpuLoss, cpuGrad]);
  });
});
