// Fills a fresh data folder with a long run history (finished runs with epoch metrics, some tagged,
// some with notes), written straight into the store before `nnlab serve` opens it: the Runs view
// is then exercised against thousands of rows without training them.
import { databasePath } from '../../../core/lab/paths.js';
import {
  addTags,
  insertRun,
  openStore,
  upsertMetrics,
  type MetricPoint,
  updateRun,
  type RunStatus,
} from '../../../core/lab/store/index.js';

const STATUSES: RunStatus[] = ['completed', 'completed', 'completed', 'failed', 'diverged', 'cancelled'];
const EPOCHS = 5;

export interface SeededHistory {
  runs: number;
  /** Runs tagged `baseline` (every tenth). */
  tagged: number;
}

export function seedRunHistory(dataDir: string, runs: number): SeededHistory {
  const store = openStore(databasePath(dataDir));
  let tagged = 0;
  try {
    const base = Date.now() - runs * 60_000;
    store.db.transaction(() => {
      for (let r = 0; r < runs; r++) {
        const id = `00000000-0000-4000-8000-${String(r).padStart(12, '0')}`;
        const createdAt = base + r * 60_000;
        const learningRate = [0.001, 0.003, 0.01, 0.03][r % 4]!;
        insertRun(store, {
          id,
          name: `sweep lr=${learningRate} #${r}`,
          config: {
            dataset: 'spirals',
            model: { layers: [{ type: 'dense', units: 16 + (r % 3) * 16 }] },
            training: { epochs: EPOCHS, optimizer: { type: 'adam', learningRate } },
          },
          status: STATUSES[r % STATUSES.length]!,
          seed: r,
          appVersion: '0.1.0',
          createdAt,
          device: 'cpu',
          plannedEpochs: EPOCHS,
          ...(r % 7 === 0 ? { notes: `width ${16 + (r % 3) * 16}, checking the plateau` } : {}),
        });
        updateRun(store, id, { startedAt: createdAt + 400, endedAt: createdAt + 5_000 + (r % 50) * 1_000 });
        if (r % 10 === 0) {
          addTags(store, id, ['baseline']);
          tagged++;
        }
        // Only the oldest run: its tag is on no page but the last, yet the filter must offer it.
        if (r === 0) addTags(store, id, ['archived']);
        const points: MetricPoint[] = [];
        // Each run its own curve: a learning rate and a seed-dependent floor.
        const floor = 0.2 + ((r * 7919) % 100) / 400;
        for (let epoch = 0; epoch < EPOCHS; epoch++) {
          const step = (epoch + 1) * 20;
          const wallTime = createdAt + step * 10;
          const loss = floor + 0.7 * Math.exp(-(epoch + 1) * learningRate * 40);
          points.push({ split: 'train', name: 'loss', step, epoch, value: loss * 0.95, wallTime });
          points.push({ split: 'validation', name: 'loss', step, epoch, value: loss, wallTime });
          points.push({ split: 'validation', name: 'accuracy', step, epoch, value: 1 - loss / 2, wallTime });
        }
        upsertMetrics(store, id, points);
      }
    })();
  } finally {
    store.close();
  }
  return { runs, tagged };
}
