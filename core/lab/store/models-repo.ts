// Typed access to `models`: a run's weights saved under a unique name, for prediction.
import type { Store } from './open-store.js';

export interface ModelRow {
  id: string;
  name: string;
  /** The run it came from; null once that run is deleted. */
  runId: string | null;
  /** The checkpoint artifact it was saved from (weights, spec, preprocessing). */
  artifactId: string;
  createdAt: number;
  /** The artifact's size, when it still exists. */
  sizeBytes: number | null;
  /** Relative to the data folder. */
  file: string | null;
  /** What it predicts: `{ task, classNames, featureShape, … }` (models.ts writes it). */
  meta: Record<string, unknown> | null;
}

interface ModelRecord {
  id: string;
  name: string;
  run_id: string | null;
  artifact_id: string;
  created_at: number;
  size_bytes: number | null;
  file: string | null;
  meta_json: string | null;
}

const select =
  'SELECT m.id, m.name, m.run_id, m.artifact_id, m.created_at, m.meta_json, a.size_bytes, a.file ' +
  'FROM models m LEFT JOIN artifacts a ON a.id = m.artifact_id';

function fromRecord(record: ModelRecord): ModelRow {
  return {
    id: record.id,
    name: record.name,
    runId: record.run_id,
    artifactId: record.artifact_id,
    createdAt: record.created_at,
    sizeBytes: record.size_bytes,
    file: record.file,
    meta: record.meta_json === null ? null : (JSON.parse(record.meta_json) as Record<string, unknown>),
  };
}

/** Thrown when a model name is already taken. */
export class ModelNameTakenError extends Error {
  constructor(readonly modelName: string) {
    super(`A saved model named '${modelName}' already exists; choose another name or delete it first.`);
    this.name = 'ModelNameTakenError';
  }
}

export function insertModel(
  store: Store,
  model: {
    id: string;
    name: string;
    runId: string | null;
    artifactId: string;
    createdAt: number;
    meta?: Record<string, unknown> | null;
  },
): void {
  if (getModelByName(store, model.name)) throw new ModelNameTakenError(model.name);
  store.db
    .prepare(
      'INSERT INTO models (id, name, run_id, artifact_id, created_at, meta_json) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(
      model.id,
      model.name,
      model.runId,
      model.artifactId,
      model.createdAt,
      model.meta ? JSON.stringify(model.meta) : null,
    );
}

export function getModel(store: Store, id: string): ModelRow | undefined {
  const record = store.db.prepare(`${select} WHERE m.id = ?`).get(id) as ModelRecord | undefined;
  return record ? fromRecord(record) : undefined;
}

export function getModelByName(store: Store, name: string): ModelRow | undefined {
  const record = store.db.prepare(`${select} WHERE m.name = ?`).get(name) as ModelRecord | undefined;
  return record ? fromRecord(record) : undefined;
}

/** Saved models, newest first. */
export function listModels(store: Store): ModelRow[] {
  return (store.db.prepare(`${select} ORDER BY m.created_at DESC, m.id`).all() as ModelRecord[]).map(
    fromRecord,
  );
}

/** Deletes the row only; the artifact stays with its run (which can then be deleted). */
export function deleteModelRow(store: Store, id: string): boolean {
  return store.db.prepare('DELETE FROM models WHERE id = ?').run(id).changes > 0;
}
