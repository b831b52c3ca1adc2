import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deleteDataset,
  getDataset,
  insertDataset,
  listDatasets,
  openStore,
  renameDataset,
  type DatasetRow,
  type Store,
} from '../../../core/lab/store/index.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nnlab-fk-'));
  store = openStore(join(dir, 'lab.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function dataset(id: string, createdAt = 1): DatasetRow {
  return {
    id,
    name: `set ${id}`,
    sourceKind: 'csv',
    task: 'classification',
    createdAt,
    schemaJson: '{"a":1}',
    contentHash: 'abc',
    folder: `datasets/${id}`,
    trainRows: 8,
    validationRows: 1,
    testRows: 1,
    featureShape: [3],
    bytes: 120,
  };
}

function insertRun(id: string, datasetId: string | null, sweepId: string | null = null): void {
  store.db
    .prepare(
      `INSERT INTO runs (id, name, config_json, status, seed, app_version, dataset_id, dataset_content_hash,
       created_at, sweep_id) VALUES (?, ?, '{}', 'queued', 1, '0.1.0', ?, 'abc', 1, ?)`,
    )
    .run(id, id, datasetId, sweepId);
}

function count(table: string): number {
  return store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

describe('datasets repository', () => {
  it('inserts, reads, lists newest first, renames and deletes', () => {
    insertDataset(store, dataset('a', 1));
    insertDataset(store, dataset('b', 2));
    expect(getDataset(store, 'a')).toEqual(dataset('a', 1));
    expect(getDataset(store, 'missing')).toBeUndefined();
    expect(listDatasets(store).map((row) => row.id)).toEqual(['b', 'a']);
    expect(renameDataset(store, 'a', 'renamed')).toBe(true);
    expect(getDataset(store, 'a')!.name).toBe('renamed');
    expect(deleteDataset(store, 'a')).toBe(true);
    expect(deleteDataset(store, 'a')).toBe(false);
    expect(listDatasets(store)).toHaveLength(1);
  });

  it('rejects an unknown source kind or task through CHECK constraints', () => {
    expect(() => insertDataset(store, { ...dataset('x'), task: 'clustering' as never })).toThrow(/CHECK/);
  });
});

describe('foreign keys and cascades', () => {
  it('refuses a run that points at a dataset that does not exist', () => {
    expect(() => insertRun('r1', 'nope')).toThrow(/FOREIGN KEY/);
  });

  it('keeps runs when their dataset is deleted, with the dataset id cleared', () => {
    insertDataset(store, dataset('d'));
    insertRun('r1', 'd');
    deleteDataset(store, 'd');
    const run = store.db.prepare('SELECT dataset_id, dataset_content_hash FROM runs').get();
    expect(run).toEqual({ dataset_id: null, dataset_content_hash: 'abc' });
  });

  it('deletes metrics, layer health, tags and artifacts with their run', () => {
    insertRun('r1', null);
    insertRun('r2', null);
    const metric = store.db.prepare(
      `INSERT INTO metrics (run_id, split, name, step, epoch, value, wall_time) VALUES (?, 'train', 'loss', ?, 0, ?, 1)
       ON CONFLICT (run_id, split, name, step) DO UPDATE SET value = excluded.value`,
    );
    metric.run('r1', 1, 0.5);
    metric.run('r1', 1, 0.25); // upsert: replaces, does not duplicate
    metric.run('r1', 2, 0.2);
    metric.run('r2', 1, 0.9);
    expect(count('metrics')).toBe(3);
    expect(store.db.prepare("SELECT value FROM metrics WHERE run_id='r1' AND step=1").pluck().get()).toBe(
      0.25,
    );
    store.db
      .prepare("INSERT INTO layer_health (run_id, epoch, layer, weight_norm) VALUES ('r1', 0, 'dense', 1)")
      .run();
    store.db.prepare("INSERT INTO tags (run_id, tag) VALUES ('r1', 'baseline')").run();
    store.db
      .prepare(
        "INSERT INTO artifacts (id, run_id, kind, file, size_bytes, hash, created_at) VALUES ('a1', 'r1', 'checkpoint', 'f', 1, 'h', 1)",
      )
      .run();
    store.db.prepare("UPDATE runs SET best_checkpoint_id = 'a1' WHERE id = 'r1'").run();

    store.db.prepare("DELETE FROM runs WHERE id = 'r1'").run();
    expect(count('metrics')).toBe(1);
    expect(count('layer_health')).toBe(0);
    expect(count('tags')).toBe(0);
    expect(count('artifacts')).toBe(0);
  });

  it('refuses to delete a run while a saved model pins one of its artifacts', () => {
    insertRun('r1', null);
    store.db
      .prepare(
        "INSERT INTO artifacts (id, run_id, kind, file, size_bytes, hash, created_at) VALUES ('a1', 'r1', 'model', 'f', 1, 'h', 1)",
      )
      .run();
    store.db
      .prepare(
        "INSERT INTO models (id, name, run_id, artifact_id, created_at) VALUES ('m1', 'best', 'r1', 'a1', 1)",
      )
      .run();
    expect(() => store.db.prepare("DELETE FROM runs WHERE id = 'r1'").run()).toThrow(/FOREIGN KEY/);
    expect(() =>
      store.db
        .prepare(
          "INSERT INTO models (id, name, run_id, artifact_id, created_at) VALUES ('m2', 'best', 'r1', 'a1', 1)",
        )
        .run(),
    ).toThrow(/UNIQUE/);
    store.db.prepare("DELETE FROM models WHERE id = 'm1'").run();
    store.db.prepare("DELETE FROM runs WHERE id = 'r1'").run();
    expect(count('artifacts')).toBe(0);
  });

  it('deletes trials with their sweep and keeps the runs', () => {
    store.db
      .prepare(
        "INSERT INTO sweeps (id, name, config_json, status, created_at) VALUES ('s1', 'lr', '{}', 'running', 1)",
      )
      .run();
    insertRun('r1', null, 's1');
    store.db
      .prepare(
        "INSERT INTO trials (id, sweep_id, trial_index, run_id, config_json, status, created_at) VALUES ('t1', 's1', 0, 'r1', '{}', 'running', 1)",
      )
      .run();
    store.db.prepare("DELETE FROM sweeps WHERE id = 's1'").run();
    expect(count('trials')).toBe(0);
    expect(store.db.prepare("SELECT sweep_id FROM runs WHERE id = 'r1'").pluck().get()).toBeNull();
  });

  it('refuses a status outside the allowed set', () => {
    expect(() =>
      store.db
        .prepare(
          "INSERT INTO runs (id, name, config_json, status, seed, app_version, created_at) VALUES ('r', 'r', '{}', 'exploded', 1, 'v', 1)",
        )
        .run(),
    ).toThrow(/CHECK/);
  });
});
