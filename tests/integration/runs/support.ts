// Shared set-up for the runs integration tests: a fresh data folder and database, a sample
// dataset, a run manager, and small helpers to wait for events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importDataset } from '../../../core/lab/datasets/index.js';
import { databasePath } from '../../../core/lab/paths.js';
import { RunManager, type RunEvent, type RunManagerOptions } from '../../../core/lab/runs/run-manager.js';
import { openStore, type Store } from '../../../core/lab/store/index.js';

export interface Lab {
  dir: string;
  store: Store;
  datasetId: string;
  manager: RunManager;
  events: RunEvent[];
  close(): Promise<void>;
}

export async function createLab(options: Partial<RunManagerOptions> = {}, rows = 200): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-runs-'));
  const store = openStore(databasePath(dir));
  const schema = await importDataset(
    store,
    dir,
    { kind: 'sample', sample: 'spirals', rows, seed: 1 },
    { name: 'spirals', split: { validationFraction: 0.2, testFraction: 0.1, seed: 1 } },
  );
  const manager = new RunManager({ store, dataDir: dir, flushIntervalMs: 50, ...options });
  const events: RunEvent[] = [];
  manager.subscribe((event) => events.push(event));
  return {
    dir,
    store,
    datasetId: schema.id,
    manager,
    events,
    async close() {
      await manager.shutdown();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small MLP on the two spirals; `epochs` sets how long it trains. */
export function spiralsConfig(epochs: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dataset: 'spirals',
    model: {
      layers: [
        { type: 'dense', units: 16, activation: 'relu', kernelInitializer: 'heNormal' },
        { type: 'dense', units: 2, activation: 'softmax' },
      ],
    },
    training: { optimizer: { type: 'adam', learningRate: 0.01 }, epochs, batchSize: 16, ...extra },
    seed: 7,
    device: 'cpu',
  };
}

/** Resolves with the first event that matches. */
export function nextEvent(
  lab: Lab,
  match: (event: RunEvent) => boolean,
  timeoutMs = 30_000,
): Promise<RunEvent> {
  const seen = lab.events.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for a run event'));
    }, timeoutMs);
    const off = lab.manager.subscribe((event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}
