import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetImportError } from '../../../core/lab/datasets/errors.js';
import { importIdx } from '../../../core/lab/datasets/idx-import.js';
import { readIdxHeader, readIdxInto } from '../../../core/lab/datasets/idx.js';
import { createTempLab, gzip, idxBytes, tinyImages, type TempLab } from './fixtures.js';

let lab: TempLab;
beforeEach(() => {
  lab = createTempLab();
});
afterEach(() => lab.cleanup());

async function expectError(promise: Promise<unknown>, message: string | RegExp): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(DatasetImportError);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
}

describe('IDX reading', () => {
  it('reads every element type, raw and gzipped, converting from big-endian', async () => {
    const cases = [
      ['uint8', [0, 1, 255]],
      ['int8', [-128, 0, 127]],
      ['int16', [-300, 2, 30000]],
      ['int32', [-70000, 5, 1 << 30]],
      ['float32', [1.5, -2.25, 1e-3]],
      ['float64', [Math.PI, -1, 1e10]],
    ] as const;
    for (const [type, values] of cases) {
      for (const compress of [false, true]) {
        const raw = idxBytes(type, [3], values);
        const file = lab.file(`v-${type}.idx${compress ? '.gz' : ''}`, compress ? gzip(raw) : raw);
        const header = await readIdxHeader(file);
        expect(header.type).toBe(type);
        expect(header.dims).toEqual([3]);
        const out =
          type === 'uint8'
            ? new Uint8Array(3)
            : type.startsWith('float')
              ? new Float32Array(3)
              : new Int32Array(3);
        await readIdxInto(header, out, 0);
        expect(Array.from(out)).toEqual(
          Array.from(type.startsWith('float') ? Float32Array.from(values) : values),
        );
      }
    }
  });

  it('pairs images with labels and makes separate test files the test split', async () => {
    const train = tinyImages(12);
    const test = tinyImages(6);
    const data = await importIdx(
      {
        images: lab.file('train-images.gz', gzip(train.images)),
        labels: lab.file('train-labels', train.labels),
        testImages: lab.file('test-images', test.images),
        testLabels: lab.file('test-labels.gz', gzip(test.labels)),
        classNames: ['a', 'b', 'c'],
      },
      {},
    );
    expect(data.rows).toBe(18);
    expect(data.testStart).toBe(12);
    expect(data.featureShape).toEqual([4, 4, 1]);
    expect(data.x).toBeInstanceOf(Uint8Array);
    expect(Array.from(data.x.subarray(0, 4))).toEqual(Array.from(train.images.subarray(16, 20)));
    expect(Array.from(data.x.subarray(12 * 16, 12 * 16 + 4))).toEqual(
      Array.from(test.images.subarray(16, 20)),
    );
    expect(Array.from(data.y.subarray(10, 14))).toEqual([1, 2, 0, 1]);
    expect(data.classNames).toEqual(['a', 'b', 'c']);
    expect(data.defaultScaling).toBe('divide255');
  });

  it('reports progress while reading', async () => {
    const { images, labels } = tinyImages(10);
    const seen: number[] = [];
    await importIdx(
      { images: lab.file('i', images), labels: lab.file('l', labels) },
      { onProgress: (p) => seen.push(p.done) },
    );
    expect(seen.length).toBeGreaterThan(0);
  });
});

describe('IDX bad input', () => {
  it('rejects a header whose sizes disagree with the file length', async () => {
    const { images, labels } = tinyImages(5);
    const short = images.subarray(0, images.length - 3);
    await expectError(
      importIdx({ images: lab.file('images.idx', short), labels: lab.file('labels.idx', labels) }, {}),
      'images.idx: found 77 bytes of data, expected 80 as its header says (5×4×4 uint8 elements)',
    );
    await expectError(
      importIdx({ images: lab.file('images.gz', gzip(short)), labels: lab.file('labels.idx', labels) }, {}),
      'images.gz: found 77 bytes of data, expected 80 as its header says (5×4×4 uint8 elements)',
    );
    const long = Buffer.concat([images, Buffer.alloc(4)]);
    await expectError(
      importIdx({ images: lab.file('long.gz', gzip(long)), labels: lab.file('labels.idx', labels) }, {}),
      /long\.gz: found 84 bytes of data, expected 80/,
    );
  });

  it('rejects a label count that differs from the image count', async () => {
    const { images } = tinyImages(5);
    await expectError(
      importIdx(
        {
          images: lab.file('imgs', images),
          labels: lab.file('labels', idxBytes('uint8', [4], [0, 1, 0, 1])),
        },
        {},
      ),
      'labels: found 4 labels, expected 5, one per image in imgs',
    );
  });

  it('rejects a truncated .gz', async () => {
    const { images, labels } = tinyImages(50, 8, 8);
    const packed = gzip(images);
    await expectError(
      importIdx(
        { images: lab.file('cut.gz', packed.subarray(0, packed.length >> 1)), labels: lab.file('l', labels) },
        {},
      ),
      /cut\.gz: found the gzip stream ending early after \d+ bytes, expected a complete \.gz file \(is it truncated\?\)/,
    );
  });

  it('rejects a .gz that is not gzip, and a file that is not IDX', async () => {
    const { images, labels } = tinyImages(3);
    await expectError(
      importIdx({ images: lab.file('plain.gz', images), labels: lab.file('l', labels) }, {}),
      'plain.gz: found no gzip header, expected a gzip-compressed file (the name ends in .gz)',
    );
    await expectError(
      importIdx(
        {
          images: lab.file('photo.idx', Buffer.from('\x89PNG\r\n\x1a\n....', 'latin1')),
          labels: lab.file('l', labels),
        },
        {},
      ),
      /photo\.idx: found magic number 0x89504e47, expected an IDX file/,
    );
    await expectError(
      importIdx({ images: lab.file('empty', ''), labels: lab.file('l', labels) }, {}),
      /empty: found an empty file/,
    );
  });

  it('rejects float labels, out-of-range labels and mismatched test shapes', async () => {
    const { images } = tinyImages(3);
    await expectError(
      importIdx(
        { images: lab.file('i', images), labels: lab.file('fl', idxBytes('float32', [3], [0, 1, 2])) },
        {},
      ),
      'fl: found float32 labels, expected integer class labels (uint8, int8, int16 or int32)',
    );
    await expectError(
      importIdx(
        {
          images: lab.file('i', images),
          labels: lab.file('big', idxBytes('uint8', [3], [0, 1, 7])),
          classNames: ['a', 'b'],
        },
        {},
      ),
      'big label 2: found 7, expected a class index from 0 to 1',
    );
    const other = tinyImages(2, 5, 5);
    await expectError(
      importIdx(
        {
          images: lab.file('i', images),
          labels: lab.file('l', idxBytes('uint8', [3], [0, 1, 2])),
          testImages: lab.file('ti', other.images),
          testLabels: lab.file('tl', other.labels),
        },
        {},
      ),
      'ti: found images of 5×5×1, expected 4×4×1 like the training images',
    );
  });
});
