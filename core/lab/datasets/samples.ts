// Built-in datasets: generated 2-D classification sets, a noisy sine regression, and the
// 10-row ice-cream table. They go through the CSV importer, so they look like any table.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCsv } from './csv-import.js';
import type { ImportContext, ImportedData } from './imported-data.js';
import { createRandom, type Random } from './random.js';

export type SampleName = 'xor' | 'spirals' | 'moons' | 'circles' | 'sine' | 'ice-cream';
export const SAMPLE_NAMES: readonly SampleName[] = [
  'xor',
  'spirals',
  'moons',
  'circles',
  'sine',
  'ice-cream',
];

export interface SampleSource {
  sample: SampleName;
  /** Rows to generate. Defaults to 400 (ignored by ice-cream, which has 10). */
  rows?: number;
  /** Gaussian noise added to each coordinate. Defaults to 0.1 (sine: 0.1 on the target). */
  noise?: number;
  /** Defaults to 0. */
  seed?: number;
}

export interface SampleTable {
  header: string[];
  rows: number[][];
}

/** The ice-cream shop: day of the week and temperature (°C) → revenue (thousands). */
export const ICE_CREAM: SampleTable = {
  header: ['day', 'temperature', 'revenue'],
  rows: [
    [2, 22, 1.51],
    [6, 33, 2.22],
    [1, 20, 1.37],
    [3, 25, 1.77],
    [2, 24, 1.64],
    [5, 30, 2.04],
    [7, 35, 2.42],
    [4, 28, 1.9],
    [3, 26, 1.75],
    [1, 21, 1.45],
  ],
};

export function generateSample(source: SampleSource): SampleTable {
  if (source.sample === 'ice-cream') return ICE_CREAM;
  const rows = source.rows ?? 400;
  if (!Number.isInteger(rows) || rows < 4 || rows > 1_000_000) {
    throw new RangeError(`sample rows must be an integer from 4 to 1000000, got ${rows}`);
  }
  const noise = source.noise ?? 0.1;
  const random = createRandom(source.seed ?? 0);
  const jitter = () => noise * random.normal();
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const label = i % 2;
    out.push(generators[source.sample](random, label, i, rows, jitter));
  }
  return { header: source.sample === 'sine' ? ['x', 'y'] : ['x1', 'x2', 'label'], rows: out };
}

type Generator = (random: Random, label: number, i: number, rows: number, jitter: () => number) => number[];

const generators: Record<Exclude<SampleName, 'ice-cream'>, Generator> = {
  // Class 0 in the quadrants where x1 and x2 share a sign, class 1 where they differ.
  xor: (random, label, _i, _rows, jitter) => {
    const a = random.uniform(-1, 1);
    const b = random.uniform(0, 1) * (a >= 0 === (label === 0) ? 1 : -1);
    return [a + jitter(), b + jitter(), label];
  },
  spirals: (random, label, _i, _rows, jitter) => {
    const t = Math.sqrt(random.next()) * 3 * Math.PI;
    const sign = label === 0 ? 1 : -1;
    const r = t / (3 * Math.PI);
    return [sign * r * Math.cos(t) + jitter(), sign * r * Math.sin(t) + jitter(), label];
  },
  moons: (random, label, _i, _rows, jitter) => {
    const t = random.uniform(0, Math.PI);
    return label === 0
      ? [Math.cos(t) + jitter(), Math.sin(t) + jitter(), 0]
      : [1 - Math.cos(t) + jitter(), 0.5 - Math.sin(t) + jitter(), 1];
  },
  circles: (random, label, _i, _rows, jitter) => {
    const t = random.uniform(0, 2 * Math.PI);
    const r = label === 0 ? 1 : 0.5;
    return [r * Math.cos(t) + jitter(), r * Math.sin(t) + jitter(), label];
  },
  sine: (random, _label, _i, _rows, jitter) => {
    const x = random.uniform(-Math.PI, Math.PI);
    return [x, Math.sin(x) + jitter()];
  },
};

export function sampleToCsv(table: SampleTable): string {
  const lines = [table.header.join(',')];
  for (const row of table.rows) lines.push(row.map((value) => Number(value.toPrecision(7))).join(','));
  return `${lines.join('\n')}\n`;
}

export async function importSample(source: SampleSource, context: ImportContext): Promise<ImportedData> {
  const folder = await mkdtemp(join(tmpdir(), 'nnlab-sample-'));
  try {
    const file = join(folder, `${source.sample}.csv`);
    await writeFile(file, sampleToCsv(generateSample(source)));
    const data = await importCsv(
      file,
      { task: source.sample === 'sine' || source.sample === 'ice-cream' ? 'regression' : 'classification' },
      context,
    );
    return { ...data, sourceKind: 'sample', sourceFiles: [] };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
