import { describe, expect, it } from 'vitest';
import { CsvTokenizer } from '../../../core/lab/datasets/csv-parse.js';
import { sniffCsv } from '../../../core/lab/datasets/csv-sniff.js';
import { DatasetImportError } from '../../../core/lab/datasets/errors.js';
import { createRandom } from '../../../core/lab/datasets/random.js';

function tokenize(text: string, delimiter = ',', chunks: number[] = []): [string[], number][] {
  const records: [string[], number][] = [];
  const tokenizer = new CsvTokenizer(delimiter, (fields, line) => records.push([fields, line]), 'data.csv');
  let at = 0;
  for (const size of chunks) {
    tokenizer.push(text.slice(at, at + size));
    at += size;
  }
  tokenizer.push(text.slice(at));
  tokenizer.end();
  return records;
}

describe('CsvTokenizer', () => {
  it('splits fields and records with their starting line numbers', () => {
    expect(tokenize('a,b\n1,2\n3,4')).toEqual([
      [['a', 'b'], 1],
      [['1', '2'], 2],
      [['3', '4'], 3],
    ]);
  });

  it('keeps quoted delimiters, escaped quotes and embedded newlines', () => {
    const records = tokenize('name,note\n"Smith, J","said ""hi""\nand left"\nx,y\n');
    expect(records).toEqual([
      [['name', 'note'], 1],
      [['Smith, J', 'said "hi"\nand left'], 2],
      [['x', 'y'], 4],
    ]);
  });

  it('handles CRLF, lone CR, blank lines and a missing final newline', () => {
    expect(tokenize('a,b\r\n1,2\r\n\r\n3,4\r5,6').map(([f]) => f)).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(tokenize('a,,c,\n').map(([f]) => f)).toEqual([['a', '', 'c', '']]);
  });

  it('gives the same records however the text is cut into chunks', () => {
    const text = 'h1,h2,h3\r\n"a,1","b\r\n""q""",c\r\n,,\r\n"",x,"y"\n4,5,6';
    const expected = tokenize(text);
    const random = createRandom(3);
    for (let trial = 0; trial < 300; trial++) {
      const chunks: number[] = [];
      for (let left = text.length; left > 0;) {
        const size = 1 + random.int(Math.min(left, 7));
        chunks.push(size);
        left -= size;
      }
      expect(tokenize(text, ',', chunks)).toEqual(expected);
    }
  });

  it('reports an unclosed quote with the line it opened on', () => {
    expect(() => tokenize('a,b\n1,"open\n2,3\n')).toThrow(/data\.csv line 2.*never closed/);
  });

  it('reports text after a closing quote', () => {
    let error: DatasetImportError | undefined;
    try {
      tokenize('a,b\n"x"y,2\n');
    } catch (caught) {
      error = caught as DatasetImportError;
    }
    expect(error).toBeInstanceOf(DatasetImportError);
    expect(error!.message).toBe(
      "data.csv line 2: found 'y' after a closing quote, expected a delimiter or the end of the line",
    );
  });
});

describe('sniffCsv', () => {
  it('detects comma, tab, semicolon and pipe', () => {
    expect(sniffCsv('a,b,c\n1,2,3\n4,5,6\n').delimiter).toBe(',');
    expect(sniffCsv('a\tb\tc\n1\t2\t3\n').delimiter).toBe('\t');
    expect(sniffCsv('a;b;c\n1,5;2;3\n4;5;6\n').delimiter).toBe(';');
    expect(sniffCsv('a|b\n1|2\n').delimiter).toBe('|');
  });

  it('is not fooled by delimiters inside quotes', () => {
    expect(sniffCsv('x;y\n"1,2,3";4\n"5,6,7";8\n').delimiter).toBe(';');
  });

  it('detects a header row', () => {
    expect(sniffCsv('age,income\n30,1000\n').header).toBe(true);
    expect(sniffCsv('30,1000\n40,2000\n').header).toBe(false);
    expect(sniffCsv('color,size\nred,big\nblue,small\n').header).toBe(true);
    expect(sniffCsv('red,big\nblue,small\nred,small\n').header).toBe(false);
  });
});
