/**
 * Fashion-MNIST with NN Lab's engine: an MLP 784-256-128-10 and a small CNN with batch
 * normalization, trained with fit() on the 60,000 training images and scored on the 10,000
 * test images. Reads the IDX files (gzipped or not) from Debian's dataset-fashion-mnist
 * location, or the folder given with --dir.
 *
 *   npx tsx examples/fashion-mnist.ts [mlp|cnn|both] [--epochs N] [--batch N] [--lr RATE]
 *     [--decay FACTOR] [--dir FOLDER] [--augment]
 *     [--limit N] [--test-limit N]   (use the first N images only, for a quick try)
 *
 * Prints each epoch's loss, test accuracy and time, then the final numbers as JSON.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as nn from '../core/engine/index.js';
import { Sequential } from '../core/engine/nn/sequential.js';
import type { LayerSpec } from '../core/engine/nn/layer.js';
import { fit, evaluate, type History } from '../core/engine/train/index.js';
import { exponentialDecay } from '../core/engine/optim/schedules.js';
import { createAugmenter, type AugmentationOptions } from '../core/lab/datasets/augmentation.js';

/** Where Debian's dataset-fashion-mnist installs the files. */
export const DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

function readIdx(folder: string, name: string): { dims: number[]; data: Uint8Array } {
  const plain = join(folder, name);
  const file = existsSync(`${plain}.gz`) ? `${plain}.gz` : plain;
  if (!existsSync(file)) throw new Error(`${name}(.gz) not found in ${folder}; pass --dir`);
  const raw = readFileSync(file);
  const bytes = file.endsWith('.gz') ? gunzipSync(raw) : raw;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic >>> 8 !== 0x08)
    throw new Error(`${file}: not an unsigned-byte IDX file (magic 0x${magic.toString(16)})`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const data = new Uint8Array(
    bytes.buffer,
    bytes.byteOffset + 4 + 4 * rank,
    dims.reduce((a, b) => a * b, 1),
  );
  return { dims, data };
}

/**
 * The first `limit` images of a split, scaled to [0, 1] (`x`) and as the file's bytes
 * (`bytes`, for ByteRows), with their int32 labels.
 */
export function loadFashionMnist(folder: string, split: 'train' | 't10k', limit = Infinity) {
  const images = readIdx(folder, `${split}-images-idx3-ubyte`);
  const labels = readIdx(folder, `${split}-labels-idx1-ubyte`);
  const n = Math.min(images.dims[0]!, limit);
  const pixels = images.dims[1]! * images.dims[2]!;
  const x = new Float32Array(n * pixels);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / 255;
  const bytes = images.data.subarray(0, n * pixels);
  return { x, bytes, y: Int32Array.from(labels.data.subarray(0, n)), n, pixels };
}

