// Column profiles gathered in one streaming pass, and the type decisions made from them.
import { DatasetImportError, quoteFound } from './errors.js';
import type { ColumnStats, ColumnType, DatasetTask } from './schema.js';

/** Distinct values are tracked up to this many per column; past it a column is not categorical. */
export const DISTINCT_LIMIT = 1000;
/** A column with at most this many distinct values (and repeats) is categorical. */
const CATEGORICAL_MAX = 100;
/** An integer target with at most this many distinct values is taken as class labels. */
const CLASS_TARGET_MAX = 20;

const missingMarkers = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', 'missing']);
const trueWords = new Set(['true', 't', 'yes', 'y']);
const falseWords = new Set(['false', 'f', 'no', 'n']);
const numberPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function isMissing(raw: string): boolean {
  return missingMarkers.has(raw.trim().toLowerCase());
}

/** The number a cell holds, or NaN when it is not a plain decimal number. */
export function parseNumber(raw: string): number {
  const text = raw.trim();
  return numberPattern.test(text) ? Number(text) : NaN;
}

/** 1 for true-like words, 0 for false-like, NaN otherwise. */
export function parseBoolean(raw: string): number {
  const text = raw.trim().toLowerCase();
  if (trueWords.has(text)) return 1;
  if (falseWords.has(text)) return 0;
  return NaN;
}

export class ColumnProfile {
  present = 0;
  missing = 0;
  firstMissingLine = 0;
  numeric = 0;
  nonNumeric = 0;
  firstNonNumeric: { line: number; value: string } | undefined;
  booleanLike = 0;
  integerOnly = true;
  min = Infinity;
  max = -Infinity;
  sum = 0;
  sumSquares = 0;
  /** Distinct trimmed values and their counts, up to DISTINCT_LIMIT. */
  readonly distinct = new Map<string, number>();
  distinctOverflow = false;

  constructor(
    readonly name: string,
    readonly index: number,
  ) {}

  add(raw: string, line: number): void {
    if (isMissing(raw)) {
      if (this.missing++ === 0) this.firstMissingLine = line;
      return;
    }
    this.present++;
    const text = raw.trim();
    const value = parseNumber(text);
    if (Number.isFinite(value)) {
      this.numeric++;
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
      this.sum += value;
      this.sumSquares += value * value;
      if (!Number.isInteger(value)) this.integerOnly = false;
    } else {
      if (this.nonNumeric++ === 0) this.firstNonNumeric = { line, value: text };
      if (!Number.isNaN(parseBoolean(text))) this.booleanLike++;
    }
    if (!this.distinctOverflow) {
      const seen = this.distinct.get(text);
      if (seen !== undefined) this.distinct.set(text, seen + 1);
      else if (this.distinct.size < DISTINCT_LIMIT) this.distinct.set(text, 1);
      else this.distinctOverflow = true;
    }
  }

  stats(): ColumnStats {
    const numericStats = this.numeric > 0 && this.nonNumeric === 0;
    const mean = numericStats ? this.sum / this.numeric : null;
    const variance = numericStats ? Math.max(0, this.sumSquares / this.numeric - mean! * mean!) : null;
    return {
      count: this.present,
      missing: this.missing,
      distinct: this.distinct.size,
      distinctCapped: this.distinctOverflow,
      min: numericStats ? this.min : null,
      max: numericStats ? this.max : null,
      mean,
      std: variance === null ? null : Math.sqrt(variance),
      top: this.topValues(5),
    };
  }

  topValues(count: number): { value: string; count: number }[] {
    return [...this.distinct.entries()]
      .sort((a, b) => b[1] - a[1] || compareNatural(a[0], b[0]))
      .slice(0, count)
      .map(([value, n]) => ({ value, count: n }));
  }
}

/** Numbers in numeric order, then text in code-point order. */
export function compareNatural(a: string, b: string): number {
  const x = parseNumber(a);
  const y = parseNumber(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  if (Number.isFinite(x)) return -1;
  if (Number.isFinite(y)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const idName = /^(id|.*[_ -]id|.*Id|uuid|key|index)$/i;

/** The type a feature column gets when the user does not choose one. */
export function inferColumnType(profile: ColumnProfile): ColumnType {
  if (profile.present === 0) return 'ignored';
  if (profile.nonNumeric === 0) {
    const allDistinct = !profile.distinctOverflow && profile.distinct.size === profile.present;
    if (profile.integerOnly && idName.test(profile.name) && (allDistinct || profile.distinctOverflow)) {
      return 'ignored';
    }
    return 'numeric';
  }
  // Mostly numbers with a few stray words: a numeric column with bad cells, reported as such.
  if (profile.numeric >= 0.9 * profile.present && profile.nonNumeric <= Math.max(3, 0.01 * profile.present)) {
    return 'numeric';
  }
  if (profile.booleanLike === profile.present && profile.distinct.size <= 2) return 'boolean';
  const repeats = profile.distinct.size < 0.5 * profile.present || profile.present <= 4;
  if (!profile.distinctOverflow && profile.distinct.size <= CATEGORICAL_MAX && repeats) return 'categorical';
  return 'ignored';
}

/** Classification for text or small-integer targets, regression for other numbers. */
export function inferTask(profile: ColumnProfile): DatasetTask {
  if (profile.nonNumeric > 0) return 'classification';
  if (profile.integerOnly && !profile.distinctOverflow && profile.distinct.size <= CLASS_TARGET_MAX) {
    return 'classification';
  }
  return 'regression';
}

/** Throws the first non-numeric cell of a column that is numeric (by inference or by choice). */
export function assertNumeric(file: string, profile: ColumnProfile): void {
  if (profile.firstNonNumeric) {
    throw new DatasetImportError({
      file,
      line: profile.firstNonNumeric.line,
      column: profile.name,
      found: quoteFound(profile.firstNonNumeric.value),
      expected: 'a number',
    });
  }
}

/** Sorted category names of a column; errors when there are too many to encode. */
export function categoriesOf(file: string, profile: ColumnProfile, what: string): string[] {
  if (profile.distinctOverflow) {
    throw new DatasetImportError({
      file,
      column: profile.name,
      found: `more than ${DISTINCT_LIMIT} distinct values`,
      expected: `at most ${DISTINCT_LIMIT} for ${what} (mark the column 'ignored' or 'numeric')`,
    });
  }
  return [...profile.distinct.keys()].sort(compareNatural);
}
