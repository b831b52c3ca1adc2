// Opens everything a host process owns (the CLI, `nnlab serve`, Electron main): the data folder,
// the database, the runs side, and the LabService on top.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeAbandonedImports } from '../datasets/index.js';
import { openStore, type Store } from '../store/index.js';
import type { RunsPort } from './runs-port.js';
import { LabService } from './service.js';

export const DATABASE_FILE = 'nnlab.sqlite';

export interface LabHost {
  dataDir: string;
  store: Store;
  service: LabService;
  /** The runs side, when the host has one (the CLI reads model files through it). */
  runs: RunsPort | undefined;
  close(): Promise<void>;
}

export interface OpenLabHostOptions {
  dataDir: string;
  /** Builds the runs side on the open store; without it, runs, models and compare are unavailable. */
  createRuns?: (store: Store, dataDir: string) => RunsPort | Promise<RunsPort>;
}

export async function openLabHost(options: OpenLabHostOptions): Promise<LabHost> {
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true });
  const store = openStore(join(dataDir, DATABASE_FILE));
  try {
    await removeAbandonedImports(dataDir);
    const runs = options.createRuns ? await options.createRuns(store, dataDir) : undefined;
    const service = new LabService({ store, dataDir, ...(runs && { runs }) });
    let closed = false;
    return {
      dataDir,
      store,
      service,
      runs,
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await service.close();
        } finally {
          store.close();
        }
      },
    };
  } catch (error) {
    store.close();
    throw error;
  }
}
