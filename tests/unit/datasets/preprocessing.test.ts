import { describe, expect, it } from 'vitest';
import type { ImportedData } from '../../../core/lab/datasets/imported-data.js';
import { fillMissing, fitScaling, Preprocessor } from '../../../core/lab/datasets/preprocessing.js';
import type { ColumnSchema, DatasetSchema } from '../../../core/lab/datasets/schema.js';

const stats = {
  count: 0,
  missing: 1,
  distinct: 0,
  distinctCapped: false,
  min: null,
  max: null,
  mean: null,
  std: null,
  top: [],
};

describe('fitScaling', () => {
  const x = Float32Array.from([0, 10, 2, 20, 4, 30, 100, 1000]); // 4 rows × 2 features
  const train = Int32Array.from([0, 1, 2]);

  it('standardises with training statistics only', () => {
    const scaling = fitScaling('standardize', x, [2], train);
    expect(scaling.offset).toEqual([2, 20]);
    expect(scaling.scale[0]).toBeCloseTo(1 / Math.sqrt(8 / 3));
  });

  it('maps to [0, 1] and [-1, 1] from the training range', () => {
    const unit = fitScaling('minmax01', x, [2], train);
    const pre = new Preprocessor({ scaling: unit, featureShape: [2] } as DatasetSchema);
    expect(Array.from(pre.transform(x.subarray(0, 6)))).toEqual([0, 0, 0.5, 0.5, 1, 1]);
    const symmetric = fitScaling('minmax11', x, [2], train);
    const pre11 = new Preprocessor({ scaling: symmetric, featureShape: [2] } as DatasetSchema);
    expect(Array.from(pre11.transform(x.subarray(0, 6)))).toEqual([-1, -1, 0, 0, 1, 1]);
  });

  it('divides pixels by 255 and scales images per channel', () => {
    const pixels = Uint8Array.from([0, 255, 51, 102]);
    const scaling = fitScaling('divide255', pixels, [1, 2, 2], Int32Array.from([0]));
    expect(scaling.channels).toBe(2);
    const pre = new Preprocessor({ scaling, featureShape: [1, 2, 2] } as DatasetSchema);
    const out = pre.transform(pixels);
    [0, 1, 0.2, 0.4].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  it('leaves encoded categorical columns unscaled in tables', () => {
    const columns: ColumnSchema[] = [
      {
        name: 'a',
        sourceIndex: 0,
        type: 'numeric',
        role: 'feature',
        featureOffset: 0,
        featureWidth: 1,
        stats,
      },
      {
        name: 'c',
        sourceIndex: 1,
        type: 'categorical',
        role: 'feature',
        encoding: 'onehot',
        categories: ['p', 'q'],
        featureOffset: 1,
        featureWidth: 2,
        stats,
      },
    ];
    const table = Float32Array.from([1, 1, 0, 3, 0, 1]);
    const scaling = fitScaling('standardize', table, [3], Int32Array.from([0, 1]), columns);
    expect(scaling.offset).toEqual([2, 0, 0]);
    expect(scaling.scale).toEqual([1, 1, 1]);
  });
});

describe('fillMissing', () => {
  function table(policy: ImportedData['missing']['policy'], constant?: number | string): ImportedData {
    const columns: ColumnSchema[] = [
      {
        name: 'n',
        sourceIndex: 0,
        type: 'numeric',
        role: 'feature',
        featureOffset: 0,
        featureWidth: 1,
        stats,
      },
      {
        name: 'c',
        sourceIndex: 1,
        type: 'categorical',
        role: 'feature',
        encoding: 'onehot',
        categories: ['p', 'q'],
        featureOffset: 1,
        featureWidth: 2,
        stats,
      },
    ];
    // rows: [1,p] [NaN,q] [3,q] [10,NaN] [100,p] (row 4 is not training data)
    const x = Float32Array.from([1, 1, 0, NaN, 0, 1, 3, 0, 1, 10, NaN, NaN, 100, 1, 0]);
    return {
      sourceKind: 'csv',
      sourceFiles: [],
      x,
      rows: 5,
      featureShape: [3],
      y: new Int32Array(5),
      task: 'classification',
      classNames: ['0', '1'],
      targetName: 'y',
      columns,
      hasMissing: true,
      missing: { policy, ...(constant !== undefined && { constant }), droppedRows: 0 },
      defaultScaling: 'standardize',
    };
  }
  const train = Int32Array.from([0, 1, 2, 3]);

  it('fills with the training mean or median and the most frequent category', () => {
    const mean = table('mean');
    fillMissing(mean, train);
    expect(mean.columns[0]!.fill).toBeCloseTo(14 / 3);
    expect(mean.columns[1]!.fill).toBe('q');
    expect(Array.from(mean.x.subarray(9, 12))).toEqual([10, 0, 1]);
    const median = table('median');
    fillMissing(median, train);
    expect(median.columns[0]!.fill).toBe(3);
    expect(median.x[3]).toBe(3);
  });

  it('fills with a constant', () => {
    const data = table('constant', 0);
    fillMissing(data, train);
    expect(data.x[3]).toBe(0);
  });
});

describe('Preprocessor.encodeRecords', () => {
  it('encodes raw rows by column name with the stored encodings, fills and scaling', () => {
    const schema = {
      name: 't',
      featureShape: [4],
      columns: [
        {
          name: 'age',
          sourceIndex: 0,
          type: 'numeric',
          role: 'feature',
          featureOffset: 0,
          featureWidth: 1,
          fill: 30,
          stats,
        },
        {
          name: 'color',
          sourceIndex: 1,
          type: 'categorical',
          role: 'feature',
          encoding: 'onehot',
          categories: ['blue', 'red'],
          featureOffset: 1,
          featureWidth: 2,
          stats,
        },
        {
          name: 'member',
          sourceIndex: 2,
          type: 'boolean',
          role: 'feature',
          categories: ['false', 'true'],
          featureOffset: 3,
          featureWidth: 1,
          stats,
        },
        { name: 'y', sourceIndex: 3, type: 'numeric', role: 'target', stats },
      ],
      scaling: {
        kind: 'standardize',
        channels: 4,
        offset: [20, 0, 0, 0],
        scale: [0.1, 1, 1, 1],
        fittedOn: 'train',
      },
      target: { name: 'y', classNames: null },
    } as unknown as DatasetSchema;
    const pre = new Preprocessor(schema);
    expect(
      Array.from(
        pre.encodeRecords([
          { age: 40, color: 'red', member: true },
          { age: null, color: 'blue', member: 'no' },
        ]),
      ),
    ).toEqual([2, 0, 1, 1, 1, 1, 0, 0]);
    expect(() => pre.encodeRecords([{ age: 1, color: 'green', member: 'yes' }])).toThrow(
      /column 'color': found 'green', expected one of the categories/,
    );
    expect(() => pre.encodeRecords([{ age: 1, color: null, member: 'yes' }])).toThrow(
      /record 0, column 'color': found a missing value/,
    );
  });
});
