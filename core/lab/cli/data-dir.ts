// Where the CLI keeps its history: --data-dir, else NNLAB_HOME, else the per-user folder the
// desktop app uses, so the terminal and the app share one database.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The folder name Electron derives from package.json's name for `app.getPath('userData')`. */
const APP_FOLDER = 'nn-lab';

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (flag) return resolve(cwd, flag);
  if (env.NNLAB_HOME) return resolve(cwd, env.NNLAB_HOME);
  return defaultDataDir(env);
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_FOLDER);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_FOLDER);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_FOLDER);
}
