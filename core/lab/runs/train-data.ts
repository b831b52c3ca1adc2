// A run's data inside the trainer: the dataset loaded, validation rows split off, scaling fitted
// on the training rows only, and the splits turned into what fit and evaluate take — float32
// tensors, or, for uint8 data (images) with one affine scaling, ByteRows that stay uint8 on the
// device and are scaled in the gather kernel: a quarter of the float32 size. On the GPU this is
// what lets Fashion-MNIST's 60,000 training images (45 MiB as bytes, 180 MiB as floats) fit the
// 128 MiB storage binding of many adapters; on the CPU it saves the memory.
import {
  createAugmenter,
  fitScaling,
  loadDataset,
  Preprocessor,
  type DatasetSchema,
  type ScalingKind,
  type ScalingSchema,
} from '../datasets/index.js';
import { getBackend, Random, tensor, type Tensor } from '../../engine/index.js';
import { ByteRows, type Callback } from '../../engine/train/index.js';
import type { RunConfig } from './config.js';

const scalingKinds: Record<Exclude<RunConfig['preprocessing']['scaling'], 'dataset'>, ScalingKind> = {
  standardize: 'standardize',
  minMax: 'minmax01',
  minMax11: 'minmax11',
  scalePixels: 'divide255',
  none: 'none',
};

/** One split's rows in stored order of the run: labels as stored, features scaled on first use. */
export interface DataPart {
  readonly rows: number;
  readonly y: Int32Array | Float32Array;
  /** The scaled float32 features (computed on first read, then kept). */
  readonly x: Float32Array;
  /** The raw bytes of the rows when the dataset is uint8 and one affine map scales every value. */
  readonly bytes: { data: Uint8Array; scale: number; shift: number } | null;
}

export interface PreparedData {
  /** The dataset schema with this run's fitted scaling. */
  schema: DatasetSchema;
  train: DataPart;
  validation: DataPart | null;
  test: DataPart | null;
  labelWidth: number;
}

/** Loads the dataset, splits off validation rows if asked, and scales with statistics of the training rows only. */
export async function prepareData(
  dataDir: string,
  datasetId: string,
  seed: number,
  config: RunConfig,
): Promise<PreparedData> {
  const { schema, x, y, splits } = await loadDataset(dataDir, datasetId);
  let trainRows = splits.train;
  let validationRows: Int32Array = splits.validation;
  if (config.training.validationSplit !== undefined && config.training.validationSplit > 0) {
    const shuffled = Int32Array.from(trainRows);
    const random = new Random(seed ^ 0x5eed);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const held = Math.round(shuffled.length * config.training.validationSplit);
    trainRows = shuffled.subarray(0, shuffled.length - held);
    validationRows = shuffled.subarray(shuffled.length - held);
  }
  if (trainRows.length === 0) throw new Error(`dataset '${schema.name}' has no training rows`);
  const kind =
    config.preprocessing.scaling === 'dataset'
      ? schema.scaling.kind
      : scalingKinds[config.preprocessing.scaling];
  const scaling = fitScaling(kind, x, schema.featureShape, trainRows, schema.columns);
  const fitted: DatasetSchema = { ...schema, scaling };
  const preprocessor = new Preprocessor(fitted);
  const featureSize = preprocessor.featureSize;
  const labelWidth = y.length / schema.rows;
  const affine = x instanceof Uint8Array ? uniformAffine(scaling) : null;

  const take = (rows: Int32Array): DataPart => {
    const labels =
      y instanceof Int32Array
        ? new Int32Array(rows.length * labelWidth)
        : new Float32Array(rows.length * labelWidth);
    rows.forEach((row, i) =>
      labels.set(y.subarray(row * labelWidth, (row + 1) * labelWidth), i * labelWidth),
    );
    let bytes: DataPart['bytes'] = null;
    if (affine && x instanceof Uint8Array) {
      const data = new Uint8Array(rows.length * featureSize);
      rows.forEach((row, i) =>
        data.set(x.subarray(row * featureSize, (row + 1) * featureSize), i * featureSize),
      );
      bytes = { data, ...affine };
    }
    let features: Float32Array<ArrayBuffer> | null = null;
    return {
      rows: rows.length,
      y: labels,
      bytes,
      get x() {
        if (!features) {
          features = new Float32Array(rows.length * featureSize);
          const out = features;
          rows.forEach((row, i) =>
            preprocessor.transform(
              x.subarray(row * featureSize, (row + 1) * featureSize),
              out.subarray(i * featureSize, (i + 1) * featureSize),
            ),
          );
        }
        return features;
      },
    };
  };
  return {
    schema: fitted,
    train: take(trainRows),
    validation: validationRows.length > 0 ? take(validationRows) : null,
    test: config.training.evaluateTest && splits.test.length > 0 ? take(splits.test) : null,
    labelWidth,
  };
}

/** (x − offset)·scale as byte·scale + shift when every channel shares one offset and one scale. */
function uniformAffine(scaling: ScalingSchema): { scale: number; shift: number } | null {
  const [offset, scale] = [scaling.offset[0], scaling.scale[0]];
  if (offset === undefined || scale === undefined) return null;
  if (scaling.offset.some((o) => o !== offset) || scaling.scale.some((s) => s !== scale)) return null;
  return { scale, shift: -offset * scale };
}

/**
 * Whether features travel as bytes: the data is uint8 with one affine scaling, the active backend
 * gathers bytes, and nothing rewrites the float rows each epoch (augmentation does, on the host).
 */
export function usesByteRows(data: PreparedData, config: RunConfig): boolean {
  return data.train.bytes !== null && !config.training.augmentation && getBackend().gatherBytes !== undefined;
}

/** A split as (features, labels) on the active backend; features as ByteRows when `asBytes`. */
export function toDevice(
  part: DataPart,
  schema: DatasetSchema,
  labelWidth: number,
  asBytes: boolean,
): [Tensor | ByteRows, Tensor] {
  const shape = [part.rows, ...schema.featureShape];
  const x =
    asBytes && part.bytes
      ? ByteRows.upload(part.bytes.data, shape, { scale: part.bytes.scale, shift: part.bytes.shift })
      : tensor(part.x, shape);
  const y =
    part.y instanceof Int32Array
      ? tensor(part.y, [part.rows], 'int32')
      : tensor(part.y, [part.rows, labelWidth], 'float32');
  return [x, y];
}

/** Fresh random transforms of the whole (scaled) training set at every epoch's start. Images only. */
export function augmentationCallback(
  config: RunConfig,
  seed: number,
  base: Float32Array,
  schema: DatasetSchema,
  trainX: Tensor,
): Callback {
  const shape = schema.featureShape;
  if (shape.length !== 3) {
    throw new Error(
      `training.augmentation needs an image dataset (height × width × channels); '${schema.name}' has rows of shape [${shape.join(', ')}]`,
    );
  }
  const augmenter = createAugmenter(config.training.augmentation!, seed ^ 0xa06);
  const rows = base.length / (shape[0]! * shape[1]! * shape[2]!);
  const out = new Float32Array(base.length);
  return {
    onEpochBegin() {
      augmenter.apply(base, [rows, shape[0]!, shape[1]!, shape[2]!], out);
      const fresh = tensor(out, trainX.shape);
      trainX.assign(fresh);
      fresh.dispose();
    },
  };
}
