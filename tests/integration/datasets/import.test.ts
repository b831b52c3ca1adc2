import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DatasetImportCancelled,
  DatasetImportError,
  deleteDatasetFiles,
  importDataset,
  loadDataset,
  previewDataset,
  removeAbandonedImports,
  SAMPLE_NAMES,
  type ImportProgress,
} from '../../../core/lab/datasets/index.js';
import { deleteDataset, getDataset, listDatasets } from '../../../core/lab/store/index.js';
import { createTempLab, gzip, solidImage, tinyImages, type TempLab } from '../../unit/datasets/fixtures.js';

let lab: TempLab;
beforeEach(() => {
  lab = createTempLab();
});
afterEach(() => lab.cleanup());

function bigCsv(rows: number): string {
  const lines = ['a,b,color,y'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${(i * 7) % 13},${['r', 'g', 'b'][i % 3]},${i % 2}`);
  return lines.join('\n');
}

describe('importDataset', () => {
  it('stores a CSV as blocks + schema + row, and loads it back', async () => {
    const file = lab.file('table.csv', bigCsv(200));
    const progress: ImportProgress[] = [];
    const schema = await importDataset(
      lab.store,
      lab.dataDir,
      { kind: 'csv', file },
      { split: { seed: 3 } },
      { onProgress: (p) => progress.push(p) },
    );
    expect(schema.name).toBe('table');
    expect(schema.sourceFiles).toEqual(['table.csv']);
    expect(progress.map((p) => p.phase)).toEqual(
      expect.arrayContaining(['scanning', 'reading', 'writing', 'done']),
    );
    expect(readdirSync(join(lab.dataDir, 'datasets', schema.id)).sort()).toEqual([
      'schema.json',
      'splits.bin',
      'x.bin',
      'y.bin',
    ]);
    const row = getDataset(lab.store, schema.id)!;
    expect(row).toMatchObject({
      sourceKind: 'csv',
      task: 'classification',
      trainRows: 160,
      validationRows: 20,
      testRows: 20,
      featureShape: [5],
    });
    expect(row.contentHash).toBe(schema.contentHash);
    const loaded = await loadDataset(lab.dataDir, schema.id, { verify: true });
    expect(loaded.x).toBeInstanceOf(Float32Array);
    expect(Array.from(loaded.x.subarray(0, 5))).toEqual([0, 0, 0, 0, 1]);
    expect(loaded.y).toBeInstanceOf(Int32Array);
    expect(loaded.splits.train.length + loaded.splits.validation.length + loaded.splits.test.length).toBe(
      200,
    );
    // The scaler was fitted on the training rows only.
    const trainA = [...loaded.splits.train].map((i) => loaded.x[i * 5]!);
    expect(schema.scaling.offset[0]).toBeCloseTo(trainA.reduce((s, v) => s + v, 0) / trainA.length, 4);
    // The same data and settings give the same content hash.
    const again = await importDataset(lab.store, lab.dataDir, { kind: 'csv', file }, { split: { seed: 3 } });
    expect(again.contentHash).toBe(schema.contentHash);
    expect(again.id).not.toBe(schema.id);
  });

  it('applies the stored transform to new raw rows', async () => {
    const file = lab.file(
      't.csv',
      'size,color,price\n1,red,10\n2,blue,20\n3,red,30\n4,blue,40\n5,red,50\n6,blue,60\n7,red,70\n8,blue,80\n9,red,90\n10,blue,100\n',
    );
    const schema = await importDataset(lab.store, lab.dataDir, { kind: 'csv', file });
    const { x, preprocessor } = await loadDataset(lab.dataDir, schema.id);
    const fromStore = preprocessor.transform(x.subarray(0, 3));
    const fromRaw = preprocessor.encodeRecords([{ size: '1', color: 'red' }]);
    expect(Array.from(fromRaw)).toEqual(Array.from(fromStore));
  });

  it('imports IDX, image folders and every sample', async () => {
    const train = tinyImages(30);
    const test = tinyImages(9);
    const idx = await importDataset(lab.store, lab.dataDir, {
      kind: 'idx',
      images: lab.file('train-images-idx3-ubyte.gz', gzip(train.images)),
      labels: lab.file('train-labels-idx1-ubyte.gz', gzip(train.labels)),
      testImages: lab.file('t10k-images-idx3-ubyte', test.images),
      testLabels: lab.file('t10k-labels-idx1-ubyte', test.labels),
    });
    expect(idx.name).toBe('train-images');
    expect(idx.featureDtype).toBe('uint8');
    expect(idx.splits).toMatchObject({ testFromSource: true, test: 9, validation: 3, train: 27 });
    expect(idx.scaling.kind).toBe('divide255');
    lab.file('pics/a/1.png', solidImage('png', 5, 5, [0, 0, 0]));
    lab.file('pics/b/1.png', solidImage('png', 5, 5, [255, 255, 255]));
    const images = await importDataset(lab.store, lab.dataDir, {
      kind: 'image-folder',
      folder: join(lab.dir, 'inputs', 'pics'),
      width: 2,
      height: 2,
    });
    expect(images.featureShape).toEqual([2, 2, 3]);
    for (const sample of SAMPLE_NAMES) {
      const schema = await importDataset(lab.store, lab.dataDir, { kind: 'sample', sample, rows: 100 });
      expect(schema.sourceKind).toBe('sample');
      expect(schema.task).toBe(sample === 'sine' || sample === 'ice-cream' ? 'regression' : 'classification');
    }
    expect(listDatasets(lab.store)).toHaveLength(2 + SAMPLE_NAMES.length);
  });

  it('keeps the ice-cream table exactly', async () => {
    const schema = await importDataset(lab.store, lab.dataDir, { kind: 'sample', sample: 'ice-cream' });
    const { x, y } = await loadDataset(lab.dataDir, schema.id);
    expect(schema.columns.map((c) => c.name)).toEqual(['day', 'temperature', 'revenue']);
    expect(Array.from(x.filter((_, i) => i % 2 === 0))).toEqual([2, 6, 1, 3, 2, 5, 7, 4, 3, 1]);
    expect(Array.from(x.filter((_, i) => i % 2 === 1))).toEqual([22, 33, 20, 25, 24, 30, 35, 28, 26, 21]);
    expect(Array.from(y)).toEqual(
      [1.51, 2.22, 1.37, 1.77, 1.64, 2.04, 2.42, 1.9, 1.75, 1.45].map(Math.fround),
    );
  });

  it('previews first rows, column statistics, class balance and sample images', async () => {
    const table = await importDataset(lab.store, lab.dataDir, {
      kind: 'csv',
      file: lab.file('p.csv', bigCsv(60)),
    });
    const preview = await previewDataset(lab.dataDir, table.id, { rows: 3 });
    expect(preview.firstRows).toEqual({
      header: ['a', 'b', 'color', 'y'],
      rows: [
        ['0', '0', 'r', '0'],
        ['1', '7', 'g', '1'],
        ['2', '1', 'b', '0'],
      ],
    });
    expect(preview.columns[0]).toMatchObject({
      name: 'a',
      type: 'numeric',
      min: 0,
      max: 59,
      mean: 29.5,
      missing: 0,
      distinct: 60,
    });
    expect(preview.columns[2]).toMatchObject({ name: 'color', type: 'categorical', distinct: 3 });
    expect(preview.classBalance!.map((c) => c.total)).toEqual([30, 30]);
    expect(preview.samples).toBeNull();
    const { images, labels } = tinyImages(12);
    const idx = await importDataset(lab.store, lab.dataDir, {
      kind: 'idx',
      images: lab.file('i', images),
      labels: lab.file('l', labels),
    });
    const imagePreview = await previewDataset(lab.dataDir, idx.id, { samplesPerClass: 2 });
    expect(imagePreview.samples!.classes.map((c) => c.images.length)).toEqual([2, 2, 2]);
    expect(imagePreview.samples!.classes[0]!.images[0]!.pixels).toHaveLength(16);
    expect(imagePreview.columns[0]).toMatchObject({ name: 'gray', type: 'pixel' });
  });

  it('deletes a dataset row and its files', async () => {
    const schema = await importDataset(lab.store, lab.dataDir, { kind: 'sample', sample: 'xor' });
    deleteDataset(lab.store, schema.id);
    await deleteDatasetFiles(lab.dataDir, schema.id);
    expect(lab.datasetEntries()).toEqual([]);
  });
});

describe('all or nothing', () => {
  it('leaves nothing behind when the input is bad', async () => {
    await expect(
      importDataset(lab.store, lab.dataDir, { kind: 'csv', file: lab.file('r.csv', 'a,b\n1,2\n3\n') }),
    ).rejects.toThrow(DatasetImportError);
    await expect(
      importDataset(lab.store, lab.dataDir, { kind: 'csv', file: join(lab.dir, 'nope.csv') }),
    ).rejects.toThrow('nope.csv: found no such file, expected a readable file');
    expect(lab.datasetEntries()).toEqual([]);
    expect(lab.datasetRows()).toBe(0);
  });

  it('leaves nothing behind when cancelled at any point', async () => {
    const file = lab.file('big.csv', bigCsv(20000));
    for (const phase of ['scanning', 'reading', 'preprocessing', 'writing'] as const) {
      const controller = new AbortController();
      const error = await importDataset(
        lab.store,
        lab.dataDir,
        { kind: 'csv', file },
        {},
        {
          signal: controller.signal,
          onProgress: (p) => p.phase === phase && controller.abort(),
        },
      ).catch((e: unknown) => e);
      expect(error, phase).toBeInstanceOf(DatasetImportCancelled);
      expect(lab.datasetEntries(), phase).toEqual([]);
      expect(lab.datasetRows(), phase).toBe(0);
    }
  });

  it('removes the renamed folder when the database row cannot be written', async () => {
    lab.store.db.exec(
      "CREATE TEMP TRIGGER refuse BEFORE INSERT ON datasets BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    await expect(importDataset(lab.store, lab.dataDir, { kind: 'sample', sample: 'moons' })).rejects.toThrow(
      /disk full/,
    );
    expect(lab.datasetEntries()).toEqual([]);
    expect(lab.datasetRows()).toBe(0);
  });

  it('clears temporary folders left by a crashed import', async () => {
    lab.file('x', 'x');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(lab.dataDir, 'datasets', '.import-dead'), { recursive: true });
    expect(await removeAbandonedImports(lab.dataDir)).toEqual(['.import-dead']);
    expect(lab.datasetEntries()).toEqual([]);
  });
});

describe('options', () => {
  it('names a wrong scaling or missing-value policy and its allowed values', async () => {
    await expect(
      importDataset(
        lab.store,
        lab.dataDir,
        { kind: 'sample', sample: 'xor' },
        { scaling: 'zscore' as never },
      ),
    ).rejects.toThrow(
      "found scaling 'zscore', expected one of none, standardize, minmax01, minmax11, divide255",
    );
    await expect(
      importDataset(lab.store, lab.dataDir, { kind: 'csv', file: 'x.csv', missing: 'ignore' as never }),
    ).rejects.toThrow(/found missing-value policy 'ignore'/);
    expect(lab.datasetEntries()).toEqual([]);
  });
});
