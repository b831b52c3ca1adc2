import { describe, expect, it } from 'vitest';
import { kFoldIndices, splitIndices } from '../../../core/lab/datasets/splits.js';

function labelsOf(counts: number[]): Int32Array {
  return Int32Array.from(counts.flatMap((count, label) => Array<number>(count).fill(label)));
}

describe('splitIndices', () => {
  it('partitions every row exactly once, reproducibly from the seed', () => {
    const a = splitIndices(100, null, { seed: 7 });
    const b = splitIndices(100, null, { seed: 7 });
    const c = splitIndices(100, null, { seed: 8 });
    expect(a).toEqual(b);
    expect(a.train).not.toEqual(c.train);
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([80, 10, 10]);
    const all = [...a.train, ...a.validation, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('keeps class proportions when stratified', () => {
    const labels = labelsOf([900, 100]);
    const split = splitIndices(1000, labels, { validationFraction: 0.2, testFraction: 0.2, seed: 1 });
    const minority = (indices: Int32Array) => indices.filter((i) => labels[i] === 1).length;
    expect(minority(split.validation)).toBe(20);
    expect(minority(split.test)).toBe(20);
    expect(minority(split.train)).toBe(60);
  });

  it('uses rows from testStart on as the test split and splits only the rest', () => {
    const split = splitIndices(120, null, { validationFraction: 0.25, testFraction: 0.5 }, 100);
    expect(Array.from(split.test)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    expect(split.validation.length).toBe(25);
    expect(split.train.length).toBe(75);
  });

  it('gives tiny classes to training rather than emptying it', () => {
    const split = splitIndices(3, Int32Array.from([0, 1, 2]), { validationFraction: 0.3, testFraction: 0.3 });
    expect(split.train.length).toBe(3);
  });

  it('rejects fractions out of range', () => {
    expect(() => splitIndices(10, null, { validationFraction: 0.6, testFraction: 0.5 })).toThrow(/below 1/);
    expect(() => splitIndices(10, null, { validationFraction: -0.1 })).toThrow(
      /validationFraction must be in \[0, 1\)/,
    );
  });
});

describe('kFoldIndices', () => {
  it('puts every row in exactly one validation fold, stratified', () => {
    const labels = labelsOf([30, 10]);
    const folds = kFoldIndices(40, 5, { labels, seed: 2 });
    expect(folds).toHaveLength(5);
    const seen = folds.flatMap((fold) => [...fold.validation]).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const fold of folds) {
      expect(fold.validation.length).toBe(8);
      expect(fold.train.length).toBe(32);
      expect(fold.validation.filter((i) => labels[i] === 1).length).toBe(2);
    }
  });

  it('folds a subset of rows and checks k', () => {
    const folds = kFoldIndices(Int32Array.from([3, 5, 7, 9]), 2);
    expect(folds.flatMap((f) => [...f.validation]).sort()).toEqual([3, 5, 7, 9]);
    expect(() => kFoldIndices(3, 4)).toThrow(/k must be an integer from 2/);
  });
});
