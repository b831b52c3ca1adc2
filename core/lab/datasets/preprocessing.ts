// Missing-value filling and feature scaling, both fitted on the training split only, and the
// Preprocessor that replays them on new inputs at prediction time.
import { encodeCell } from './csv-import.js';
import { isMissing, parseBoolean } from './csv-infer.js';
import { DatasetImportError, quoteFound } from './errors.js';
import { decodeImage, resizeInto } from './image-decode.js';
import type { ImportedData } from './imported-data.js';
import type { ColumnSchema, DatasetSchema, ScalingKind, ScalingSchema } from './schema.js';

/**
 * Replaces the NaN cells of `data.x` by each column's fill value, computed from the training
 * rows: the mean or median for numbers, the most frequent value for categories and booleans,
 * or the chosen constant. Records the value in `column.fill`.
 */
export function fillMissing(data: ImportedData, train: Int32Array): void {
  if (!data.hasMissing || !(data.x instanceof Float32Array)) return;
  const x = data.x;
  const width = data.featureShape[0]!;
  const { policy, constant } = data.missing;
  for (const column of data.columns) {
    if (column.role !== 'feature' || column.stats.missing === 0) continue;
    const offset = column.featureOffset!;
    const span = column.featureWidth!;
    let fill: number[];
    if (column.type === 'numeric') {
      const value =
        policy === 'constant' ? Number(constant) : fitCentre(x, width, offset, train, policy === 'median');
      if (!Number.isFinite(value)) {
        throw new DatasetImportError({
          column: column.name,
          found: `fill value ${quoteFound(String(constant))}`,
          expected: 'a number for a numeric column',
        });
      }
      column.fill = value;
      fill = [value];
    } else {
      let index = policy === 'constant' ? constantCategory(column, constant) : -1;
      if (index < 0) index = modeCategory(x, width, column, train);
      column.fill = column.categories![index]!;
      fill =
        column.type === 'categorical' && column.encoding === 'onehot'
          ? Array.from({ length: span }, (_, k) => (k === index ? 1 : 0))
          : [index];
    }
    for (let row = 0; row < data.rows; row++) {
      const at = row * width + offset;
      if (Number.isNaN(x[at]!)) for (let k = 0; k < span; k++) x[at + k] = fill[k]!;
    }
  }
}

function fitCentre(
  x: Float32Array,
  width: number,
  offset: number,
  train: Int32Array,
  median: boolean,
): number {
  const values: number[] = [];
  for (const row of train) {
    const value = x[row * width + offset]!;
    if (!Number.isNaN(value)) values.push(value);
  }
  if (values.length === 0) return 0;
  if (!median) return values.reduce((sum, v) => sum + v, 0) / values.length;
  values.sort((a, b) => a - b);
  const middle = values.length >> 1;
  return values.length % 2 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
}

function constantCategory(column: ColumnSchema, constant: number | string | undefined): number {
  if (constant === undefined) return -1;
  if (column.type === 'boolean') {
    const value = typeof constant === 'number' ? constant : parseBoolean(String(constant));
    return value === 0 || value === 1 ? value : -1;
  }
  return column.categories!.indexOf(String(constant));
}

function modeCategory(x: Float32Array, width: number, column: ColumnSchema, train: Int32Array): number {
  const counts = new Float64Array(column.categories!.length);
  const offset = column.featureOffset!;
  const onehot = column.type === 'categorical' && column.encoding === 'onehot';
  for (const row of train) {
    const at = row * width + offset;
    if (Number.isNaN(x[at]!)) continue;
    if (onehot) for (let k = 0; k < counts.length; k++) counts[k]! += x[at + k]!;
    else counts[x[at]!]!++;
  }
  let best = 0;
  for (let k = 1; k < counts.length; k++) if (counts[k]! > counts[best]!) best = k;
  return best;
}

/**
 * Fits `kind` on the training rows. Images get one channel per colour (the last axis); tables
 * one per feature, and only numeric columns are scaled (encoded categories stay 0/1 or indices).
 */
