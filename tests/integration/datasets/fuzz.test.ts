// Thousands of mutated CSV, IDX and NPY inputs: the import either succeeds or fails with a
// DatasetImportError, and a failure leaves nothing in the data folder or the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetImportError, importDataset, type DatasetSource } from '../../../core/lab/datasets/index.js';
import { createRandom, type Random } from '../../../core/lab/datasets/random.js';
import {
  createTempLab,
  float32Bytes,
  gzip,
  idxBytes,
  npyBytes,
  type TempLab,
} from '../../unit/datasets/fixtures.js';

let lab: TempLab;
beforeAll(() => {
  lab = createTempLab('nnlab-fuzz-');
});
afterAll(() => lab.cleanup());

function mutate(bytes: Uint8Array, random: Random): Buffer {
  const out = Array.from(bytes);
  const edits = 1 + random.int(4);
  for (let e = 0; e < edits; e++) {
    const at = random.int(Math.max(1, out.length));
    switch (random.int(6)) {
      case 0: // flip a byte
        out[at] = random.int(256);
        break;
      case 1: // delete a run
        out.splice(at, 1 + random.int(8));
        break;
      case 2: // insert bytes
        out.splice(at, 0, ...Array.from({ length: 1 + random.int(4) }, () => random.int(256)));
        break;
      case 3: // truncate
        out.length = at;
        break;
      case 4: // duplicate a slice
        out.splice(at, 0, ...out.slice(random.int(Math.max(1, out.length)), at + 1 + random.int(16)));
        break;
      default: // insert a structural character
        out.splice(at, 0, ',;\t"\r\n\u0000'.charCodeAt(random.int(8)));
        break;
    }
  }
  return Buffer.from(out);
}

let counts = { ok: 0, rejected: 0 };

async function check(source: DatasetSource): Promise<void> {
  const before = { entries: lab.datasetEntries().length, rows: lab.datasetRows() };
  try {
    await importDataset(lab.store, lab.dataDir, source, { name: 'fuzz' });
    counts.ok++;
    expect(lab.datasetRows()).toBe(before.rows + 1);
  } catch (error) {
    if (!(error instanceof DatasetImportError)) {
      throw new Error(`not a clean error for ${JSON.stringify(source)}: ${String(error)}`, { cause: error });
    }
    counts.rejected++;
    expect(lab.datasetEntries()).toHaveLength(before.entries);
    expect(lab.datasetRows()).toBe(before.rows);
  }
}

const csvSeed = Buffer.from(
  'id,age,color,member,"note, quoted",score,label\r\n' +
    Array.from(
      { length: 30 },
      (_, i) =>
        `${i},${20 + i},${['red', 'green', 'blue'][i % 3]},${i % 2 ? 'yes' : 'no'},"text ${i}\nmore",${(i * 1.5).toFixed(1)},${i % 3 ? 'a' : 'b'}`,
    ).join('\r\n'),
);

describe('fuzz', () => {
  it('mutated CSV files fail cleanly', async () => {
    const random = createRandom(1);
    counts = { ok: 0, rejected: 0 };
    for (let i = 0; i < 1000; i++) {
      const file = lab.file(`csv/${i}.csv`, mutate(csvSeed, random));
      await check({ kind: 'csv', file, ...(i % 3 === 0 && { missing: 'mean' as const }) });
    }
    expect(counts.ok + counts.rejected).toBe(1000);
  });

  it('mutated IDX files, raw and gzipped, fail cleanly', async () => {
    const random = createRandom(2);
    const images = idxBytes(
      'uint8',
      [12, 3, 3],
      Array.from({ length: 108 }, (_, i) => i),
    );
    const labels = idxBytes(
      'uint8',
      [12],
      Array.from({ length: 12 }, (_, i) => i % 3),
    );
    const labelsFile = lab.file('idx/labels', labels);
    const imagesFile = lab.file('idx/images', images);
    for (let i = 0; i < 1000; i++) {
      const target = i % 2 === 0 ? images : labels;
      let bytes: Buffer = mutate(target, random);
      const zipped = i % 4 < 2;
      if (zipped) bytes = i % 8 < 4 ? gzip(bytes) : mutate(gzip(target), random);
      const file = lab.file(`idx/${i}${zipped ? '.gz' : ''}`, bytes);
      await check(
        i % 2 === 0
          ? { kind: 'idx', images: file, labels: labelsFile }
          : { kind: 'idx', images: imagesFile, labels: file },
      );
    }
  });

  it('mutated NPY files fail cleanly', async () => {
    const random = createRandom(3);
    const features = npyBytes('<f4', [10, 2], float32Bytes(Array.from({ length: 20 }, (_, i) => i / 3)));
    const labels = npyBytes(
      '<i4',
      [10],
      new Uint8Array(Int32Array.from({ length: 10 }, (_, i) => i % 2).buffer),
    );
    const featuresFile = lab.file('npy/x.npy', features);
    const labelsFile = lab.file('npy/y.npy', labels);
    for (let i = 0; i < 1000; i++) {
      const mutateFeatures = i % 2 === 0;
      const file = lab.file(`npy/${i}.npy`, mutate(mutateFeatures ? features : labels, random));
      await check(
        mutateFeatures
          ? { kind: 'npy', features: file, labels: labelsFile }
          : { kind: 'npy', features: featuresFile, labels: file },
      );
    }
  });
});
