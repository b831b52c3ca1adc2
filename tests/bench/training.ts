/**
 * The issue-2 epoch benchmark: one epoch of Fashion-MNIST (60,000 images, batch 64, 938
 * steps) with an MLP 784-128-10 (relu, softmax cross-entropy from logits, Adam 1e-3), for
 * NN Lab (fit on the CPU backend), TensorFlow.js (wasm and cpu backends) and PyTorch's CPU
 * build (Debian's python3-torch, through tests/bench/peers/torch_mlp_epoch.py). Every
 * implementation shuffles, takes each batch's rows by index and reads the loss every step.
 *
 * TensorFlow.js is timed over a fixed number of steps after warm-up and extrapolated to 938
 * (its cpu backend takes minutes per epoch); the note says how many. NN Lab and PyTorch run
 * one full untimed warm-up, then one timed epoch. Ratios are against PyTorch's faster thread
 * count. With NNLAB_BENCH_EXAMPLES=1 it also trains the examples' MLP 784-256-128-10 for one
 * epoch and reports its test accuracy. Skipped without the dataset.
 *
 * Run on its own: npx tsx tests/bench/training.ts
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as nn from '../../core/engine/index.js';
import { Sequential } from '../../core/engine/nn/sequential.js';
import { fit } from '../../core/engine/train/index.js';
import { DEFAULT_DIR, loadFashionMnist, runFashionMnist } from '../../examples/fashion-mnist.js';
import { loadTf, type Tf } from './mlp-step.js';
import { torchMlp } from './peers/torch-mlp.js';
import { printJson, printTable, type BenchRow } from './report.js';

const GROUP = 'Fashion-MNIST epoch, MLP 784-128-10, Adam, batch 64';
const BATCH = 64;
const CLASSES = 10;

type Data = { x: Float32Array; y: Int32Array; n: number };

/** Seconds for one epoch of fit (after a warm-up on the first 6,400 images). */
async function oursEpoch(data: Data): Promise<{ seconds: number; loss: number }> {
  const x = nn.tensor(data.x, [data.n, 784]);
  const y = nn.tensor(data.y);
  const run = async (rows: number) => {
    const model = Sequential.fromSpec(
      {
        layers: [
          { type: 'dense', units: 128, activation: 'relu' },
          { type: 'dense', units: CLASSES },
        ],
        inputShape: [784],
      },
      { seed: 1 },
    );
    const xs = rows < data.n ? nn.slice(x, [0, 0], [rows, 784]) : x;
    const ys = rows < data.n ? nn.slice(y, [0], [rows]) : y;
    const started = performance.now();
    const history = await fit(model, xs, ys, {
      loss: { name: 'sparse_categorical_crossentropy', fromLogits: true },
      optimizer: { type: 'adam', learningRate: 1e-3 },
      epochs: 1,
      batchSize: BATCH,
      seed: 1,
    });
    const seconds = (performance.now() - started) / 1000;
    if (xs !== x) nn.dispose([xs, ys]);
    model.dispose();
    return { seconds, loss: history.history.loss![0]! };
  };
  await run(6400);
  const result = await run(data.n);
  nn.dispose([x, y]);
  return result;
}

