import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetImportError } from '../../../core/lab/datasets/errors.js';
import { importImageFolder } from '../../../core/lab/datasets/image-folder.js';
import { createTempLab, solidImage, type TempLab } from './fixtures.js';

let lab: TempLab;
beforeEach(() => {
  lab = createTempLab();
});
afterEach(() => lab.cleanup());

describe('importImageFolder', () => {
  it('reads one subfolder per class, PNG and JPEG, resized, RGB or grayscale', async () => {
    lab.file('pics/red/a.png', solidImage('png', 10, 6, [255, 0, 0]));
    lab.file('pics/red/b.jpg', solidImage('jpeg', 3, 3, [250, 0, 0]));
    lab.file('pics/blue/c.PNG', solidImage('png', 8, 8, [0, 0, 255]));
    lab.file('pics/blue/notes.txt', 'not an image');
    const folder = `${lab.dir}/inputs/pics`;
    const rgb = await importImageFolder({ folder, width: 4, height: 4 }, {});
    expect(rgb.classNames).toEqual(['blue', 'red']);
    expect(rgb.featureShape).toEqual([4, 4, 3]);
    expect(rgb.rows).toBe(3);
    expect(Array.from(rgb.y)).toEqual([0, 1, 1]);
    expect(Array.from(rgb.x.subarray(0, 3))).toEqual([0, 0, 255]);
    expect(Array.from(rgb.x.subarray(48, 51))).toEqual([255, 0, 0]);
    const jpegPixel = Array.from(rgb.x.subarray(96, 99));
    expect(Math.abs(jpegPixel[0]! - 250)).toBeLessThan(8);
    const gray = await importImageFolder({ folder, width: 2, height: 3, color: 'grayscale' }, {});
    expect(gray.featureShape).toEqual([3, 2, 1]);
    expect(gray.x[0]).toBe(Math.round(0.114 * 255));
    expect(gray.x[6]).toBe(Math.round(0.299 * 255));
  });

  it('uses a test folder with the same classes as the test split', async () => {
    lab.file('train/a/1.png', solidImage('png', 2, 2, [1, 1, 1]));
    lab.file('train/b/1.png', solidImage('png', 2, 2, [2, 2, 2]));
    lab.file('test/b/1.png', solidImage('png', 2, 2, [2, 2, 2]));
    const data = await importImageFolder(
      { folder: `${lab.dir}/inputs/train`, testFolder: `${lab.dir}/inputs/test`, width: 2, height: 2 },
      {},
    );
    expect(data.testStart).toBe(2);
    expect(Array.from(data.y)).toEqual([0, 1, 1]);
    lab.file('test/c/1.png', solidImage('png', 2, 2, [2, 2, 2]));
    await expect(
      importImageFolder({ folder: `${lab.dir}/inputs/train`, testFolder: `${lab.dir}/inputs/test` }, {}),
    ).rejects.toThrow(/c: found class 'c', expected one of the training classes \(a, b\)/);
  });

  it('rejects an unreadable image naming the file', async () => {
    lab.file('bad/a/ok.png', solidImage('png', 2, 2, [1, 1, 1]));
    const png = solidImage('png', 2, 2, [1, 1, 1]);
    lab.file('bad/b/broken.png', png.subarray(0, 30));
    lab.file('bad/b/fake.jpg', 'hello');
    const error = await importImageFolder({ folder: `${lab.dir}/inputs/bad` }, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetImportError);
    expect((error as Error).message).toMatch(
      /^broken\.png: found an unreadable PNG \(.+\), expected a valid image$/,
    );
  });

  it('rejects a folder without at least two classes of images', async () => {
    lab.file('one/a/x.png', solidImage('png', 2, 2, [1, 1, 1]));
    await expect(importImageFolder({ folder: `${lab.dir}/inputs/one` }, {})).rejects.toThrow(
      'one: found 1 class folder with images, expected one subfolder per class, at least 2, holding PNG or JPEG files',
    );
  });
});

describe('Preprocessor.encodeImage', () => {
  it('decodes, resizes and scales a new image like the stored ones', async () => {
    const { Preprocessor } = await import('../../../core/lab/datasets/preprocessing.js');
    const schema = {
      name: 'pics',
      featureShape: [2, 2, 1],
      scaling: { kind: 'divide255', channels: 1, offset: [0], scale: [1 / 255], fittedOn: 'train' },
    } as unknown as import('../../../core/lab/datasets/schema.js').DatasetSchema;
    const out = new Preprocessor(schema).encodeImage(solidImage('png', 6, 6, [255, 255, 255]));
    expect(Array.from(out)).toEqual([1, 1, 1, 1]);
    expect(() => new Preprocessor(schema).encodeImage(Buffer.from('nope'))).toThrow(
      /image: found neither a PNG nor a JPEG/,
    );
  });
});
