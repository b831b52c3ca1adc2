// Typed access to `artifacts`: files a run produced (checkpoints, saved models, reports), stored
// under the data folder by content hash and referenced here with their size and hash.
import type { Store } from './open-store.js';

/** 'checkpoint' (weights, optimizer and RNG state, epoch) and 'model' (a saved model bundle) so far. */
export type ArtifactKind = 'checkpoint' | 'model' | 'report' | (string & {});

export interface ArtifactRow {
  id: string;
  runId: string;
  kind: ArtifactKind;
  /** Relative to the data folder. */
  file: string;
  sizeBytes: number;
  /** sha256, hex. */
  hash: string;
  createdAt: number;
  /** What it is of; for a checkpoint `{ epoch, step, monitorValue, best }`. */
  meta: Record<string, unknown> | null;
}

interface ArtifactRecord {
  id: string;
  run_id: string;
  kind: string;
  file: string;
  size_bytes: number;
  hash: string;
  created_at: number;
  meta_json: string | null;
}

const columns = 'id, run_id, kind, file, size_bytes, hash, created_at, meta_json';

function fromRecord(record: ArtifactRecord): ArtifactRow {
  return {
    id: record.id,
    runId: record.run_id,
    kind: record.kind,
    file: record.file,
    sizeBytes: record.size_bytes,
    hash: record.hash,
    createdAt: record.created_at,
    meta: record.meta_json === null ? null : (JSON.parse(record.meta_json) as Record<string, unknown>),
  };
}

export function insertArtifact(store: Store, artifact: ArtifactRow): void {
  store.db
    .prepare(`INSERT INTO artifacts (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(
      artifact.id,
      artifact.runId,
      artifact.kind,
      artifact.file,
      artifact.sizeBytes,
      artifact.hash,
      artifact.createdAt,
      artifact.meta === null ? null : JSON.stringify(artifact.meta),
    );
}

export function getArtifact(store: Store, id: string): ArtifactRow | undefined {
  const record = store.db.prepare(`SELECT ${columns} FROM artifacts WHERE id = ?`).get(id) as
    ArtifactRecord | undefined;
  return record ? fromRecord(record) : undefined;
}

/** A run's artifacts, oldest first; only `kind` when given. */
export function listArtifacts(store: Store, runId: string, kind?: ArtifactKind): ArtifactRow[] {
  const records = (
    kind === undefined
      ? store.db
          .prepare(`SELECT ${columns} FROM artifacts WHERE run_id = ? ORDER BY created_at, id`)
          .all(runId)
      : store.db
          .prepare(`SELECT ${columns} FROM artifacts WHERE run_id = ? AND kind = ? ORDER BY created_at, id`)
          .all(runId, kind)
  ) as ArtifactRecord[];
  return records.map(fromRecord);
}

/** True when a run points at it as best/last checkpoint, or a saved model uses it. */
export function artifactInUse(store: Store, id: string): boolean {
  const row = store.db
    .prepare(
      'SELECT EXISTS (SELECT 1 FROM runs WHERE best_checkpoint_id = @id OR last_checkpoint_id = @id) ' +
        'OR EXISTS (SELECT 1 FROM models WHERE artifact_id = @id) AS used',
    )
    .get({ id }) as { used: number };
  return row.used === 1;
}

/** Other artifacts rows naming the same file (content-hash names make duplicates share a file). */
export function artifactsForFile(store: Store, file: string): ArtifactRow[] {
  return (
    store.db.prepare(`SELECT ${columns} FROM artifacts WHERE file = ?`).all(file) as ArtifactRecord[]
  ).map(fromRecord);
}

export function deleteArtifactRow(store: Store, id: string): boolean {
  return store.db.prepare('DELETE FROM artifacts WHERE id = ?').run(id).changes > 0;
}
