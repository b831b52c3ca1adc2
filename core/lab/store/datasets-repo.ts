// Typed access to the `datasets` table.
import type { Store } from './open-store.js';

export type DatasetSourceKind = 'csv' | 'idx' | 'npy' | 'image-folder' | 'sample';
export type DatasetTask = 'classification' | 'regression';

/** One row of `datasets`, with JSON columns kept as text (`schemaJson`) or parsed (`featureShape`). */
export interface DatasetRow {
  id: string;
  name: string;
  sourceKind: DatasetSourceKind;
  task: DatasetTask;
  /** Unix epoch milliseconds. */
  createdAt: number;
  schemaJson: string;
  contentHash: string;
  /** Folder holding the dataset's blocks, relative to the data folder. */
  folder: string;
  trainRows: number;
  validationRows: number;
  testRows: number;
  featureShape: number[];
  bytes: number;
}

interface DatasetRecord {
  id: string;
  name: string;
  source_kind: DatasetSourceKind;
  task: DatasetTask;
  created_at: number;
  schema_json: string;
  content_hash: string;
  folder: string;
  train_rows: number;
  validation_rows: number;
  test_rows: number;
  feature_shape: string;
  bytes: number;
}

const columns =
  'id, name, source_kind, task, created_at, schema_json, content_hash, folder, ' +
  'train_rows, validation_rows, test_rows, feature_shape, bytes';

function fromRecord(record: DatasetRecord): DatasetRow {
  return {
    id: record.id,
    name: record.name,
    sourceKind: record.source_kind,
    task: record.task,
    createdAt: record.created_at,
    schemaJson: record.schema_json,
    contentHash: record.content_hash,
    folder: record.folder,
    trainRows: record.train_rows,
    validationRows: record.validation_rows,
    testRows: record.test_rows,
    featureShape: JSON.parse(record.feature_shape) as number[],
    bytes: record.bytes,
  };
}

export function insertDataset(store: Store, row: DatasetRow): void {
  store.db
    .prepare(
      `INSERT INTO datasets (${columns}) VALUES (@id, @name, @source_kind, @task, @created_at, @schema_json, ` +
        `@content_hash, @folder, @train_rows, @validation_rows, @test_rows, @feature_shape, @bytes)`,
    )
    .run({
      id: row.id,
      name: row.name,
      source_kind: row.sourceKind,
      task: row.task,
      created_at: row.createdAt,
      schema_json: row.schemaJson,
      content_hash: row.contentHash,
      folder: row.folder,
      train_rows: row.trainRows,
      validation_rows: row.validationRows,
      test_rows: row.testRows,
      feature_shape: JSON.stringify(row.featureShape),
      bytes: row.bytes,
    } satisfies DatasetRecord);
}

export function getDataset(store: Store, id: string): DatasetRow | undefined {
  const record = store.db.prepare(`SELECT ${columns} FROM datasets WHERE id = ?`).get(id) as
    DatasetRecord | undefined;
  return record ? fromRecord(record) : undefined;
}

/** All datasets, newest first. */
export function listDatasets(store: Store): DatasetRow[] {
  const records = store.db
    .prepare(`SELECT ${columns} FROM datasets ORDER BY created_at DESC, id`)
    .all() as DatasetRecord[];
  return records.map(fromRecord);
}

export function renameDataset(store: Store, id: string, name: string): boolean {
  return store.db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id).changes > 0;
}

/**
 * Deletes the row (runs keep their history: their `dataset_id` becomes NULL). The files are the
 * caller's to remove; see `deleteDatasetFiles` in core/lab/datasets.
 */
export function deleteDataset(store: Store, id: string): boolean {
  return store.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
}
