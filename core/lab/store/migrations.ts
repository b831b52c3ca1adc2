// Numbered SQL migrations: `NNN_name.sql` files, applied in order, tracked by PRAGMA user_version.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's `migrations/` folder, the default for `openStore`. */
export const defaultMigrationsDir = fileURLToPath(new URL('../../../migrations/', import.meta.url));

export interface Migration {
  /** The number in the file name; after it is applied, `user_version` equals it. */
  version: number;
  name: string;
  file: string;
  sql: string;
}

const migrationFile = /^(\d{3,})_([A-Za-z0-9_-]+)\.sql$/;

/**
 * Reads the migrations in `dir`, sorted by number. The numbers must run 1, 2, 3… without gaps
 * or repeats, so that `user_version` names exactly which files have been applied.
 */
export function readMigrations(dir: string): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.sql')) continue;
    const match = migrationFile.exec(file);
    if (!match) {
      throw new Error(
        `Migration file '${file}' in ${dir} is misnamed: expected NNN_name.sql, e.g. 001_init.sql`,
      );
    }
    migrations.push({
      version: Number(match[1]),
      name: match[2]!,
      file: join(dir, file),
      sql: readFileSync(join(dir, file), 'utf8'),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `Migrations in ${dir} must be numbered 1, 2, 3… without gaps or repeats: ` +
          `found ${migration.version} where ${index + 1} was expected (${migration.file})`,
      );
    }
  });
  return migrations;
}
