// What the UI shows of a dataset before training: the first rows, per-column statistics, class
// balance per split, and sample images per class.
import { loadDataset, type LoadedDataset } from './load.js';
import type { ColumnStats, ColumnType, DatasetSchema } from './schema.js';

export interface ColumnPreview extends ColumnStats {
  name: string;
  type: ColumnType | 'pixel';
  role: 'feature' | 'target' | 'ignored';
}

export interface ClassBalance {
  classIndex: number;
  className: string;
  total: number;
  train: number;
  validation: number;
  test: number;
}

export interface SampleImage {
  /** Row index in the dataset. */
  row: number;
  /** HWC uint8 pixels (float images are stretched to 0–255). */
  pixels: Uint8Array;
}

export interface DatasetPreview {
  schema: DatasetSchema;
  /** The header and first rows as text: the source's own cells for tables. */
  firstRows: { header: string[]; rows: string[][] };
  columns: ColumnPreview[];
  classBalance: ClassBalance[] | null;
  /** For images: height, width, channels, and up to `samplesPerClass` training images per class. */
  samples: {
    height: number;
    width: number;
    channels: number;
    classes: { className: string; images: SampleImage[] }[];
  } | null;
}

export interface PreviewOptions {
  /** Defaults to 20. */
  rows?: number;
  /** Defaults to 8. */
  samplesPerClass?: number;
  /** Feature columns (or channels) with statistics, for arrays. Defaults to 64. */
  maxColumns?: number;
}

export async function previewDataset(
  dataDir: string,
  id: string,
  options: PreviewOptions = {},
): Promise<DatasetPreview> {
  return previewLoaded(await loadDataset(dataDir, id), options);
}

export function previewLoaded(data: LoadedDataset, options: PreviewOptions = {}): DatasetPreview {
  const { schema } = data;
  const image = schema.featureShape.length === 3;
  return {
    schema,
    firstRows: firstRows(data, options.rows ?? 20),
    columns:
      schema.columns.length > 0 ? tableColumns(schema) : arrayColumns(data, image, options.maxColumns ?? 64),
    classBalance: classBalance(data),
    samples: image ? sampleImages(data, options.samplesPerClass ?? 8) : null,
  };
}

function firstRows(data: LoadedDataset, count: number): DatasetPreview['firstRows'] {
  const { schema } = data;
  if (schema.previewRows && schema.columns.length > 0) {
    const hasHeader =
      schema.previewRows.length > 0 &&
      schema.previewRows[0]!.every((cell, i) => cell === schema.columns[i]?.name);
    const rows = hasHeader ? schema.previewRows.slice(1) : schema.previewRows;
    return { header: schema.columns.map((column) => column.name), rows: rows.slice(0, count) };
  }
  const rowSize = schema.featureShape.reduce((a, b) => a * b, 1);
  const shown = Math.min(rowSize, 16);
  const header = [
    ...Array.from({ length: shown }, (_, i) => schema.featureNames?.[i] ?? `x${i}`),
    schema.target.name,
  ];
  const rows: string[][] = [];
  for (let row = 0; row < Math.min(count, schema.rows); row++) {
    const cells = Array.from(data.x.subarray(row * rowSize, row * rowSize + shown), (v) => formatNumber(v));
    const label = data.y[row]!;
    cells.push(
      schema.target.classNames ? (schema.target.classNames[label] ?? String(label)) : formatNumber(label),
    );
    rows.push(cells);
  }
  return { header, rows };
}

function tableColumns(schema: DatasetSchema): ColumnPreview[] {
  return schema.columns.map((column) => ({
    name: column.name,
    type: column.type,
    role: column.role,
    ...column.stats,
  }));
}

/** Statistics per feature (arrays) or per colour channel (images), over all rows. */
function arrayColumns(data: LoadedDataset, image: boolean, maxColumns: number): ColumnPreview[] {
  const { schema, x } = data;
  const rowSize = schema.featureShape.reduce((a, b) => a * b, 1);
  const channels = image ? schema.featureShape[2]! : rowSize;
  const shown = Math.min(channels, maxColumns);
  const stats: ColumnPreview[] = [];
  for (let c = 0; c < shown; c++) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sumSquares = 0;
    let count = 0;
    const distinct = new Set<number>();
    for (let i = c; i < x.length; i += channels) {
      const value = x[i]!;
      if (value < min) min = value;
      if (value > max) max = value;
      sum += value;
      sumSquares += value * value;
      count++;
      if (distinct.size <= 1000) distinct.add(value);
    }
    const mean = count ? sum / count : 0;
    stats.push({
      name: image
        ? channels === 1
          ? 'gray'
          : (['red', 'green', 'blue', 'alpha'][c] ?? `channel ${c}`)
        : (schema.featureNames?.[c] ?? `x${c}`),
      type: image ? 'pixel' : 'numeric',
      role: 'feature',
      count,
      missing: 0,
      distinct: Math.min(distinct.size, 1000),
      distinctCapped: distinct.size > 1000,
      min: count ? min : null,
      max: count ? max : null,
      mean: count ? mean : null,
      std: count ? Math.sqrt(Math.max(0, sumSquares / count - mean * mean)) : null,
      top: [],
    });
  }
  return stats;
}

function classBalance(data: LoadedDataset): ClassBalance[] | null {
  const names = data.schema.target.classNames;
  if (!names) return null;
  const balance = names.map((className, classIndex) => ({
    classIndex,
    className,
    total: 0,
    train: 0,
    validation: 0,
    test: 0,
  }));
  for (const split of ['train', 'validation', 'test'] as const) {
    for (const row of data.splits[split]) {
      const entry = balance[data.y[row]!];
      if (entry) {
        entry[split]++;
        entry.total++;
      }
    }
  }
  return balance;
}

function sampleImages(data: LoadedDataset, perClass: number): DatasetPreview['samples'] {
  const [height, width, channels] = data.schema.featureShape as [number, number, number];
  const rowSize = height * width * channels;
  const names = data.schema.target.classNames ?? [];
  const classes = names.map((className) => ({ className, images: [] as SampleImage[] }));
  let range: [number, number] | undefined;
  if (data.x instanceof Float32Array) {
    let min = Infinity;
    let max = -Infinity;
    for (const value of data.x) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
    range = [min, max > min ? max : min + 1];
  }
  for (const row of data.splits.train.length > 0 ? data.splits.train : data.splits.test) {
    const entry = classes[data.y[row]!];
    if (!entry || entry.images.length >= perClass) continue;
    const source = data.x.subarray(row * rowSize, (row + 1) * rowSize);
    const pixels = range
      ? Uint8Array.from(source, (v) => Math.round(((v - range[0]) / (range[1] - range[0])) * 255))
      : Uint8Array.from(source);
    entry.images.push({ row, pixels });
    if (classes.every((c) => c.images.length >= perClass)) break;
  }
  return { height, width, channels, classes };
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
