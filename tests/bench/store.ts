/**
 * The runs store at scale: seeds 10,000 runs with 1,000 metric points each (a step-level
 * batch_loss of 900 points and four epoch-level series of 25) into a real database file, then
 * times the run list and series reads. Targets: under 50 ms each. `NNLAB_BENCH_RUNS` scales the
 * seed down for a quick look.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addTags,
  insertRun,
  listRuns,
  openStore,
  readSeries,
  upsertMetrics,
  type MetricPoint,
  type RunStatus,
} from '../../core/lab/store/index.js';
import type { BenchRow } from './report.js';

const STATUSES: RunStatus[] = ['completed', 'completed', 'completed', 'failed', 'diverged', 'cancelled'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(repeats: number, fn: (i: number) => unknown): number {
  fn(0); // warm the statement cache and the page cache
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    fn(i);
    samples.push(performance.now() - start);
  }
  return median(samples);
}

export async function benchStore(): Promise<BenchRow[]> {
  const runs = Number(process.env.NNLAB_BENCH_RUNS ?? 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-bench-store-'));
  const file = join(dir, 'nnlab.sqlite');
  const store = openStore(file);
  const rows: BenchRow[] = [];
  const group = 'store';
  const impl = 'sqlite';
  try {
    const seedStart = performance.now();
    const ids: string[] = [];
    const base = Date.now() - runs * 60_000;
    for (let start = 0; start < runs; start += 100) {
      store.db.transaction(() => {
        for (let r = start; r < Math.min(runs, start + 100); r++) {
          const id = `00000000-0000-4000-8000-${String(r).padStart(12, '0')}`;
          ids.push(id);
          const createdAt = base + r * 60_000;
          insertRun(store, {
            id,
            name: `${r % 2 ? 'mlp' : 'cnn'} run ${r}`,
            config: {
              dataset: 'd',
              model: { layers: [{ type: 'dense', units: 64 }] },
              training: { epochs: 25 },
            },
            status: STATUSES[r % STATUSES.length],
            seed: r,
            appVersion: '0.1.0',
            createdAt,
            plannedEpochs: 25,
          });
          if (r % 10 === 0) addTags(store, id, ['baseline']);
          const points: MetricPoint[] = [];
          for (let step = 1; step <= 900; step++) {
            const epoch = Math.floor((step - 1) / 36);
            points.push({
              split: 'train',
              name: 'batch_loss',
              step,
              epoch,
              value: 1 / step,
              wallTime: createdAt + step,
            });
          }
          for (let epoch = 0; epoch < 25; epoch++) {
            const step = (epoch + 1) * 36;
            const wallTime = createdAt + step;
            points.push({ split: 'train', name: 'loss', step, epoch, value: 1 / (epoch + 1), wallTime });
            points.push({ split: 'train', name: 'accuracy', step, epoch, value: epoch / 25, wallTime });
            points.push({
              split: 'validation',
              name: 'loss',
              step,
              epoch,
              value: 1.1 / (epoch + 1),
              wallTime,
            });
            points.push({ split: 'validation', name: 'accuracy', step, epoch, value: epoch / 26, wallTime });
          }
          upsertMetrics(store, id, points);
        }
      })();
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const points = runs * 1000;
    rows.push({
      group,
      name: `seed ${runs} runs × 1000 points`,
      impl,
      value: seedSeconds,
      unit: 's',
      note: `${Math.round(points / seedSeconds)} points/s`,
    });
    rows.push({
      group,
      name: 'database size',
      impl,
      value: statSync(file).size / 2 ** 20,
      unit: 'MiB',
      note: `${points} metric points`,
    });

    const pick = (i: number) => ids[(i * 7919) % ids.length]!;
    rows.push({
      group,
      name: 'run list: newest 50',
      impl,
      value: time(30, () => listRuns(store)),
      unit: 'ms',
    });
    rows.push({
      group,
      name: 'run list: status filter, by name, page 20',
      impl,
      value: time(30, () =>
        listRuns(store, {
          filter: { status: ['completed'] },
          sort: { by: 'name', direction: 'asc' },
          page: { offset: 1000, limit: 50 },
        }),
      ),
      unit: 'ms',
    });
    rows.push({
      group,
      name: 'run list: text search',
      impl,
      value: time(30, () => listRuns(store, { filter: { search: 'mlp run 12' } })),
      unit: 'ms',
    });
    rows.push({
      group,
      name: 'run list: tag filter',
      impl,
      value: time(30, () => listRuns(store, { filter: { tags: ['baseline'] } })),
      unit: 'ms',
    });
    rows.push({
      group,
      name: 'series: all 5 of a run, epoch axis',
      impl,
      value: time(50, (i) => readSeries(store, pick(i))),
      unit: 'ms',
    });
    rows.push({
      group,
      name: 'series: batch_loss, step axis, 200 buckets',
      impl,
      value: time(50, (i) =>
        readSeries(store, pick(i), {
          metrics: [{ split: 'train', name: 'batch_loss' }],
          axis: 'step',
          maxPoints: 200,
        }),
      ),
      unit: 'ms',
    });
    return rows;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import('./report.js');
  printTable(await benchStore());
}