export function fitScaling(
  kind: ScalingKind,
  x: Float32Array | Uint8Array,
  featureShape: number[],
  train: Int32Array,
  columns: ColumnSchema[] = [],
): ScalingSchema {
  const isTable = columns.length > 0;
  const channels = isTable ? featureShape[0]! : featureShape.at(-1)!;
  const rowSize = featureShape.reduce((a, b) => a * b, 1);
  const offset = new Array<number>(channels).fill(0);
  const scale = new Array<number>(channels).fill(1);
  const scaled = new Array<boolean>(channels).fill(!isTable);
  for (const column of columns) {
    if (column.role === 'feature' && column.type === 'numeric') scaled[column.featureOffset!] = true;
  }
  if (kind === 'divide255') {
    scaled.forEach((on, c) => on && (scale[c] = 1 / 255));
  } else if (kind !== 'none') {
    const count = new Float64Array(channels);
    const sum = new Float64Array(channels);
    const sumSquares = new Float64Array(channels);
    const min = new Float64Array(channels).fill(Infinity);
    const max = new Float64Array(channels).fill(-Infinity);
    for (const row of train) {
      const base = row * rowSize;
      for (let i = 0; i < rowSize; i++) {
        const c = i % channels;
        const value = x[base + i]!;
        count[c]!++;
        sum[c]! += value;
        sumSquares[c]! += value * value;
        if (value < min[c]!) min[c] = value;
        if (value > max[c]!) max[c] = value;
      }
    }
    for (let c = 0; c < channels; c++) {
      if (!scaled[c] || count[c] === 0) continue;
      if (kind === 'standardize') {
        const mean = sum[c]! / count[c]!;
        const std = Math.sqrt(Math.max(0, sumSquares[c]! / count[c]! - mean * mean));
        offset[c] = mean;
        scale[c] = std > 1e-12 ? 1 / std : 1;
      } else {
        const range = max[c]! - min[c]!;
        const safe = range > 1e-12 ? range : 1;
        offset[c] = kind === 'minmax01' ? min[c]! : (min[c]! + max[c]!) / 2;
        scale[c] = (kind === 'minmax01' ? 1 : 2) / safe;
      }
    }
  }
  return { kind, channels, offset, scale, fittedOn: 'train' };
}

/** A raw input for `encodeRecords`: cells by source column name. */
export type RawRecord = Record<string, string | number | boolean | null | undefined>;

/**
 * Applies a dataset's stored transform to new inputs, exactly as its training data saw it:
 * categorical encodings, missing-value fills and scaling.
 */
export class Preprocessor {
  readonly featureSize: number;
  private readonly offset: Float32Array;
  private readonly scale: Float32Array;

  constructor(readonly schema: DatasetSchema) {
    this.featureSize = schema.featureShape.reduce((a, b) => a * b, 1);
    this.offset = Float32Array.from(schema.scaling.offset);
    this.scale = Float32Array.from(schema.scaling.scale);
  }

  /** Scales whole stored-form rows (any number of them) into float32. */
  transform(x: Float32Array | Uint8Array, out = new Float32Array(x.length)): Float32Array {
    if (x.length % this.featureSize !== 0) {
      throw new RangeError(
        `expected a multiple of ${this.featureSize} values (one row each), got ${x.length}`,
      );
    }
    const channels = this.schema.scaling.channels;
    for (let i = 0; i < x.length; i++) {
      const c = i % channels;
      out[i] = (x[i]! - this.offset[c]!) * this.scale[c]!;
    }
    return out;
  }

  /**
   * Encodes and scales raw table rows given by column name (e.g. parsed from a CSV of new
   * inputs); the target column may be absent. Missing cells get the training fill, or an error
   * when the dataset had none (policy 'drop' or 'refuse').
   */
  encodeRecords(records: RawRecord[]): Float32Array {
    if (this.schema.columns.length === 0) {
      throw new Error(`dataset '${this.schema.name}' is not a table: use transform() on its feature rows`);
    }
    const width = this.featureSize;
    const out = new Float32Array(records.length * width);
    records.forEach((record, index) => {
      for (const column of this.schema.columns) {
        if (column.role !== 'feature') continue;
        const value = record[column.name];
        let raw = value === null || value === undefined ? '' : String(value);
        if (isMissing(raw)) {
          if (column.fill === undefined) {
            throw new DatasetImportError({
              record: { index },
              column: column.name,
              found: 'a missing value',
              expected: `a value (dataset '${this.schema.name}' has no fill value for this column)`,
            });
          }
          raw = String(column.fill);
        }
        if (typeof value === 'boolean') raw = value ? 'true' : 'false';
        encodeCell('input', index + 1, column, raw, out, index * width + column.featureOffset!);
      }
    });
    return this.transform(out, out);
  }

  /**
   * Decodes a PNG or JPEG, resizes it to the dataset's image size and colour mode, and scales
   * it: one float32 row ready for prediction.
   */
  encodeImage(bytes: Buffer, file = 'image'): Float32Array {
    const [height, width, channels] = this.schema.featureShape;
    if (this.schema.featureShape.length !== 3 || (channels !== 1 && channels !== 3)) {
      throw new Error(`dataset '${this.schema.name}' does not hold 1- or 3-channel images`);
    }
    const pixels = new Uint8Array(this.featureSize);
    resizeInto(decodeImage(file, bytes), width!, height!, channels === 3 ? 'rgb' : 'grayscale', pixels, 0);
    return this.transform(pixels);
  }

  /** The class name of a predicted index (classification). */
  className(index: number): string {
    return this.schema.target.classNames?.[index] ?? String(index);
  }
}
