/**
 * The issue-4 training benchmark: the Fashion-MNIST MLP 784-256-128-10 (relu, logits,
 * sparse softmax cross-entropy, Adam 1e-3) trained with fit() on the GPU (WebGPU) and on the
 * CPU, at batch 64 and 512: the time of one training step and of one epoch over the 60,000
 * training images.
 *
 * The images are uploaded once as bytes (ByteRows, 45 MiB; as float32 they would be 180 MiB,
 * past many adapters' 128 MiB binding limit) and each batch is gathered and scaled to [0, 1]
 * on the device; the CPU runs the same path.
 *
 * A step is the difference between fit() runs of `2·steps` and `steps` steps, divided by
 * `steps` (after a warm-up run that compiles pipelines and fills the buffer pool): what a
 * step adds, without fit's per-run costs (optimizer slots, the first read). It includes
 * everything fit does per step: the index upload, the gather of the batch on the device,
 * forward, backward, the Adam update, the deferred loss read and the accuracy metric. An
 * epoch is one full fit()
 * epoch when it is predicted to take less than `epochCapMs`; otherwise (lavapipe) it is the
 * step time × the steps of an epoch, and the row's note says so.
 */
import { existsSync } from 'node:fs';
import * as nn from '../../core/engine/index.js';
import type { Backend } from '../../core/engine/index.js';
import type { LayerSpec } from '../../core/engine/nn/layer.js';
import { Sequential } from '../../core/engine/nn/sequential.js';
import { ByteRows, fit } from '../../core/engine/train/index.js';
import { DEFAULT_DIR, loadFashionMnist } from '../../examples/fashion-mnist.js';
import type { BenchRow } from './report.js';

export const MLP_GROUP = 'Fashion-MNIST MLP 784-256-128-10, Adam';

const layers: LayerSpec[] = [
  { type: 'dense', units: 256, activation: 'relu' },
  { type: 'dense', units: 128, activation: 'relu' },
  { type: 'dense', units: 10 },
];

export interface MlpBenchOptions {
  readonly batches?: readonly number[];
  /** Steps per timed fit() run. Defaults to 30. */
  readonly steps?: number;
  /** Timed runs per case (the median is reported). Defaults to 3. */
  readonly repeats?: number;
  /** A full epoch predicted longer than this is extrapolated from the step time. Defaults to 60 s. */
  readonly epochCapMs?: number;
}

interface Data {
  bytes: Uint8Array;
  y: Int32Array;
  n: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall milliseconds of one fit() epoch over the first `count` rows. */
async function timeFit(model: Sequential, x: ByteRows, y: nn.Tensor, batchSize: number, count: number) {
  const xs = x.rows(0, count);
  const ys = nn.slice(y, [0], [count]);
  const started = performance.now();
  await fit(model, xs, ys, {
    loss: { name: 'sparse_categorical_crossentropy', fromLogits: true },
    optimizer: { type: 'adam', learningRate: 1e-3 },
    epochs: 1,
    batchSize,
    seed: 7,
    metrics: ['accuracy'],
    health: false,
  });
  const ms = performance.now() - started;
  ys.dispose();
  return ms;
}

/** Step and epoch rows for one backend at each batch size. */
export async function benchMlpOn(
  backend: Backend,
  impl: string,
  data: Data,
  options: MlpBenchOptions = {},
): Promise<BenchRow[]> {
  const steps = options.steps ?? 30;
  const repeats = options.repeats ?? 3;
  const epochCapMs = options.epochCapMs ?? 60_000;
  const previous = nn.getBackend();
  nn.setBackend(backend);
  const out: BenchRow[] = [];
  const x = ByteRows.upload(data.bytes, [data.n, 784], { scale: 1 / 255 });
  const y = nn.keep(nn.tensor(data.y, [data.n], 'int32'));
  try {
    for (const batch of options.batches ?? [64, 512]) {
      const model = Sequential.fromSpec({ inputShape: [784], layers }, { seed: 42 });
      model.build([784]);
      try {
        const timedSteps = Math.min(steps, Math.floor(data.n / batch / 2));
        await timeFit(model, x, y, batch, Math.min(data.n, 3 * batch)); // warm-up
        const times: number[] = [];
        for (let r = 0; r < repeats; r++) {
          const short = await timeFit(model, x, y, batch, timedSteps * batch);
          const long = await timeFit(model, x, y, batch, 2 * timedSteps * batch);
          times.push((long - short) / timedSteps);
        }
        const stepMs = median(times);
        const epochSteps = Math.ceil(data.n / batch);
        const note = `(fit() of ${2 * timedSteps} steps − fit() of ${timedSteps}) / ${timedSteps}, median of ${repeats}; accuracy metric, no health`;
        out.push({ group: MLP_GROUP, name: `step, batch ${batch}`, impl, value: stepMs, unit: 'ms', note });
        if (stepMs * epochSteps <= epochCapMs) {
          const epochMs = await timeFit(model, x, y, batch, data.n);
          out.push({
            group: MLP_GROUP,
            name: `epoch, batch ${batch}`,
            impl,
            value: epochMs / 1000,
            unit: 's',
            note: `one fit() epoch of ${data.n} images (${epochSteps} steps)`,
          });
        } else {
          out.push({
            group: MLP_GROUP,
            name: `epoch, batch ${batch}`,
            impl,
            value: (stepMs * epochSteps) / 1000,
            unit: 's',
            note: `extrapolated: step time × ${epochSteps} steps (a full epoch is predicted past ${epochCapMs / 1000} s here)`,
          });
        }
      } finally {
        model.dispose();
      }
    }
  } finally {
    x.dispose();
    y.dispose();
    nn.setBackend(previous);
  }
  return out;
}

/** The training images, or null (with the reason) when the dataset is missing. */
export function loadMlpData(limit = Number(process.env.NNLAB_BENCH_MLP_LIMIT ?? Infinity)): Data | string {
  if (!existsSync(DEFAULT_DIR)) return `Fashion-MNIST not found in ${DEFAULT_DIR}`;
  const { bytes, y, n } = loadFashionMnist(DEFAULT_DIR, 'train', limit);
  return { bytes, y, n };
}
