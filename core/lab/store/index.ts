export { openStore, StoreVersionError, MigrationError } from './open-store.js';
export type { Store, OpenStoreOptions, SqliteDatabase } from './open-store.js';
export { readMigrations, defaultMigrationsDir } from './migrations.js';
export type { Migration } from './migrations.js';
export * from './datasets-repo.js';