/** The networks, as layer specs (the benchmarks build the same ones). */
export const models: Record<'mlp' | 'cnn', { inputShape: number[]; layers: LayerSpec[] }> = {
  mlp: {
    inputShape: [784],
    layers: [
      { type: 'dense', units: 256, activation: 'relu' },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dense', units: 10 },
    ],
  },
  cnn: {
    inputShape: [28, 28, 1],
    layers: [
      { type: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', useBias: false },
      { type: 'batchNormalization' },
      { type: 'activation', activation: 'relu' },
      { type: 'maxPooling2d', poolSize: 2 },
      { type: 'conv2d', filters: 64, kernelSize: 3, padding: 'same', useBias: false },
      { type: 'batchNormalization' },
      { type: 'activation', activation: 'relu' },
      { type: 'maxPooling2d', poolSize: 2 },
      { type: 'flatten' },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dropout', rate: 0.3 },
      { type: 'dense', units: 10 },
    ],
  },
};

/**
 * Per-model defaults, the settings the results in examples/README.md were measured with: the
 * learning rate decays per epoch so the last epochs settle instead of wandering.
 */
export const defaults: Record<'mlp' | 'cnn', { epochs: number; decay: number }> = {
  mlp: { epochs: 15, decay: 0.85 },
  cnn: { epochs: 15, decay: 0.8 },
};

export interface FashionMnistResult {
  model: string;
  epochs: number;
  batchSize: number;
  trainImages: number;
  testAccuracy: number;
  testLoss: number;
  learningRate: number;
  decay: number;
  bestTestAccuracy: number;
  bestEpoch: number;
  augmentation: AugmentationOptions | null;
  wallSeconds: number;
  secondsPerEpoch: number;
}

export type FashionMnistModel = keyof typeof models;

export interface FashionMnistOptions {
  /** The folder holding the four IDX files; defaults to Debian's location. */
  folder?: string;
  epochs: number;
  /** Defaults to 64. */
  batchSize?: number;
  /** Adam's initial learning rate. Defaults to 1e-3. */
  learningRate?: number;
  /** The learning rate's factor per epoch (exponential decay). Defaults to the model's (see defaults). */
  decay?: number;
  /** Train on the first `limit` images only. Defaults to all 60,000. */
  limit?: number;
  /** Score on the first `testLimit` test images only. Defaults to all 10,000. */
  testLimit?: number;
  /** Print progress. Defaults to true. */
  verbose?: boolean;
  /** Fresh random transforms of the training images at every epoch's start (CNN input only). */
  augmentation?: AugmentationOptions;
}

/** Trains one model on Fashion-MNIST and scores it on the test set. */
export async function runFashionMnist(
  kind: FashionMnistModel,
  options: FashionMnistOptions,
): Promise<FashionMnistResult> {
  const folder = options.folder ?? DEFAULT_DIR;
  const epochs = options.epochs;
  const batchSize = options.batchSize ?? 64;
  const learningRate = options.learningRate ?? 1e-3;
  const decay = options.decay ?? defaults[kind].decay;
  const verbose = options.verbose ?? true;
  const train = loadFashionMnist(folder, 'train', options.limit ?? Infinity);
  const test = loadFashionMnist(folder, 't10k', options.testLimit ?? Infinity);
  const shape = models[kind].inputShape;
  const x = nn.tensor(train.x, [train.n, ...shape]);
  const y = nn.tensor(train.y);
  const xTest = nn.tensor(test.x, [test.n, ...shape]);
  const yTest = nn.tensor(test.y);
  const augment = augmentationCallback(options.augmentation, train.x, [train.n, ...shape], x);
  const model = Sequential.fromSpec({ layers: models[kind].layers }, { seed: 42 });
  model.build([...shape]);
  const loss = { name: 'sparse_categorical_crossentropy', fromLogits: true };
  const started = performance.now();
  const history: History = await fit(model, x, y, {
    loss,
    optimizer: { type: 'adam', learningRate },
    schedule: exponentialDecay({ initialLearningRate: learningRate, decayRate: decay }),
    epochs,
    batchSize,
    seed: 7,
    metrics: ['accuracy'],
    validationData: [xTest, yTest],
    validationBatchSize: 500,
    callbacks: [
      ...augment,
      {
        onStepEnd: (e) => {
          if (verbose && e.step % 100 === 0)
            process.stdout.write(
              `\r  ${kind} epoch ${e.epoch + 1} step ${e.step}/${e.stepsPerEpoch} loss ${e.logs.loss!.toFixed(4)} ${e.samplesPerSecond.toFixed(0)} samples/s ETA ${e.etaSeconds.toFixed(0)} s   `,
            );
        },
        onEpochEnd: (e) => {
          if (!verbose) return;
          console.log(
            `\r${kind} epoch ${e.epoch + 1}: lr ${e.learningRate.toPrecision(3)} loss ${e.logs.loss!.toFixed(4)} acc ${e.logs.accuracy!.toFixed(4)} test loss ${e.logs.val_loss!.toFixed(4)} test acc ${e.logs.val_accuracy!.toFixed(4)} (${(e.durationMs / 1000).toFixed(1)} s)`,
          );
        },
      },
    ],
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const final = await evaluate(model, xTest, yTest, { loss, metrics: ['accuracy'], batchSize: 500 });
  const accuracies = history.history.val_accuracy ?? [];
  const best = Math.max(...accuracies);
  nn.dispose([x, y, xTest, yTest]);
  model.dispose();
  return {
    model: kind === 'mlp' ? 'MLP 784-256-128-10' : 'CNN 2×(conv3×3+BN+relu+pool) + dense 128',
    epochs: history.epochs.length,
    batchSize,
    trainImages: train.n,
    testAccuracy: final.metrics.accuracy!,
    testLoss: final.loss,
    learningRate,
    decay,
    bestTestAccuracy: best,
    bestEpoch: accuracies.indexOf(best) + 1,
    augmentation: options.augmentation ?? null,
    wallSeconds,
    secondsPerEpoch: wallSeconds / history.epochs.length,
  };
}

/** Rewrites the training images (already on the device as `x`) with new random transforms each epoch. */
function augmentationCallback(
  options: AugmentationOptions | undefined,
  base: Float32Array,
  shape: number[],
  x: nn.Tensor,
): { onEpochBegin(): void }[] {
  if (!options) return [];
  if (shape.length !== 4) throw new Error('augmentation needs images: use it with the cnn model');
  const augmenter = createAugmenter(options, 0xa06);
  const out = new Float32Array(base.length);
  return [
    {
      onEpochBegin() {
        augmenter.apply(base, shape as [number, number, number, number], out);
        const fresh = nn.tensor(out, x.shape);
        x.assign(fresh);
        fresh.dispose();
      },
    },
  ];
}

/** The `--augment` preset: a left–right mirror half the time and a shift of up to ±1.4 pixels. */
export const augmentPreset: AugmentationOptions = { horizontalFlip: true, translateFraction: 0.05 };

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const first = process.argv[2];
  const which = (first && !first.startsWith('--') ? first : 'both') as FashionMnistModel | 'both';
  const dirIndex = process.argv.indexOf('--dir');
  const folder = dirIndex > 0 ? process.argv[dirIndex + 1]! : DEFAULT_DIR;
  const results: FashionMnistResult[] = [];
  for (const kind of which === 'both' ? (['mlp', 'cnn'] as const) : [which]) {
    results.push(
      await runFashionMnist(kind, {
        folder,
        epochs: option('epochs', defaults[kind].epochs),
        batchSize: option('batch', 64),
        learningRate: option('lr', 1e-3),
        decay: option('decay', defaults[kind].decay),
        limit: option('limit', Infinity),
        testLimit: option('test-limit', Infinity),
        ...(process.argv.includes('--augment') ? { augmentation: augmentPreset } : {}),
      }),
    );
  }
  console.log(JSON.stringify(results, null, 2));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).pop()!)) await main();
