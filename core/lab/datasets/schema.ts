// The stored form of a dataset, described by `schema.json` beside its binary blocks.
import type { DatasetSourceKind, DatasetTask } from '../store/datasets-repo.js';

export type { DatasetSourceKind, DatasetTask };

export const SCHEMA_FORMAT_VERSION = 1;

/** Element type of the feature block: images stay uint8, everything else is float32. */
export type FeatureDtype = 'float32' | 'uint8';
/** Element type of the label block: class indices or regression targets. */
export type LabelDtype = 'int32' | 'float32';

/** numeric: a number; categorical: one of a few values; boolean: yes/no; ignored: text or an id. */
export type ColumnType = 'numeric' | 'categorical' | 'boolean' | 'ignored';
export type CategoricalEncoding = 'onehot' | 'ordinal';
export type MissingPolicy = 'drop' | 'mean' | 'median' | 'constant' | 'refuse';
/**
 * standardize: z-score; minmax01: to [0, 1]; minmax11: to [-1, 1]; divide255: pixels to [0, 1];
 * none: left as stored.
 */
export type ScalingKind = 'none' | 'standardize' | 'minmax01' | 'minmax11' | 'divide255';

export interface ColumnStats {
  /** Cells holding a value. */
  count: number;
  missing: number;
  distinct: number;
  /** True when there were more distinct values than were counted. */
  distinctCapped: boolean;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  /** The most frequent values with their counts. */
  top: { value: string; count: number }[];
}

export interface ColumnSchema {
  name: string;
  /** Position in the source file. */
  sourceIndex: number;
  type: ColumnType;
  role: 'feature' | 'target' | 'ignored';
  /** For categorical features. */
  encoding?: CategoricalEncoding;
  /** For categorical and boolean columns: the values, in encoding order. */
  categories?: string[];
  /** Where the column's encoded values sit in a feature row, and how many there are. */
  featureOffset?: number;
  featureWidth?: number;
  /** The value put in a missing cell (a number, or a category name); fitted on the training split. */
  fill?: number | string;
  stats: ColumnStats;
}

export interface BlockFile {
  file: string;
  dtype: FeatureDtype | LabelDtype | 'int32';
  /** Elements, not bytes. */
  length: number;
  bytes: number;
  sha256: string;
}

/**
 * y = (x - offset[c]) * scale[c] for feature element x whose channel is c. Tables have one
 * channel per feature; images one per colour channel (the last axis of NHWC).
 */
export interface ScalingSchema {
  kind: ScalingKind;
  channels: number;
  offset: number[];
  scale: number[];
  fittedOn: 'train';
}

export interface SplitsSchema {
  seed: number;
  stratified: boolean;
  validationFraction: number;
  testFraction: number;
  /** True when the test rows came from separate test files. */
  testFromSource: boolean;
  /** Counts; the indices are stored in the splits block as train, then validation, then test. */
  train: number;
  validation: number;
  test: number;
}

export interface DatasetSchema {
  formatVersion: typeof SCHEMA_FORMAT_VERSION;
  id: string;
  name: string;
  sourceKind: DatasetSourceKind;
  /** Base names of the files it came from. */
  sourceFiles: string[];
  createdAt: number;
  task: DatasetTask;
  rows: number;
  featureShape: number[];
  featureDtype: FeatureDtype;
  /** One name per feature element for tables (e.g. "color=red"); absent for images. */
  featureNames?: string[];
  /** Source columns for tables; empty for images and arrays. */
  columns: ColumnSchema[];
  target: { name: string; classNames: string[] | null };
  labelDtype: LabelDtype;
  /** Rows per class over the whole dataset (classification). */
  classCounts: number[] | null;
  missing: { policy: MissingPolicy; constant?: number | string; droppedRows: number };
  scaling: ScalingSchema;
  splits: SplitsSchema;
  blocks: { x: BlockFile; y: BlockFile; splits: BlockFile };
  /** The first rows as they appeared in the source (tables). */
  previewRows?: string[][];
  /** sha256 over the blocks and this schema (without id, name, time and the hash itself). */
  contentHash: string;
}
