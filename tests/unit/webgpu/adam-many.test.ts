/**
 * Adam on the WebGPU backend updates all parameters of a step in a few dispatches
 * (Backend.adamUpdateMany, four storage buffers per parameter within the adapter's limit),
 * matching the CPU backend's per-parameter kernel over several steps, strided gradients and
 * AdamW's decay included.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { adam, adamw } from '../../../core/engine/optim/index.js';
import { mismatch, openBackend } from './support.js';

const gpu = await openBackend('adam-many.test.ts');
afterAll(() => gpu?.destroy());

const shapes = [[7], [1], [513], [20, 10], [3, 11], [4, 4], [2]];

async function train(
  backend: nn.Backend,
  decay: boolean,
): Promise<{ params: Float32Array[]; dispatches: number }> {
  const rng = new nn.Random(8);
  const draw = (shape: number[]) =>
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1));
  const initial = shapes.map(draw);
  const grads = [0, 1, 2].map(() => shapes.map(draw));
  const previous = nn.getBackend();
  nn.setBackend(backend);
  const params = shapes.map((s, i) => nn.variable(nn.tensor(initial[i]!, s)));
  const optimizer = decay ? adamw({ learningRate: 0.01, weightDecay: 0.1 }) : adam({ learningRate: 0.01 });
  let dispatches = 0;
  try {
    for (const step of grads) {
      const before = backend === gpu ? gpu.memory().dispatches : 0;
      nn.tidy(() => {
        // The [20, 10] gradient arrives as a transposed view, as a matmul's gradient may.
        const g = step.map((values, i) =>
          shapes[i]!.length === 2 && shapes[i]![0] === 20
            ? nn.transpose(nn.tensor(values, [10, 20]))
            : nn.tensor(values, shapes[i]!),
        );
        optimizer.applyGradients(g.map((grad, i) => ({ grad, param: params[i]! })));
      });
      if (backend === gpu) dispatches = gpu.memory().dispatches - before;
    }
    return { params: await Promise.all(params.map((p) => p.data() as Promise<Float32Array>)), dispatches };
  } finally {
    optimizer.dispose();
    nn.dispose(params);
    nn.setBackend(previous);
  }
}

describe.skipIf(!gpu)('Adam over many parameters on the WebGPU backend', () => {
  for (const decay of [false, true]) {
    it(`matches the CPU over three steps (${decay ? 'AdamW' : 'Adam'})`, async () => {
      const cpu = nn.createCpuBackend();
      const onCpu = await train(cpu, decay);
      const onGpu = await train(gpu!, decay);
      // The per-parameter GPU kernel (this backend without adamUpdateMany) gives the same bits.
      const single = Object.create(gpu!) as nn.Backend & Record<string, unknown>;
      single.adamUpdateMany = undefined;
      const onGpuSingle = await train(single, decay);
      onGpu.params.forEach((p, i) => expect([i, mismatch(p, onGpuSingle.params[i]!, 0)]).toEqual([i, null]));
      // Against the CPU: parameters are O(1), and where steps bring one near 0 the float32
      // rounding left is absolute (about 1e-7), so the error is judged against 0.1 at least.
      onGpu.params.forEach((p, i) =>
        expect([i, mismatch(p, onCpu.params[i]!, 1e-5, 0.1)]).toEqual([i, null]),
      );
      // 7 parameters, 4 per dispatch when the adapter allows 16 storage buffers per shader.
      const perDispatch = Math.floor(gpu!.device.limits.maxStorageBuffersPerShaderStage / 4);
      expect(onGpu.dispatches).toBe(Math.ceil(shapes.length / perDispatch));
    });
  }
});