/** Seconds per step of the same training loop in TensorFlow.js, over `steps` timed steps. */
async function tfStepSeconds(tf: Tf, data: Data, steps: number): Promise<number> {
  const rng = new nn.Random(1);
  const glorot = (fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return Float32Array.from({ length: fanIn * fanOut }, () => rng.uniform(-limit, limit));
  };
  const xs = tf.tensor2d(data.x, [data.n, 784]);
  const ys = tf.tensor1d(data.y, 'int32');
  const w1 = tf.variable(tf.tensor2d(glorot(784, 128), [784, 128]));
  const b1 = tf.variable(tf.zeros([128]));
  const w2 = tf.variable(tf.tensor2d(glorot(128, CLASSES), [128, CLASSES]));
  const b2 = tf.variable(tf.zeros([CLASSES]));
  const optimizer = tf.train.adam(1e-3);
  const order = Int32Array.from({ length: data.n }, (_, i) => i);
  rng.shuffle(order);
  const step = (k: number) => {
    const start = (k * BATCH) % (data.n - BATCH);
    const idx = tf.tensor1d(order.subarray(start, start + BATCH), 'int32');
    const xb = tf.gather(xs, idx);
    const labels = tf.gather(ys, idx);
    const yb = tf.oneHot(labels, CLASSES);
    const loss = optimizer.minimize(
      () => {
        const h = tf.relu(tf.add(tf.matMul(xb, w1), b1));
        return tf.losses.softmaxCrossEntropy(
          yb,
          tf.add(tf.matMul(h, w2), b2),
        ) as import('@tensorflow/tfjs-core').Scalar;
      },
      true,
      [w1, b1, w2, b2],
    );
    tf.dispose([idx, xb, labels, yb]);
    loss?.dataSync();
    loss?.dispose();
  };
  for (let k = 0; k < 5; k++) step(k);
  const started = performance.now();
  for (let k = 0; k < steps; k++) step(k + 5);
  const perStep = (performance.now() - started) / 1000 / steps;
  tf.dispose([xs, ys, w1, b1, w2, b2]);
  optimizer.dispose();
  return perStep;
}

export async function benchTraining(): Promise<BenchRow[]> {
  if (!existsSync(DEFAULT_DIR)) {
    console.warn(
      `training bench: no Fashion-MNIST in ${DEFAULT_DIR} (Debian: dataset-fashion-mnist); skipped`,
    );
    return [];
  }
  const data = loadFashionMnist(DEFAULT_DIR, 'train');
  const steps = Math.ceil(data.n / BATCH);
  const rows: BenchRow[] = [];
  const row = (impl: string, value: number, unit: string, note?: string, name = 'one epoch (938 steps)') =>
    rows.push({ group: GROUP, name, impl, value, unit, ...(note ? { note } : {}) });

  const ours = await oursEpoch(data);
  row('nnlab cpu (fit)', ours.seconds, 's', `native GEMM; mean loss ${ours.loss.toFixed(4)}`);

  for (const [backend, timed] of [
    ['wasm', 300],
    ['cpu', 40],
  ] as const) {
    const tf = await loadTf(backend);
    const perStep = await tfStepSeconds(tf, data, timed);
    row(
      `tfjs ${backend}`,
      perStep * steps,
      's',
      `extrapolated from ${timed} timed steps (${(perStep * 1000).toFixed(1)} ms/step)`,
    );
  }

  const torch = await torchMlp(DEFAULT_DIR);
  if (typeof torch === 'string') console.warn(`training bench: ${torch}`);
  else {
    for (const r of torch.results)
      row(
        `torch ${r.threads}T`,
        r.epochSeconds,
        's',
        r.threads === 1 ? `PyTorch ${torch.version}, BLAS ${torch.blas}` : undefined,
      );
    const best = Math.min(...torch.results.map((r) => r.epochSeconds));
    row(
      'nnlab cpu (fit)',
      ours.seconds / best,
      '×',
      "our epoch ÷ PyTorch's faster thread count (target ≤ 1.5)",
      'time vs PyTorch',
    );
  }
  const wasm = rows.find((r) => r.impl === 'tfjs wasm');
  if (wasm)
    row(
      'nnlab cpu (fit)',
      wasm.value / ours.seconds,
      '×',
      'tfjs wasm epoch ÷ ours (target ≥ 10)',
      'speed-up over tfjs wasm',
    );

  if (process.env.NNLAB_BENCH_EXAMPLES === '1') {
    const r = await runFashionMnist('mlp', { epochs: 1, verbose: false });
    rows.push({
      group: 'Fashion-MNIST examples',
      name: `${r.model}: 1 epoch test accuracy`,
      impl: 'nnlab cpu (fit)',
      value: r.testAccuracy,
      unit: '',
      note: `${r.secondsPerEpoch.toFixed(1)} s per epoch; examples/fashion-mnist.ts runs more epochs`,
    });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await benchTraining();
  printTable(rows);
  printJson(rows);
}
