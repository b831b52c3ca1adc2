// The runs half of the store on a real database file: migrations, listing, series, config errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRunConfig, RunConfigError } from '../../../core/lab/runs/config.js';
import { suggestName } from '../../../core/lab/runs/suggest.js';
import {
  addTags,
  defaultMigrationsDir,
  insertRun,
  listRuns,
  openStore,
  readMigrations,
  readSeries,
  upsertMetrics,
  getRun,
  type MetricPoint,
  type Store,
} from '../../../core/lab/store/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nnlab-runs-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('migrations', () => {
  it('bring an empty database and every earlier version to the latest', () => {
    const migrations = readMigrations(defaultMigrationsDir);
    const latest = migrations.length;
    expect(latest).toBeGreaterThanOrEqual(2);
    for (let version = 0; version < latest; version++) {
      const file = join(dir, `v${version}.db`);
      // A database at `version`: open it with only the first `version` migration files.
      const db = new Database(file);
      db.transaction(() => {
        for (const migration of migrations.slice(0, version)) db.exec(migration.sql);
        db.pragma(`user_version = ${version}`);
      })();
      if (version >= 1) {
        db.prepare(
          `INSERT INTO runs (id, name, config_json, status, seed, app_version, created_at) VALUES ('r', 'old', '{}', 'completed', 1, '0.1.0', 1)`,
        ).run();
      }
      db.close();
      const store = openStore(file);
      expect(store.schemaVersion).toBe(latest);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      if (version >= 1) {
        const run = getRun(store, 'r')!;
        expect(run.status).toBe('completed');
        expect(run.finalMetrics).toEqual({});
      }
      store.close();
    }
  });
});

function seed(store: Store, count: number): void {
  store.db.transaction(() => {
    for (let i = 0; i < count; i++) {
      insertRun(store, {
        id: `run-${String(i).padStart(3, '0')}`,
        name: i % 2 ? `mlp ${i}` : `cnn ${i}`,
        config: { i },
        status: i % 3 === 0 ? 'completed' : 'failed',
        seed: i,
        appVersion: '0.1.0',
        createdAt: 1000 + i,
      });
    }
  })();
}

describe('listing runs', () => {
  it('filters by status, tag and text, sorts and pages', () => {
    const store = openStore(join(dir, 'lab.db'));
    seed(store, 30);
    addTags(store, 'run-003', ['baseline', 'keep']);
    addTags(store, 'run-006', ['baseline']);
    expect(listRuns(store).total).toBe(30);
    expect(listRuns(store).runs[0]!.id).toBe('run-029');
    expect(listRuns(store, { filter: { status: ['completed'] } }).total).toBe(10);
    const tagged = listRuns(store, { filter: { tags: ['baseline', 'keep'] } });
    expect(tagged.runs.map((r) => r.id)).toEqual(['run-003']);
    expect(tagged.runs[0]!.tags).toEqual(['baseline', 'keep']);
    expect(listRuns(store, { filter: { search: 'MLP 1' } }).total).toBe(6); // 1, 11, 13, 15, 17, 19
    const page = listRuns(store, {
      sort: { by: 'createdAt', direction: 'asc' },
      page: { offset: 10, limit: 5 },
    });
    expect(page.runs.map((r) => r.id)).toEqual(['run-010', 'run-011', 'run-012', 'run-013', 'run-014']);
    store.close();
  });
});

describe('metric series', () => {
  it('upserts without duplicating steps and downsamples by min/max buckets', () => {
    const store = openStore(join(dir, 'lab.db'));
    seed(store, 1);
    const points: MetricPoint[] = [];
    for (let step = 1; step <= 1000; step++) {
      const value = step === 500 ? 99 : 1 / step;
      points.push({
        split: 'train',
        name: 'batch_loss',
        step,
        epoch: Math.floor((step - 1) / 100),
        value,
        wallTime: step,
      });
    }
    upsertMetrics(store, 'run-000', points);
    upsertMetrics(store, 'run-000', points.slice(0, 10)); // a resumed run re-reports
    const [full] = readSeries(store, 'run-000', { axis: 'step', maxPoints: 10_000 });
    expect(full!.total).toBe(1000);
    const [small] = readSeries(store, 'run-000', { axis: 'step', maxPoints: 100 });
    expect(small!.downsampled).toBe(true);
    expect(small!.x).toHaveLength(100);
    expect(Math.max(...(small!.max as number[]))).toBe(99); // the spike survives
    const [epochs] = readSeries(store, 'run-000', { axis: 'epoch' });
    expect(epochs!.x).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epochs!.max[4]).toBe(99);
    const run = getRun(store, 'run-000')!;
    expect(run.lastStep).toBe(1000);
    expect(run.lastEpoch).toBe(9);
    expect(run.finalMetrics.train!.batch_loss).toBeCloseTo(1 / 1000);
    store.close();
  });
});

describe('run config', () => {
  const base = { dataset: 'd', model: { layers: [{ type: 'dense', units: 2 }] } };

  it('accepts YAML with Keras names and fills defaults', () => {
    const config = parseRunConfig(
      'dataset: d\nmodel:\n  layers:\n    - { type: dense, units: 2 }\ntraining:\n  batchSize: 8\n  optimizer: { type: sgd, learningRate: 0.1, momentum: 0.9 }\n',
    );
    expect(config.training.batchSize).toBe(8);
    expect(config.training.epochs).toBe(10);
    expect(config.device).toBe('auto');
  });

  it('refuses misspelt options with the closest valid name and the list', () => {
    const error = (() => {
      try {
        parseRunConfig({
          ...base,
          training: { batchsize: 8, optimizer: { type: 'adam', learningrate: 0.1 } },
        });
      } catch (e) {
        return e;
      }
    })() as RunConfigError;
    expect(error).toBeInstanceOf(RunConfigError);
    expect(error.message).toMatch(
      /training\.batchsize: unknown option; did you mean 'batchSize'\? Valid options of training: optimizer, /,
    );
    expect(() => parseRunConfig({ ...base, training: { optimizer: 'adma' } })).toThrow(/did you mean 'adam'/);
    expect(() =>
      parseRunConfig({ ...base, training: { loss: 'sparse_categorical_crossentropy' } }),
    ).not.toThrow();
    expect(() => parseRunConfig({ ...base, training: { loss: 'sparseCategoricalCrosentropy' } })).toThrow(
      /did you mean 'sparseCategoricalCrossentropy'/,
    );
    expect(() => parseRunConfig({ ...base, device: 'gpuu' })).toThrow(/did you mean 'gpu'/);
    expect(() =>
      parseRunConfig({ ...base, training: { optimizer: { type: 'adam', learningrate: 1 } } }),
    ).toThrow(/did you mean 'learningRate'/);
    expect(suggestName('zzzzzz', ['batchSize'])).toBeUndefined();
  });
});
