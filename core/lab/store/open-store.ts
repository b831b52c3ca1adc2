// Opens the lab's SQLite database: WAL, foreign keys on, a busy timeout, migrations applied.
import Database from 'better-sqlite3';
import { basename } from 'node:path';
import { defaultMigrationsDir, readMigrations } from './migrations.js';

export type SqliteDatabase = Database.Database;

/**
 * A host process's connection to the lab database. Several hosts (the CLI, `nnlab serve`, the
 * desktop app) may share one database: SQLite (WAL, busy_timeout) serialises their writes, and
 * each run is written only by the host that owns it (hosts-repo, core/lab/runs/host-lease.ts).
 * Trainer processes never open it.
 */
export interface Store {
  readonly db: SqliteDatabase;
  readonly path: string;
  /** `user_version` after migrations: the number of the last applied migration. */
  readonly schemaVersion: number;
  close(): void;
}

export interface OpenStoreOptions {
  /** Folder of `NNN_name.sql` files. Defaults to the repository's `migrations/`. */
  migrationsDir?: string;
  /** Milliseconds a statement waits on a lock held by another connection. Defaults to 5000. */
  busyTimeoutMs?: number;
}

/** Thrown when the database file was written by a newer NN Lab than this one. */
export class StoreVersionError extends Error {
  constructor(
    readonly file: string,
    readonly databaseVersion: number,
    readonly appVersion: number,
  ) {
    super(
      `The database ${basename(file)} has schema version ${databaseVersion}, but this NN Lab knows ` +
        `versions up to ${appVersion}: it was written by a newer NN Lab. Update NN Lab to open it ` +
        `(the file is left untouched).`,
    );
    this.name = 'StoreVersionError';
  }
}

/** Thrown when a migration fails; the database is left exactly as it was before opening. */
export class MigrationError extends Error {
  constructor(
    readonly file: string,
    readonly migrationFile: string,
    cause: unknown,
  ) {
    super(
      `Migrating ${basename(file)} failed in ${basename(migrationFile)}: ` +
        `${cause instanceof Error ? cause.message : String(cause)}. The database was left unchanged.`,
      { cause },
    );
    this.name = 'MigrationError';
  }
}

/**
 * Opens (creating if needed) the database at `dbPath` and brings its schema up to date.
 *
 * All pending migrations run inside one transaction, each in its own savepoint, so a failing
 * migration leaves the file exactly as it was before the call. Migration files must not contain
 * BEGIN/COMMIT themselves.
 */
export function openStore(dbPath: string, options: OpenStoreOptions = {}): Store {
  const migrations = readMigrations(options.migrationsDir ?? defaultMigrationsDir);
  const appVersion = migrations.length;
  const db = new Database(dbPath);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > appVersion) throw new StoreVersionError(dbPath, current, appVersion);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');

    const pending = migrations.filter((migration) => migration.version > current);
    if (pending.length > 0) {
      db.transaction(() => {
        for (const migration of pending) {
          try {
            db.transaction(() => {
              db.exec(migration.sql);
              db.pragma(`user_version = ${migration.version}`);
            })();
          } catch (error) {
            throw new MigrationError(dbPath, migration.file, error);
          }
        }
        const violations = db.pragma('foreign_key_check') as unknown[];
        if (violations.length > 0) {
          throw new MigrationError(dbPath, pending.at(-1)!.file, new Error('foreign key check failed'));
        }
      })();
    }
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    return {
      db,
      path: dbPath,
      schemaVersion,
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
