import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importCsv } from '../../../core/lab/datasets/csv-import.js';
import { DatasetImportError } from '../../../core/lab/datasets/errors.js';
import { createTempLab, type TempLab } from './fixtures.js';

let lab: TempLab;
beforeEach(() => {
  lab = createTempLab();
});
afterEach(() => lab.cleanup());

async function expectError(promise: Promise<unknown>, message: string | RegExp): Promise<DatasetImportError> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(DatasetImportError);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
  return error as DatasetImportError;
}

describe('importCsv', () => {
  it('infers numeric, categorical, boolean and ignored columns, and a classification target', async () => {
    const rows = ['id,age,color,member,comment,label'];
    for (let i = 0; i < 12; i++) {
      rows.push(
        `${i + 1},${20 + i},${['red', 'green', 'blue'][i % 3]},${i % 2 ? 'yes' : 'no'},note ${i},${i % 2 ? 'cat' : 'dog'}`,
      );
    }
    const data = await importCsv(lab.file('pets.csv', rows.join('\n')), {}, {});
    const types = Object.fromEntries(data.columns.map((c) => [c.name, [c.type, c.role]]));
    expect(types).toEqual({
      id: ['ignored', 'ignored'],
      age: ['numeric', 'feature'],
      color: ['categorical', 'feature'],
      member: ['boolean', 'feature'],
      comment: ['ignored', 'ignored'],
      label: ['categorical', 'target'],
    });
    expect(data.task).toBe('classification');
    expect(data.classNames).toEqual(['cat', 'dog']);
    expect(data.featureShape).toEqual([5]); // age, color×3 (one-hot, sorted: blue, green, red), member
    expect(data.featureNames).toEqual(['age', 'color=blue', 'color=green', 'color=red', 'member']);
    expect(Array.from(data.x.subarray(0, 5))).toEqual([20, 0, 0, 1, 0]);
    expect(Array.from(data.x.subarray(5, 10))).toEqual([21, 0, 1, 0, 1]);
    expect(Array.from(data.y.subarray(0, 3))).toEqual([1, 0, 1]);
  });

  it('infers regression for a real-valued target and honours overrides', async () => {
    const file = lab.file('t.csv', 'a,b,y\n1,x,0.5\n2,y,1.5\n3,x,2.25\n4,y,3\n');
    const data = await importCsv(file, {}, {});
    expect(data.task).toBe('regression');
    expect(Array.from(data.y)).toEqual([0.5, 1.5, 2.25, 3]);
    const ordinal = await importCsv(
      file,
      { target: 'a', task: 'classification', categoricalEncoding: 'ordinal', columnTypes: { y: 'ignored' } },
      {},
    );
    expect(ordinal.task).toBe('classification');
    expect(ordinal.classNames).toEqual(['1', '2', '3', '4']);
    expect(ordinal.featureNames).toEqual(['b']);
    expect(Array.from(ordinal.x)).toEqual([0, 1, 0, 1]);
  });

  it('reads TSV, BOM, CRLF, quoted fields and headerless files', async () => {
    const tsv = await importCsv(
      lab.file('d.tsv', '\ufeffx\ty\r\n"1"\t"a, b"\r\n2\tc\r\n3\t"a, b"\r\n4\tc\r\n'),
      {},
      {},
    );
    expect(tsv.columns.map((c) => c.name)).toEqual(['x', 'y']);
    expect(tsv.classNames).toEqual(['a, b', 'c']);
    const headerless = await importCsv(lab.file('n.csv', '1,2,0\n3,4,1\n5,6,0\n'), {}, {});
    expect(headerless.columns.map((c) => c.name)).toEqual(['column_1', 'column_2', 'column_3']);
    expect(headerless.rows).toBe(3);
  });

  it('counts missing values per column and drops rows by default', async () => {
    const file = lab.file('m.csv', 'a,b,y\n1,2,0\nNA,3,1\n4,,0\n5,6,1\n7,8,\n');
    const data = await importCsv(file, {}, {});
    expect(data.rows).toBe(2);
    expect(data.missing).toEqual({ policy: 'drop', droppedRows: 3 });
    expect(data.columns.map((c) => c.stats.missing)).toEqual([1, 1, 1]);
  });

  it('keeps missing cells as NaN for the fill policies and refuses them when asked', async () => {
    const file = lab.file('m.csv', 'a,color,y\n1,red,0\n,blue,1\n4,,0\n5,red,1\n');
    const filled = await importCsv(file, { missing: 'mean' }, {});
    expect(filled.rows).toBe(4);
    expect(filled.hasMissing).toBe(true);
    expect(Number.isNaN(filled.x[3]!)).toBe(true);
    await expectError(
      importCsv(file, { missing: 'refuse' }, {}),
      "m.csv line 3, column 'a': found a missing value, expected a value (the missing-value policy is 'refuse')",
    );
  });

  it('adds the constant as a category for categorical columns', async () => {
    const file = lab.file('c.csv', 'color,y\nred,0\n,1\nblue,0\nred,1\n');
    const data = await importCsv(file, { missing: 'constant', missingConstant: 'unknown' }, {});
    expect(data.columns[0]!.categories).toEqual(['blue', 'red', 'unknown']);
  });
});

