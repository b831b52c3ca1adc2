// Train/validation/test splits and k-fold indices from a seed, stratified by class when asked.
import { createRandom, shuffleInPlace } from './random.js';

export interface SplitOptions {
  /** Share of the rows (or of the training rows, when test rows come from test files). Defaults to 0.1. */
  validationFraction?: number;
  /** Share of the rows held out for test; ignored when test files were given. Defaults to 0.1. */
  testFraction?: number;
  /** Defaults to 0. */
  seed?: number;
  /** Keep class proportions in every split. Defaults to true for classification. */
  stratify?: boolean;
}

export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Splits rows 0…rows-1. With `labels` and `stratify`, each class is split on its own so every
 * split keeps the class proportions. Rows from `testStart` on (separate test files) become the
 * test split as they are, and only the rows before it are split into train and validation.
 * Indices within each split are ascending.
 */
export function splitIndices(
  rows: number,
  labels: Int32Array | null,
  options: SplitOptions = {},
  testStart?: number,
): SplitIndices {
  const validationFraction = checkFraction('validationFraction', options.validationFraction ?? 0.1);
  const fixedTest = testStart !== undefined && testStart < rows;
  const testFraction = fixedTest ? 0 : checkFraction('testFraction', options.testFraction ?? 0.1);
  if (validationFraction + testFraction >= 1) {
    throw new RangeError(
      `validationFraction + testFraction must be below 1, got ${validationFraction} + ${testFraction}`,
    );
  }
  const pool = fixedTest ? testStart : rows;
  const random = createRandom(options.seed ?? 0);
  const groups = groupRows(pool, options.stratify !== false ? labels : null);
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  for (const group of groups) {
    shuffleInPlace(group, random);
    const testCount = Math.round(group.length * testFraction);
    const validationCount = Math.round(group.length * validationFraction);
    const keep = group.length - testCount - validationCount;
    if (keep < 1 && group.length > 0) {
      // Too few rows to share out: training needs them more.
      train.push(...group);
      continue;
    }
    test.push(...group.slice(0, testCount));
    validation.push(...group.slice(testCount, testCount + validationCount));
    train.push(...group.slice(testCount + validationCount));
  }
  const fixed: number[] = [];
  if (fixedTest) for (let i = testStart; i < rows; i++) fixed.push(i);
  return {
    train: sorted(train),
    validation: sorted(validation),
    test: fixedTest ? Int32Array.from(fixed) : sorted(test),
  };
}

export interface Fold {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * k folds over `rows` (or over the given row indices, e.g. the training split): each row is in
 * exactly one fold's validation set. Stratified when labels are given.
 */
export function kFoldIndices(
  rows: number | Int32Array,
  k: number,
  options: { seed?: number; labels?: Int32Array | null } = {},
): Fold[] {
  const indices = typeof rows === 'number' ? Int32Array.from({ length: rows }, (_, i) => i) : rows;
  if (!Number.isInteger(k) || k < 2 || k > indices.length) {
    throw new RangeError(`k must be an integer from 2 to the number of rows (${indices.length}), got ${k}`);
  }
  const random = createRandom(options.seed ?? 0);
  const labels = options.labels ?? null;
  const byClass = new Map<number, number[]>();
  for (const index of indices) {
    const key = labels ? labels[index]! : 0;
    let group = byClass.get(key);
    if (!group) byClass.set(key, (group = []));
    group.push(index);
  }
  const foldOf = new Map<number, number>();
  let position = 0;
  for (const key of [...byClass.keys()].sort((a, b) => a - b)) {
    const group = byClass.get(key)!;
    shuffleInPlace(group, random);
    for (const index of group) foldOf.set(index, position++ % k);
  }
  const folds: Fold[] = [];
  for (let fold = 0; fold < k; fold++) {
    const train: number[] = [];
    const validation: number[] = [];
    for (const index of indices) (foldOf.get(index) === fold ? validation : train).push(index);
    folds.push({ train: sorted(train), validation: sorted(validation) });
  }
  return folds;
}

function groupRows(rows: number, labels: Int32Array | null): number[][] {
  if (!labels) return [Array.from({ length: rows }, (_, i) => i)];
  const groups = new Map<number, number[]>();
  for (let i = 0; i < rows; i++) {
    const label = labels[i]!;
    let group = groups.get(label);
    if (!group) groups.set(label, (group = []));
    group.push(i);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((key) => groups.get(key)!);
}

function sorted(values: number[]): Int32Array {
  return Int32Array.from(values).sort();
}

function checkFraction(name: string, value: number): number {
  if (!(value >= 0 && value < 1)) throw new RangeError(`${name} must be in [0, 1), got ${value}`);
  return value;
}
