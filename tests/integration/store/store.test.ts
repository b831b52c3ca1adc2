import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultMigrationsDir,
  MigrationError,
  openStore,
  readMigrations,
  StoreVersionError,
  type Store,
} from '../../../core/lab/store/index.js';

let dir: string;
const opened: Store[] = [];
function open(path: string, migrationsDir?: string): Store {
  const store = openStore(path, migrationsDir ? { migrationsDir } : {});
  opened.push(store);
  return store;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nnlab-store-'));
});
afterEach(() => {
  for (const store of opened.splice(0)) if (store.db.open) store.close();
  rmSync(dir, { recursive: true, force: true });
});

function tables(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((row) => row.name);
}

describe('openStore', () => {
  it('migrates an empty database to the latest version with WAL and foreign keys on', () => {
    const store = open(join(dir, 'lab.db'));
    expect(store.schemaVersion).toBe(readMigrations(defaultMigrationsDir).length);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(tables(store.db)).toEqual(
      expect.arrayContaining([
        'artifacts',
        'datasets',
        'layer_health',
        'metrics',
        'models',
        'runs',
        'sweeps',
        'tags',
        'trials',
      ]),
    );
  });

  it('reopens an up-to-date database without reapplying migrations', () => {
    const path = join(dir, 'lab.db');
    open(path).close();
    const again = open(path);
    expect(again.schemaVersion).toBe(readMigrations(defaultMigrationsDir).length);
  });

  it('refuses a database newer than the app, naming the file and both versions', () => {
    const path = join(dir, 'future.db');
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    const before = readFileSync(path);
    let error: unknown;
    try {
      open(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StoreVersionError);
    expect((error as Error).message).toMatch(
      new RegExp(`future\\.db.*version 99.*up to ${readMigrations(defaultMigrationsDir).length}`),
    );
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('applies new migrations in order on a later open', () => {
    const migrations = join(dir, 'migrations');
    mkdirSync(migrations);
    writeFileSync(join(migrations, '001_a.sql'), 'CREATE TABLE a (x INTEGER);');
    const path = join(dir, 'lab.db');
    open(path, migrations).close();
    writeFileSync(join(migrations, '002_b.sql'), 'CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (7);');
    const store = open(path, migrations);
    expect(store.schemaVersion).toBe(2);
    expect(store.db.prepare('SELECT x FROM a').pluck().get()).toBe(7);
  });

  it('leaves the database exactly as it was when a migration fails', () => {
    const migrations = join(dir, 'migrations');
    mkdirSync(migrations);
    copyFileSync(join(defaultMigrationsDir, '001_init.sql'), join(migrations, '001_init.sql'));
    const path = join(dir, 'lab.db');
    const first = open(path, migrations);
    first.db
      .prepare(
        `INSERT INTO datasets (id, name, source_kind, task, created_at, schema_json, content_hash, folder,
         train_rows, validation_rows, test_rows, feature_shape, bytes)
         VALUES ('d1', 'kept', 'csv', 'regression', 1, '{}', 'h', 'datasets/d1', 1, 0, 0, '[1]', 8)`,
      )
      .run();
    first.close();
    const dumpBefore = dump(path);

    writeFileSync(join(migrations, '002_ok.sql'), 'CREATE TABLE extra (z INTEGER); DELETE FROM datasets;');
    writeFileSync(join(migrations, '003_broken.sql'), 'CREATE TABLE other (q INTEGER); THIS IS NOT SQL;');
    expect(() => open(path, migrations)).toThrow(MigrationError);
    expect(() => open(path, migrations)).toThrow(/003_broken\.sql.*left unchanged/);
    expect(dump(path)).toEqual(dumpBefore);
  });

  it('rejects misnumbered migration folders', () => {
    const migrations = join(dir, 'migrations');
    mkdirSync(migrations);
    writeFileSync(join(migrations, '001_a.sql'), 'SELECT 1;');
    writeFileSync(join(migrations, '003_c.sql'), 'SELECT 1;');
    expect(() => open(join(dir, 'lab.db'), migrations)).toThrow(/found 3 where 2 was expected/);
  });
});

function dump(path: string): { version: number; schema: unknown[]; datasets: unknown[] } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      schema: db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all(),
      datasets: db.prepare('SELECT * FROM datasets ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}
