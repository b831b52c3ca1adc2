import { describe, expect, it } from 'vitest';
import { DatasetImportError } from '../../../core/lab/datasets/errors.js';
import { generateSample, ICE_CREAM, sampleToCsv } from '../../../core/lab/datasets/samples.js';

describe('samples', () => {
  it('generates reproducible, balanced two-class sets', () => {
    for (const sample of ['xor', 'spirals', 'moons', 'circles'] as const) {
      const a = generateSample({ sample, rows: 100, seed: 4 });
      expect(a).toEqual(generateSample({ sample, rows: 100, seed: 4 }));
      expect(a).not.toEqual(generateSample({ sample, rows: 100, seed: 5 }));
      expect(a.header).toEqual(['x1', 'x2', 'label']);
      expect(a.rows.filter((r) => r[2] === 1)).toHaveLength(50);
    }
  });

  it('draws circles at two radii and sine values near sin(x)', () => {
    const circles = generateSample({ sample: 'circles', rows: 50, noise: 0 });
    for (const [x, y, label] of circles.rows) expect(Math.hypot(x!, y!)).toBeCloseTo(label === 0 ? 1 : 0.5);
    const sine = generateSample({ sample: 'sine', rows: 50, noise: 0 });
    for (const [x, y] of sine.rows) expect(y).toBeCloseTo(Math.sin(x!));
  });

  it('keeps the ice-cream table as given', () => {
    expect(ICE_CREAM.rows.map((r) => r[0])).toEqual([2, 6, 1, 3, 2, 5, 7, 4, 3, 1]);
    expect(ICE_CREAM.rows.map((r) => r[1])).toEqual([22, 33, 20, 25, 24, 30, 35, 28, 26, 21]);
    expect(ICE_CREAM.rows.map((r) => r[2])).toEqual([
      1.51, 2.22, 1.37, 1.77, 1.64, 2.04, 2.42, 1.9, 1.75, 1.45,
    ]);
    expect(sampleToCsv(ICE_CREAM).split('\n')[1]).toBe('2,22,1.51');
  });

  it('rejects an unreasonable row count', () => {
    expect(() => generateSample({ sample: 'moons', rows: 2 })).toThrow(/from 4 to 1000000/);
  });
});

describe('DatasetImportError', () => {
  it('reads like a sentence naming file, place, column, found and expected', () => {
    const error = new DatasetImportError({
      file: 'some/folder/data.csv',
      line: 14,
      column: 'age',
      found: "'abc'",
      expected: 'a number',
    });
    expect(error.message).toBe("data.csv line 14, column 'age': found 'abc', expected a number");
    expect(error).toMatchObject({ line: 14, column: 'age', found: "'abc'", expected: 'a number' });
    expect(
      new DatasetImportError({
        file: 'l.idx',
        record: { index: 3, noun: 'label' },
        found: '12',
        expected: 'below 10',
      }).message,
    ).toBe('l.idx label 3: found 12, expected below 10');
  });
});
