import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetImportError } from '../../../core/lab/datasets/errors.js';
import { importNpy } from '../../../core/lab/datasets/npy-import.js';
import { readNpyHeader, readNpyInto } from '../../../core/lab/datasets/npy.js';
import { createTempLab, float32Bytes, int64Bytes, npyBytes, type TempLab } from './fixtures.js';

let lab: TempLab;
beforeEach(() => {
  lab = createTempLab();
});
afterEach(() => lab.cleanup());

async function expectError(
  promise: Promise<unknown> | (() => unknown),
  message: string | RegExp,
): Promise<void> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(DatasetImportError);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
}

describe('NPY reading', () => {
  it('reads float32, float64, ints, uint8, bool and big-endian arrays', async () => {
    const cases: [string, Uint8Array, number[]][] = [
      ['<f4', float32Bytes([1.5, -2]), [1.5, -2]],
      ['<f8', new Uint8Array(Float64Array.from([0.25, 3]).buffer), [0.25, 3]],
      ['<i4', new Uint8Array(Int32Array.from([-5, 7]).buffer), [-5, 7]],
      ['<i8', int64Bytes([-9, 11]), [-9, 11]],
      ['|u1', Uint8Array.from([0, 255]), [0, 255]],
      ['|b1', Uint8Array.from([1, 0]), [1, 0]],
      ['<u2', new Uint8Array(Uint16Array.from([1, 65535]).buffer), [1, 65535]],
      ['>f4', Uint8Array.from([0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0]), [1.5, -2]],
    ];
    for (const [descr, bytes, expected] of cases) {
      const file = lab.file(`${descr.replace(/\W/g, '_')}.npy`, npyBytes(descr, [2], bytes));
      const header = readNpyHeader(file);
      expect(header.shape).toEqual([2]);
      const out = new Float32Array(2);
      await readNpyInto(header, out, 0);
      expect(Array.from(out)).toEqual(expected);
    }
  });

  it('imports features and labels, keeping uint8 images as uint8', async () => {
    const pixels = Uint8Array.from({ length: 4 * 2 * 2 }, (_, i) => i * 10);
    const data = await importNpy(
      {
        features: lab.file('x.npy', npyBytes('|u1', [4, 2, 2], pixels)),
        labels: lab.file('y.npy', npyBytes('<i8', [4], int64Bytes([0, 1, 2, 1]))),
      },
      {},
    );
    expect(data.x).toBeInstanceOf(Uint8Array);
    expect(data.featureShape).toEqual([2, 2, 1]);
    expect(data.task).toBe('classification');
    expect(data.classNames).toEqual(['0', '1', '2']);
    expect(data.defaultScaling).toBe('divide255');
    const regression = await importNpy(
      {
        features: lab.file(
          't.npy',
          npyBytes('<f8', [3, 2], new Uint8Array(Float64Array.from([1, 2, 3, 4, 5, 6]).buffer)),
        ),
        labels: lab.file('r.npy', npyBytes('<f4', [3, 1], float32Bytes([0.5, 1.5, 2.5]))),
        testFeatures: lab.file('tt.npy', npyBytes('<f4', [1, 2], float32Bytes([7, 8]))),
        testLabels: lab.file('tr.npy', npyBytes('<f4', [1], float32Bytes([3.5]))),
      },
      {},
    );
    expect(regression.task).toBe('regression');
    expect(Array.from(regression.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(regression.y)).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(regression.testStart).toBe(3);
  });
});

describe('NPY bad input', () => {
  it('rejects an unsupported dtype', async () => {
    const file = lab.file('c.npy', npyBytes('<c8', [1], new Uint8Array(8)));
    await expectError(() => readNpyHeader(file), /c\.npy: found dtype '<c8', expected float32 \(<f4\)/);
    const text = lab.file('u.npy', npyBytes('<U3', [1], new Uint8Array(12)));
    await expectError(() => readNpyHeader(text), /u\.npy: found dtype '<U3'/);
  });

  it('rejects Fortran order', async () => {
    const file = lab.file('f.npy', npyBytes('<f4', [2, 2], float32Bytes([1, 2, 3, 4]), true));
    await expectError(
      () => readNpyHeader(file),
      'f.npy: found Fortran (column-major) order, expected C order (save with np.ascontiguousarray(a))',
    );
  });

  it('rejects a truncated file and a file that is not NPY', async () => {
    const bytes = npyBytes('<f4', [4], float32Bytes([1, 2, 3, 4]));
    const file = lab.file('t.npy', bytes.subarray(0, bytes.length - 2));
    await expectError(
      () => readNpyHeader(file),
      't.npy: found 14 bytes of data, expected 16 for shape (4) of <f4 (is the file truncated?)',
    );
    await expectError(
      () => readNpyHeader(lab.file('x.npy', 'a,b\n1,2\n')),
      /x\.npy: found first bytes 'a,b\\x0a1,', expected a NumPy \.npy file/,
    );
    await expectError(() => readNpyHeader(lab.file('e.npy', '')), /e\.npy: found an empty file/);
  });

  it('rejects label counts that differ, NaN features and non-integer class labels', async () => {
    const features = lab.file('x.npy', npyBytes('<f4', [3, 1], float32Bytes([1, 2, 3])));
    await expectError(
      importNpy({ features, labels: lab.file('y.npy', npyBytes('<i4', [2], new Uint8Array(8))) }, {}),
      'y.npy: found 2 labels, expected 3, one per row of x.npy',
    );
    await expectError(
      importNpy(
        {
          features: lab.file('nan.npy', npyBytes('<f4', [3, 1], float32Bytes([1, NaN, 3]))),
          labels: lab.file('y3.npy', npyBytes('<i4', [3], new Uint8Array(Int32Array.from([0, 1, 0]).buffer))),
        },
        {},
      ),
      'nan.npy row 1: found NaN, expected finite numbers (no NaN or infinity)',
    );
    await expectError(
      importNpy(
        {
          features,
          labels: lab.file('yf.npy', npyBytes('<f4', [3], float32Bytes([0, 1.5, 1]))),
          task: 'classification',
        },
        {},
      ),
      'yf.npy label 1: found 1.5, expected a whole-number class index (or choose the regression task)',
    );
  });
});
