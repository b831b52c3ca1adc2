// Saved models: a run's best or last checkpoint kept under a name, and prediction with it. The
// checkpoint is self-contained (spec, weights, and the dataset schema with the run's fitted
// preprocessing), so prediction works even after the dataset is deleted.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Preprocessor, type DatasetSchema, type RawRecord } from '../datasets/index.js';
import '../../engine/index.js'; // installs the default CPU backend prediction runs on
import { tensor } from '../../engine/index.js';
import type { Sequential } from '../../engine/nn/index.js';
import { loadCheckpoint, modelFromCheckpoint, predict } from '../../engine/train/index.js';
import {
  deleteModelRow,
  getArtifact,
  getModel,
  getRun,
  insertModel,
  type ModelRow,
  type Store,
} from '../store/index.js';
import { RunNotFoundError } from './run-manager.js';
import type { CheckpointExtra } from './train-job.js';

export interface SavedModelMeta {
  task: 'classification' | 'regression';
  classNames: string[] | null;
  featureShape: number[];
  /** 'table' (rows by column name), 'image' (PNG/JPEG), or 'array' (feature vectors). */
  inputKind: 'table' | 'image' | 'array';
}

/** Thrown when there is nothing to save or predict with. */
export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

function metaOf(extra: CheckpointExtra): SavedModelMeta {
  const { schema } = extra;
  const inputKind =
    schema.columns.length > 0 ? 'table' : schema.featureShape.length === 3 ? 'image' : 'array';
  return {
    task: extra.task,
    classNames: schema.target.classNames,
    featureShape: schema.featureShape,
    inputKind,
  };
}

async function readExtra(
  dataDir: string,
  file: string,
): Promise<{ bytes: Uint8Array; extra: CheckpointExtra }> {
  const bytes = new Uint8Array(await readFile(join(dataDir, file)));
  const extra = loadCheckpoint(bytes).extra as CheckpointExtra | null;
  if (!extra || typeof extra !== 'object' || !('schema' in extra)) {
    throw new ModelError(`checkpoint ${file} was not written by an NN Lab run (no preprocessing inside)`);
  }
  return { bytes, extra };
}

/**
 * Saves a run's best (default) or last checkpoint under `name`. The run cannot be deleted while
 * the model exists. Throws ModelNameTakenError for a name in use.
 */
export async function saveModel(
  store: Store,
  dataDir: string,
  request: { runId: string; name: string; checkpoint?: 'best' | 'last' },
): Promise<ModelRow> {
  const run = getRun(store, request.runId);
  if (!run) throw new RunNotFoundError(request.runId);
  const which = request.checkpoint ?? 'best';
  const artifactId = which === 'best' ? (run.bestCheckpointId ?? run.lastCheckpointId) : run.lastCheckpointId;
  const artifact = artifactId ? getArtifact(store, artifactId) : undefined;
  if (!artifact) {
    throw new ModelError(
      `run ${run.id} has no ${which} checkpoint yet (one is written at the end of each epoch)`,
    );
  }
  const { extra } = await readExtra(dataDir, artifact.file);
  const id = randomUUID();
  insertModel(store, {
    id,
    name: request.name,
    runId: run.id,
    artifactId: artifact.id,
    createdAt: Date.now(),
    meta: { ...metaOf(extra) },
  });
  return getModel(store, id)!;
}

/** Deletes the saved model (its checkpoint stays with the run). False when there was none. */
export function deleteModel(store: Store, id: string): boolean {
  return deleteModelRow(store, id);
}

export interface LoadedModel {
  model: Sequential;
  preprocessor: Preprocessor;
  schema: DatasetSchema;
  meta: SavedModelMeta;
  dispose(): void;
}

/** Rebuilds a saved model with its weights and preprocessing. Dispose it when done. */
export async function loadSavedModel(store: Store, dataDir: string, modelId: string): Promise<LoadedModel> {
  const row = getModel(store, modelId);
  if (!row) throw new ModelError(`no saved model with id '${modelId}'`);
  if (!row.file) throw new ModelError(`saved model '${row.name}' has lost its checkpoint file`);
  const { bytes, extra } = await readExtra(dataDir, row.file);
  const { model, optimizer } = modelFromCheckpoint(loadCheckpoint(bytes));
  optimizer?.dispose();
  return {
    model,
    preprocessor: new Preprocessor(extra.schema),
    schema: extra.schema,
    meta: metaOf(extra),
    dispose: () => model.dispose(),
  };
}

export interface Prediction {
  /** Classification: the predicted class index, its name, and every class's probability. */
  label?: number;
  className?: string;
  probabilities?: number[];
  /** Regression: the predicted value (or values, for several targets). */
  value?: number | number[];
}

/**
 * Predicts for raw inputs: table rows by column name (encoded and scaled as in training),
 * feature arrays in the dataset's stored form (scaled), or PNG/JPEG images (image datasets).
 */
export async function predictWithModel(
  store: Store,
  dataDir: string,
  modelId: string,
  input: { rows: (RawRecord | number[])[] } | { images: { bytes: Buffer; file?: string }[] },
): Promise<{ meta: SavedModelMeta; predictions: Prediction[] }> {
  const loaded = await loadSavedModel(store, dataDir, modelId);
  try {
    const size = loaded.preprocessor.featureSize;
    const items = 'rows' in input ? input.rows : input.images;
    const features = new Float32Array(items.length * size);
    if ('rows' in input) {
      input.rows.forEach((row, i) => {
        if (Array.isArray(row)) {
          if (row.length !== size) {
            throw new ModelError(`row ${i + 1}: expected ${size} feature values, got ${row.length}`);
          }
          loaded.preprocessor.transform(Float32Array.from(row), features.subarray(i * size, (i + 1) * size));
        } else {
          features.set(loaded.preprocessor.encodeRecords([row]), i * size);
        }
      });
    } else {
      input.images.forEach((image, i) =>
        features.set(loaded.preprocessor.encodeImage(image.bytes, image.file), i * size),
      );
    }
    const x = tensor(features, [items.length, ...loaded.schema.featureShape]);
    const output = predict(loaded.model, x, { batchSize: 256 });
    const values = (await output.data()) as Float32Array;
    const width = values.length / items.length;
    x.dispose();
    output.dispose();
    const predictions: Prediction[] = [];
    for (let i = 0; i < items.length; i++) {
      const row = Array.from(values.subarray(i * width, (i + 1) * width));
      if (loaded.meta.task === 'classification') {
        const probabilities = asProbabilities(row);
        let label = 0;
        for (let c = 1; c < probabilities.length; c++)
          if (probabilities[c]! > probabilities[label]!) label = c;
        predictions.push({ label, className: loaded.preprocessor.className(label), probabilities });
      } else {
        predictions.push({ value: width === 1 ? row[0]! : row });
      }
    }
    return { meta: loaded.meta, predictions };
  } finally {
    loaded.dispose();
  }
}

/** A softmax output is used as is; logits (a model trained with fromLogits) are softmaxed; one sigmoid unit gives two classes. */
function asProbabilities(row: number[]): number[] {
  // One sigmoid output: the probability of class 1.
  if (row.length === 1) return [1 - row[0]!, row[0]!];
  const sum = row.reduce((a, b) => a + b, 0);
  if (row.every((v) => v >= 0 && v <= 1) && Math.abs(sum - 1) < 1e-3) return row;
  const max = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}
