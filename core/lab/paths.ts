// The per-user data folder: the database, datasets, checkpoints and saved models. The CLI, the
// local server and the desktop app resolve it the same way so they share one history.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface DataDirOptions {
  /** An explicit folder (the CLI's --data-dir); wins over everything. */
  dataDir?: string;
  /** Defaults to process.env (NNLAB_HOME is read from it). */
  env?: NodeJS.ProcessEnv;
  /** Defaults to process.platform. */
  platform?: NodeJS.Platform;
  /** Defaults to os.homedir(). */
  home?: string;
  /** Relative paths resolve against it. Defaults to process.cwd(). */
  cwd?: string;
}

/**
 * `--data-dir`, else `NNLAB_HOME`, else the platform's user-data folder:
 * `~/.config/nnlab` on Linux (`$XDG_CONFIG_HOME/nnlab` when set), `~/Library/Application
 * Support/NN Lab` on macOS, `%APPDATA%/NN Lab` on Windows.
 */
export function resolveDataDir(options: DataDirOptions = {}): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.dataDir) return resolve(cwd, options.dataDir);
  if (env.NNLAB_HOME) return resolve(cwd, env.NNLAB_HOME);
  return platformDataDir(options.platform ?? process.platform, env, options.home ?? homedir());
}

export function platformDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'NN Lab');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'NN Lab');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'nnlab');
}

/** The database file inside a data folder (the same name core/lab/api/host.ts opens). */
export function databasePath(dataDir: string): string {
  return join(dataDir, 'nnlab.sqlite');
}

/** A run's folder (checkpoints, logs), relative to the data folder. */
export function runFolder(runId: string): string {
  return join('runs', runId);
}

/** Saved model bundles, relative to the data folder. */
export const MODELS_FOLDER = 'models';
