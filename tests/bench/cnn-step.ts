/**
 * One training step of the Fashion-MNIST CNN of examples/fashion-mnist.ts (2 × (conv 3×3 +
 * batch norm + relu + max-pool) + dense 128 + dropout, Adam, batch 64) for NN Lab on the CPU
 * and, when an adapter exists, on the GPU, beside PyTorch's CPU build at 1 and 2 threads
 * (tests/bench/peers/torch_cnn_step.py) in the same run.
 *
 * Ours is timed as the webgpu-mlp benchmark times the MLP: the difference between fit() runs of
 * `3·steps` and `steps` steps, divided by `2·steps` — what a step adds, including the batch
 * gather, forward, backward, Adam and the deferred loss read, without fit's per-run costs.
 * PyTorch's is the median of timed steps on one batch. Inputs are random: a step's cost does
 * not depend on the values.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nn from '../../core/engine/index.js';
import type { Backend } from '../../core/engine/index.js';
import { createWebGPUBackend } from '../../core/engine/backends/webgpu/index.js';
import { Sequential } from '../../core/engine/nn/sequential.js';
import { fit } from '../../core/engine/train/index.js';
import type { LayerSpec } from '../../core/engine/nn/layer.js';
import { models } from '../../examples/fashion-mnist.js';
import type { BenchRow } from './report.js';

export const CNN_GROUP = 'Fashion-MNIST CNN training step (conv-BN-relu-pool ×2, dense 128), Adam';
const BATCH = 64;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export interface ModelSpec {
  inputShape: number[];
  layers: LayerSpec[];
}

/**
 * Milliseconds one step of batch 64 adds to fit() of `spec` (10 classes, random inputs) on
 * `backend`: the median of `repeats` differences between fit() of 3·steps and of steps steps.
 */
export async function fitStepMs(
  backend: Backend,
  spec: ModelSpec,
  steps: number,
  repeats: number,
): Promise<number> {
  const previous = nn.getBackend();
  nn.setBackend(backend);
  const n = 3 * steps * BATCH;
  const x = nn.keep(nn.randomUniform([n, ...spec.inputShape]));
  const y = nn.keep(
    nn.tensor(
      Int32Array.from({ length: n }, (_, i) => i % 10),
      [n],
      'int32',
    ),
  );
  const model = Sequential.fromSpec(spec, { seed: 1 });
  model.build(spec.inputShape);
  const run = async (count: number) => {
    const xs = nn.slice(x, [0], [count]);
    const ys = nn.slice(y, [0], [count]);
    const started = performance.now();
    await fit(model, xs, ys, {
      loss: { name: 'sparse_categorical_crossentropy', fromLogits: true },
      optimizer: { type: 'adam', learningRate: 1e-3 },
      epochs: 1,
      batchSize: BATCH,
      seed: 7,
      health: false,
    });
    const ms = performance.now() - started;
    nn.dispose([xs, ys]);
    return ms;
  };
  try {
    await run(2 * BATCH); // warm-up: pipelines, buffer pools
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const short = await run(steps * BATCH);
      const long = await run(3 * steps * BATCH);
      times.push((long - short) / (2 * steps));
    }
    return median(times);
  } finally {
    model.dispose();
    nn.dispose([x, y]);
    nn.setBackend(previous);
  }
}

export interface TorchSteps {
  version: string;
  results: { model?: string; threads: number; batch: number; stepMs: number }[];
}

/** Runs a PyTorch peer script of tests/bench/peers with JSON options; its result or why none. */
export function torchPeer(script: string, options: object): TorchSteps | string {
  const path = join(dirname(fileURLToPath(import.meta.url)), 'peers', script);
  const pythons = [process.env.NNLAB_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  const python = pythons.find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (!python) return 'PyTorch peer absent (`import torch` fails; Debian: apt-get install python3-torch)';
  const out = spawnSync(python, [path, JSON.stringify(options)], { encoding: 'utf8', timeout: 600_000 });
  if (out.status !== 0) return `PyTorch peer failed: ${out.stderr.trim().split('\n').pop() ?? out.status}`;
  return JSON.parse(out.stdout) as TorchSteps;
}

export async function benchCnnStep(): Promise<BenchRow[]> {
  const name = `step, batch ${BATCH}`;
  const rows: BenchRow[] = [];
  const note = (steps: number) => `(fit() of ${3 * steps} steps − fit() of ${steps}) / ${2 * steps}`;
  rows.push({
    group: CNN_GROUP,
    name,
    impl: 'nnlab cpu',
    value: await fitStepMs(nn.createCpuBackend(), models.cnn, 10, 3),
    unit: 'ms',
    note: `${note(10)}, median of 3`,
  });
  let gpu: Awaited<ReturnType<typeof createWebGPUBackend>> | null = null;
  try {
    gpu = await createWebGPUBackend();
  } catch (error) {
    rows.push({
      group: CNN_GROUP,
      name,
      impl: 'nnlab webgpu',
      value: NaN,
      unit: 'ms',
      note: (error as Error).message,
    });
  }
  if (gpu) {
    try {
      const info = gpu.adapterInfo();
      rows.push({
        group: CNN_GROUP,
        name,
        impl: 'nnlab webgpu',
        value: await fitStepMs(gpu, models.cnn, 3, 1),
        unit: 'ms',
        note: `${note(3)} on ${info.device ?? info.description ?? info.backend}`,
      });
    } finally {
      gpu.destroy();
    }
  }
  const torch = torchPeer('torch_cnn_step.py', { batch: BATCH, threads: [1, 2], steps: 40 });
  if (typeof torch === 'string') {
    rows.push({ group: CNN_GROUP, name, impl: 'torch', value: NaN, unit: 'ms', note: torch });
  } else {
    for (const r of torch.results) {
      rows.push({
        group: CNN_GROUP,
        name,
        impl: `torch ${r.threads}T`,
        value: r.stepMs,
        unit: 'ms',
        note: `PyTorch ${torch.version}, median of 40 steps on one batch`,
      });
    }
  }
  const ours = rows[0]!.value;
  const best = Math.min(
    ...rows.filter((r) => r.impl.startsWith('torch ') && Number.isFinite(r.value)).map((r) => r.value),
  );
  if (Number.isFinite(best)) {
    rows.push({
      group: CNN_GROUP,
      name: 'time vs PyTorch',
      impl: 'nnlab cpu',
      value: ours / best,
      unit: '×',
      note: "our CPU step ÷ PyTorch's faster thread count",
    });
  }
  return rows;
}
