// What every importer hands to the orchestrator: decoded features and labels, before splits,
// imputation and scaling.
import type { ColumnSchema, DatasetSourceKind, DatasetTask, MissingPolicy, ScalingKind } from './schema.js';

export interface ImportedData {
  sourceKind: DatasetSourceKind;
  sourceFiles: string[];
  /** Row-major features; NaN marks a missing table cell still to be filled. */
  x: Float32Array | Uint8Array;
  rows: number;
  featureShape: number[];
  y: Int32Array | Float32Array;
  task: DatasetTask;
  classNames: string[] | null;
  targetName: string;
  columns: ColumnSchema[];
  featureNames?: string[];
  /** Rows from this index on came from separate test files and form the test split. */
  testStart?: number;
  /** True when x holds NaN cells that the missing-value policy fills. */
  hasMissing: boolean;
  missing: { policy: MissingPolicy; constant?: number | string; droppedRows: number };
  previewRows?: string[][];
  /** The scaling used when the caller does not choose one. */
  defaultScaling: ScalingKind;
}

export type ImportPhase = 'scanning' | 'reading' | 'decoding' | 'preprocessing' | 'writing' | 'done';

export interface ImportProgress {
  phase: ImportPhase;
  /** The file being read, when there is one. */
  file?: string;
  /** Work done and total in the phase's unit (bytes, images, rows). */
  done: number;
  total: number;
}

export interface ImportContext {
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}
