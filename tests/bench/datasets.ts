/**
 * Dataset import benchmarks: Fashion-MNIST from Debian's dataset-fashion-mnist (70,000 gzipped
 * IDX images), and a generated 200,000-row CSV. Reports wall seconds, peak RSS sampled during
 * the import, and the growth of RSS and of JS-owned memory (heap + array buffers) over it.
 */
import { writeFileSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEBIAN_FASHION_MNIST_DIR,
  hasFashionMnist,
  importDataset,
  type DatasetSource,
} from '../../core/lab/datasets/index.js';
import { openStore } from '../../core/lab/store/index.js';

/** The shared report row (tests/bench/report.ts declares the same shape). */
export type BenchRow = {
  group: string;
  name: string;
  impl: string;
  value: number;
  unit: string;
  note?: string;
};

const GROUP = 'dataset import';
const MB = 1024 * 1024;

async function measure(name: string, source: DatasetSource, note: string): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-bench-ds-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const store = openStore(join(dir, 'lab.db'));
  try {
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    const sample = () => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    };
    const timer = setInterval(sample, 5);
    const started = performance.now();
    const schema = await importDataset(store, dataDir, source, {}, { onProgress: sample });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    sample();
    const after = process.memoryUsage();
    const stored = (schema.blocks.x.bytes + schema.blocks.y.bytes + schema.blocks.splits.bytes) / MB;
    const jsBefore = before.heapUsed + before.arrayBuffers;
    const jsAfter = after.heapUsed + after.arrayBuffers;
    const impl = 'nnlab';
    return [
      { group: GROUP, name: `${name}: import time`, impl, value: seconds, unit: 's', note },
      { group: GROUP, name: `${name}: peak RSS`, impl, value: peakRss / MB, unit: 'MiB' },
      {
        group: GROUP,
        name: `${name}: RSS growth`,
        impl,
        value: (peakRss - before.rss) / MB,
        unit: 'MiB',
        note: `stored blocks ${stored.toFixed(1)} MiB`,
      },
      {
        group: GROUP,
        name: `${name}: heap + buffers growth`,
        impl,
        value: (jsAfter - jsBefore) / MB,
        unit: 'MiB',
      },
    ];
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function generatedCsv(rows: number): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'nnlab-bench-csv-'));
  const file = join(dir, 'table.csv');
  const lines = ['x1,x2,x3,x4,x5,x6,x7,x8,color,label'];
  for (let i = 0; i < rows; i++) {
    const values = Array.from({ length: 8 }, (_, k) => ((i * (k + 3)) % 1000) / 7);
    lines.push(`${values.map((v) => v.toFixed(3)).join(',')},${['red', 'green', 'blue'][i % 3]},${i % 5}`);
  }
  writeFileSync(file, lines.join('\n'));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function benchDatasetImport(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  if (hasFashionMnist()) {
    rows.push(
      ...(await measure(
        'Fashion-MNIST (70,000 images)',
        { kind: 'fashion-mnist' },
        `gzipped IDX from ${DEBIAN_FASHION_MNIST_DIR}`,
      )),
    );
  } else {
    rows.push({
      group: GROUP,
      name: 'Fashion-MNIST (70,000 images): import time',
      impl: 'nnlab',
      value: NaN,
      unit: 's',
      note: `skipped: install Debian's dataset-fashion-mnist (${DEBIAN_FASHION_MNIST_DIR})`,
    });
  }
  const csv = generatedCsv(200_000);
  try {
    rows.push(
      ...(await measure('CSV (200,000 rows × 10 columns)', { kind: 'csv', file: csv.file }, 'generated')),
    );
  } finally {
    csv.cleanup();
  }
  return rows;
}

// Run on its own: npx tsx tests/bench/datasets.ts
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).pop()!)) {
  for (const row of await benchDatasetImport()) {
    console.log(
      `${row.name.padEnd(48)} ${row.value.toFixed(2).padStart(9)} ${row.unit}${row.note ? `  (${row.note})` : ''}`,
    );
  }
}
