/**
 * Training benchmark: the Fashion-MNIST MLP 784-256-128-10 trained with fit() (Adam 1e-3,
 * batch 64, all 60,000 images), reporting seconds per epoch and test accuracy, plus one epoch
 * of the small CNN with batch normalization when NNLAB_BENCH_CNN=1 (slow on the CPU).
 * NNLAB_BENCH_EPOCHS sets the MLP's epochs (default 1). Skipped without the dataset.
 *
 * Run on its own: npx tsx tests/bench/training.ts
 */
import { existsSync } from 'node:fs';
import { DEFAULT_DIR, runFashionMnist } from '../../examples/fashion-mnist.js';

/** The shared report row (tests/bench/report.ts declares the same shape). */
export type BenchRow = {
  group: string;
  name: string;
  impl: string;
  value: number;
  unit: string;
  note?: string;
};

const GROUP = 'training (Fashion-MNIST)';

export async function benchTraining(): Promise<BenchRow[]> {
  if (!existsSync(DEFAULT_DIR)) return [];
  const rows: BenchRow[] = [];
  const kinds = process.env.NNLAB_BENCH_CNN === '1' ? (['mlp', 'cnn'] as const) : (['mlp'] as const);
  for (const kind of kinds) {
    const epochs = kind === 'mlp' ? Number(process.env.NNLAB_BENCH_EPOCHS ?? 1) : 1;
    const r = await runFashionMnist(kind, { epochs, batchSize: 64, verbose: false });
    const note = `${r.epochs} epoch(s), batch ${r.batchSize}, Adam 1e-3`;
    rows.push(
      {
        group: GROUP,
        name: `${r.model}: epoch`,
        impl: 'nn-lab fit (cpu)',
        value: r.secondsPerEpoch,
        unit: 's',
        note,
      },
      {
        group: GROUP,
        name: `${r.model}: test accuracy`,
        impl: 'nn-lab fit (cpu)',
        value: r.testAccuracy,
        unit: '',
        note,
      },
    );
  }
  return rows;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).pop()!)) {
  for (const row of await benchTraining()) {
    console.log(`${row.name.padEnd(52)} ${row.value.toFixed(4).padStart(10)} ${row.unit}  (${row.note})`);
  }
}
