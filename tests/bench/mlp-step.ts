/**
 * The issue-2 training-step benchmark: one Adam step of the Fashion-MNIST-shaped MLP
 * 784-128-10 (relu, softmax cross-entropy, Glorot-uniform weights, zero biases) at batch 64
 * and 256, for NN Lab's engine and TensorFlow.js (cpu and wasm backends) in the same run, and
 * PyTorch's CPU build when python3 has torch (tests/bench/peers/torch_mlp_epoch.py).
 * Inputs are random (the step's cost does not depend on the values).
 */
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as nn from '../../core/engine/index.js';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { DEFAULT_DIR } from '../../examples/fashion-mnist.js';
import { adamStep, createAdamState } from './support/adam.js';
import { torchMlp } from './peers/torch-mlp.js';
import type { BenchRow } from './report.js';

const INPUT = 784;
const HIDDEN = 128;
const CLASSES = 10;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median milliseconds per call of `step` after warm-up, over at least `minMs`. */
async function timeSteps(step: () => void | Promise<void>, minMs = 1500, warmup = 10): Promise<number> {
  for (let i = 0; i < warmup; i++) await step();
  const times: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs || times.length < 20) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function glorot(rng: nn.Random, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => rng.uniform(-limit, limit));
}

function batchData(batch: number, rng: nn.Random): { x: Float32Array; labels: Int32Array } {
  return {
    x: Float32Array.from({ length: batch * INPUT }, () => rng.next()),
    labels: Int32Array.from({ length: batch }, () => rng.int(CLASSES)),
  };
}

export async function timeOursStep(batch: number): Promise<number> {
  const rng = new nn.Random(1);
  const params = [
    nn.variable(nn.tensor(glorot(rng, INPUT, HIDDEN), [INPUT, HIDDEN])),
    nn.variable(nn.zeros([HIDDEN])),
    nn.variable(nn.tensor(glorot(rng, HIDDEN, CLASSES), [HIDDEN, CLASSES])),
    nn.variable(nn.zeros([CLASSES])),
  ];
  const [w1, b1, w2, b2] = params as [nn.Tensor, nn.Tensor, nn.Tensor, nn.Tensor];
  const data = batchData(batch, rng);
  const x = nn.keep(nn.tensor(data.x, [batch, INPUT]));
  const labels = nn.keep(nn.tensor(data.labels, [batch]));
  const adam = createAdamState(params);
  const ms = await timeSteps(() => {
    nn.tidy(() => {
      const { value, grads } = nn.valueAndGrad(() => {
        const h = nn.relu(nn.add(nn.matmul(x, w1), b1));
        const logits = nn.add(nn.matmul(h, w2), b2);
        const picked = nn.gather(
          nn.reshape(nn.logSoftmax(logits), [-1]),
          nn.add(labels, nn.mul(nn.arange(0, batch), CLASSES)),
        );
        return nn.neg(nn.mean(picked));
      }, params);
      adamStep(adam, params, grads, 1e-3);
      value.item();
    });
  });
  nn.dispose([...params, x, labels]);
  adam.dispose();
  return ms;
}

export type Tf = typeof import('@tensorflow/tfjs-core');

let gradientsRegistered = false;

/**
 * tfjs-core's package entry registers no gradients (the @tensorflow/tfjs bundle does), so
 * optimizer.minimize fails on its first op; and its ESM gradient files use extensionless
 * imports Node cannot load. esbuild (tsx's) bundles them once into a temporary CommonJS file;
 * they register into tfjs's global gradient registry, which every copy of tfjs-core shares.
 */
async function registerTfGradients(): Promise<void> {
  if (gradientsRegistered) return;
  const require = createRequire(import.meta.url);
  const version = (require('@tensorflow/tfjs-core/package.json') as { version: string }).version;
  const file = join(tmpdir(), `nnlab-bench-tfjs-gradients-${version}.cjs`);
  if (!existsSync(file)) {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      logLevel: 'error',
    });
    const temporary = `${file}.${process.pid}`;
    writeFileSync(temporary, result.outputFiles[0]!.contents);
    renameSync(temporary, file);
  }
  require(file);
  gradientsRegistered = true;
}

/** TensorFlow.js with `backend` set and ready (the wasm binaries from node_modules). */
export async function loadTf(backend: 'cpu' | 'wasm'): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs-core');
  await registerTfGradients();
  if (backend === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  }
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}

async function timeTfStep(tf: Tf, batch: number, minMs: number): Promise<number> {
  const rng = new nn.Random(1);
  const w1 = tf.variable(tf.tensor2d(glorot(rng, INPUT, HIDDEN), [INPUT, HIDDEN]));
  const b1 = tf.variable(tf.zeros([HIDDEN]));
  const w2 = tf.variable(tf.tensor2d(glorot(rng, HIDDEN, CLASSES), [HIDDEN, CLASSES]));
  const b2 = tf.variable(tf.zeros([CLASSES]));
  const data = batchData(batch, rng);
  const x = tf.tensor2d(data.x, [batch, INPUT]);
  const y = tf.oneHot(tf.tensor1d(data.labels, 'int32'), CLASSES);
  const optimizer = tf.train.adam(1e-3);
  const ms = await timeSteps(
    () => {
      const loss = optimizer.minimize(
        () => {
          const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
          const logits = tf.add(tf.matMul(h, w2), b2);
          return tf.losses.softmaxCrossEntropy(y, logits) as import('@tensorflow/tfjs-core').Scalar;
        },
        true,
        [w1, b1, w2, b2],
      );
      loss?.dataSync();
      loss?.dispose();
    },
    minMs,
    3,
  );
  tf.dispose([w1, b1, w2, b2, x, y]);
  optimizer.dispose();
  return ms;
}

export async function benchMlpStep(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const group = 'MLP 784-128-10 Adam step';
  for (const batch of [64, 256]) {
    rows.push({
      group,
      name: `batch ${batch}`,
      impl: 'nnlab cpu',
      value: await timeOursStep(batch),
      unit: 'ms',
    });
  }
  // PyTorch's step at the same sizes, from the peer the training benchmark also uses.
  const torch = existsSync(DEFAULT_DIR) ? await torchMlp(DEFAULT_DIR) : 'no Fashion-MNIST for the peer';
  if (typeof torch === 'string') console.warn(`mlp-step bench: ${torch}`);
  else {
    for (const r of torch.results) {
      for (const batch of [64, 256]) {
        const ms = r.stepMs[String(batch)];
        if (ms === undefined) continue;
        rows.push({
          group,
          name: `batch ${batch}`,
          impl: `torch ${r.threads}T`,
          value: ms,
          unit: 'ms',
          ...(batch === 64 && r.threads === 1
            ? { note: `PyTorch ${torch.version}, BLAS ${torch.blas}` }
            : {}),
        });
      }
    }
  }
  for (const backend of ['wasm', 'cpu'] as const) {
    const tf = await loadTf(backend);
    for (const batch of [64, 256]) {
      rows.push({
        group,
        name: `batch ${batch}`,
        impl: `tfjs ${backend}`,
        value: await timeTfStep(tf, batch, backend === 'cpu' ? 3000 : 1500),
        unit: 'ms',
      });
    }
  }
  return rows;
}