describe('importCsv bad input', () => {
  it('rejects an empty file', async () => {
    await expectError(
      importCsv(lab.file('empty.csv', ''), {}, {}),
      'empty.csv: found an empty file, expected a header row and data rows',
    );
    await expectError(
      importCsv(lab.file('blank.csv', '\ufeff \n\n'), {}, {}),
      /blank\.csv: found an empty file/,
    );
  });

  it('rejects a header with no rows', async () => {
    await expectError(
      importCsv(lab.file('h.csv', 'a,b\n'), {}, {}),
      'h.csv: found no data rows, expected at least one row after the header',
    );
  });

  it('rejects ragged rows with the line and both counts', async () => {
    await expectError(
      importCsv(lab.file('r.csv', 'a,b,c\n1,2,3\n4,5\n'), {}, {}),
      'r.csv line 3: found 2 fields, expected 3 as in the header',
    );
  });

  it('rejects a non-numeric value in a numeric column', async () => {
    const rows = ['age,y'];
    for (let i = 0; i < 40; i++) rows.push(`${20 + i},${i % 2}`);
    rows[13] = 'abc,1'; // line 14 of the file
    await expectError(
      importCsv(lab.file('data.csv', rows.join('\n')), {}, {}),
      "data.csv line 14, column 'age': found 'abc', expected a number",
    );
    await expectError(
      importCsv(lab.file('t.csv', 'a,b,y\n1,x,0\n2,y,1\n'), { columnTypes: { b: 'numeric' } }, {}),
      "t.csv line 2, column 'b': found 'x', expected a number",
    );
  });

  it('rejects a file that is not text', async () => {
    await expectError(
      importCsv(lab.file('fake.csv', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0])), {}, {}),
      'fake.csv: found a gzip archive, expected a text CSV/TSV file',
    );
    await expectError(
      importCsv(lab.file('bin.csv', Buffer.from('a,b\n1,\u0000\n', 'latin1')), {}, {}),
      /bin\.csv byte 6: found a NUL byte, expected text/,
    );
  });

  it('rejects an unknown target, a one-class target and a file with no usable features', async () => {
    await expectError(
      importCsv(lab.file('t.csv', 'a,b\n1,2\n3,4\n'), { target: 'z' }, {}),
      "t.csv: found target 'z', expected one of 'a', 'b'",
    );
    await expectError(
      importCsv(lab.file('o.csv', 'a,y\n1,x\n2,x\n'), {}, {}),
      "o.csv, column 'y': found a single class 'x', expected at least 2 classes for classification",
    );
    await expectError(
      importCsv(lab.file('f.csv', 'name,y\nann,1.5\nbob,2.5\ncid,3.5\ndan,4.5\neve,5.5\nfay,6.5\n'), {}, {}),
      /f\.csv: found no usable feature columns/,
    );
  });

  it('rejects an unclosed quote', async () => {
    await expectError(
      importCsv(lab.file('q.csv', 'a,b\n1,"2\n3,4\n'), {}, {}),
      /q\.csv line 2: a quoted field is never closed/,
    );
  });

  it('rejects a single-column file as probably the wrong delimiter', async () => {
    await expectError(importCsv(lab.file('one.csv', 'a\n1\n2\n'), {}, {}), /one\.csv: found 1 column/);
  });
});
