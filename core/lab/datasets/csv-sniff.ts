// Guesses a CSV file's delimiter and whether its first row is a header, from a sample.
import { CsvTokenizer } from './csv-parse.js';
import { isMissing, parseNumber } from './csv-infer.js';

export interface CsvDialect {
  delimiter: string;
  header: boolean;
}

const candidates = [',', '\t', ';', '|'];
const SAMPLE_RECORDS = 50;

/**
 * The delimiter is the candidate that splits the sample's rows into the same number (> 1) of
 * fields most consistently; ties go to the earlier candidate (comma first, or `preferred`).
 * The first row is a header when its cells are non-empty, distinct and none is a number.
 */
export function sniffCsv(sample: string, preferred?: string): CsvDialect {
  const order = preferred ? [preferred, ...candidates.filter((c) => c !== preferred)] : candidates;
  let best: { delimiter: string; score: number; rows: string[][] } | undefined;
  for (const delimiter of order) {
    const rows = sampleRecords(sample, delimiter);
    if (rows.length === 0) continue;
    const counts = new Map<number, number>();
    for (const row of rows) counts.set(row.length, (counts.get(row.length) ?? 0) + 1);
    let modeWidth = 1;
    let modeCount = 0;
    for (const [width, count] of counts) {
      if (count > modeCount || (count === modeCount && width > modeWidth)) {
        modeWidth = width;
        modeCount = count;
      }
    }
    if (modeWidth < 2) continue;
    const score = modeCount / rows.length + (delimiter === preferred ? 0.01 : 0);
    if (!best || score > best.score) best = { delimiter, score, rows };
  }
  const delimiter = best?.delimiter ?? preferred ?? ',';
  const rows = best?.rows ?? sampleRecords(sample, delimiter);
  return { delimiter, header: looksLikeHeader(rows) };
}

function sampleRecords(sample: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  const tokenizer = new CsvTokenizer(delimiter, (fields) => {
    if (rows.length < SAMPLE_RECORDS + 1) rows.push(fields);
  });
  try {
    tokenizer.push(sample);
  } catch {
    // A malformed sample still tells us something; the real pass reports the error.
  }
  return rows.slice(0, SAMPLE_RECORDS);
}

function looksLikeHeader(rows: string[][]): boolean {
  const first = rows[0];
  if (!first) return false;
  const seen = new Set<string>();
  for (const cell of first) {
    const text = cell.trim();
    if (text === '' || seen.has(text) || Number.isFinite(parseNumber(text))) return false;
    seen.add(text);
  }
  // All-text first row: a header unless every later row is all text too and looks the same.
  const rest = rows.slice(1);
  if (rest.length === 0) return true;
  const anyNumbersBelow = rest.some((row) => row.some((cell) => Number.isFinite(parseNumber(cell))));
  if (anyNumbersBelow) return true;
  // Only text everywhere: call it a header when its cells never recur in their columns.
  return first.every((cell, c) =>
    rest.every((row) => isMissing(row[c] ?? '') || row[c]!.trim() !== cell.trim()),
  );
}
