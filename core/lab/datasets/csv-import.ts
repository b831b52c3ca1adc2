// CSV/TSV import: sniff the dialect, profile every column in one streaming pass, decide types,
// target and task, then encode in a second pass straight into the feature block.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { readCsvFile } from './csv-parse.js';
import {
  assertNumeric,
  categoriesOf,
  ColumnProfile,
  inferColumnType,
  inferTask,
  isMissing,
  parseBoolean,
  parseNumber,
} from './csv-infer.js';
import { sniffCsv } from './csv-sniff.js';
import { DatasetImportError, quoteFound } from './errors.js';
import type { ImportContext, ImportedData } from './imported-data.js';
import type { CategoricalEncoding, ColumnSchema, ColumnType, DatasetTask, MissingPolicy } from './schema.js';

export interface CsvImportOptions {
  /** Field separator. Defaults to the one detected (',', tab, ';' or '|'; tab for .tsv). */
  delimiter?: string;
  /** Whether the first row names the columns. Defaults to detected. */
  header?: boolean;
  /** Types chosen per column name, overriding inference. */
  columnTypes?: Record<string, ColumnType>;
  /** Encoding per categorical column. Defaults to `categoricalEncoding`. */
  encodings?: Record<string, CategoricalEncoding>;
  /** Defaults to 'onehot'. */
  categoricalEncoding?: CategoricalEncoding;
  /** Target column by name or 0-based index. Defaults to the last column. */
  target?: string | number;
  /** Defaults to inferred: classification for text or few integers, regression otherwise. */
  task?: DatasetTask;
  /** What to do with missing cells. Defaults to 'drop' (drop the row). */
  missing?: MissingPolicy;
  /** The fill value for missing: 'constant'. */
  missingConstant?: number | string;
}

const PREVIEW_ROWS = 20;

export async function importCsv(
  file: string,
  options: CsvImportOptions,
  context: ImportContext,
): Promise<ImportedData> {
  const totalBytes = statSync(file).size;
  const head = readHead(file, 1 << 16);
  const headText = new TextDecoder('utf-8').decode(head);
  if (headText.trim() === '') {
    throw new DatasetImportError({ file, found: 'an empty file', expected: 'a header row and data rows' });
  }
  const dialect = sniffCsv(headText, extname(file).toLowerCase() === '.tsv' ? '\t' : undefined);
  const delimiter = options.delimiter ?? dialect.delimiter;
  const header = options.header ?? dialect.header;

  // Pass 1: field counts, column profiles, a preview.
  let names: string[] = [];
  let profiles: ColumnProfile[] = [];
  let records = 0;
  const previewRows: string[][] = [];
  await readCsvFile(file, {
    delimiter,
    signal: context.signal,
    onBytes: (done) => context.onProgress?.({ phase: 'scanning', file, done, total: totalBytes }),
    onRecord: (fields, line) => {
      if (names.length === 0) {
        names = header ? uniqueNames(fields) : fields.map((_, index) => `column_${index + 1}`);
        profiles = names.map((name, index) => new ColumnProfile(name, index));
        if (header) return;
      }
      if (fields.length !== names.length) {
        throw new DatasetImportError({
          file,
          line,
          found: `${fields.length} field${fields.length === 1 ? '' : 's'}`,
          expected: `${names.length} as in ${header ? 'the header' : 'the first row'}`,
        });
      }
      records++;
      if (previewRows.length < PREVIEW_ROWS) previewRows.push(fields);
      for (let c = 0; c < fields.length; c++) profiles[c]!.add(fields[c]!, line);
    },
  });
  if (records === 0) {
    throw new DatasetImportError({
      file,
      found: 'no data rows',
      expected: 'at least one row after the header',
    });
  }
  if (names.length < 2) {
    throw new DatasetImportError({
      file,
      found: `1 column (delimiter '${delimiter === '\t' ? '\\t' : delimiter}')`,
      expected: 'at least 2 columns: features and a target',
    });
  }

  const plan = planColumns(file, names, profiles, options);
  const policy = options.missing ?? 'drop';

  // Pass 2: encode rows into the blocks.
  const width = plan.width;
  let x = new Float32Array(records * width);
  let y: Int32Array | Float32Array =
    plan.task === 'classification' ? new Int32Array(records) : new Float32Array(records);
  const classIndex = new Map(plan.classNames?.map((name, index) => [name, index]));
  let row = 0;
  let seenHeader = !header;
  let hasMissing = false;
  await readCsvFile(file, {
    delimiter,
    signal: context.signal,
    onBytes: (done) => context.onProgress?.({ phase: 'reading', file, done, total: totalBytes }),
    onRecord: (fields, line) => {
      if (!seenHeader) {
        seenHeader = true;
        return;
      }
      if (row >= records || fields.length !== names.length) {
        throw new DatasetImportError({ file, line, problem: 'the file changed while it was being imported' });
      }
      const targetRaw = fields[plan.target.sourceIndex]!;
      if (isMissing(targetRaw)) return;
      if (plan.task === 'classification') {
        y[row] = classIndex.get(targetRaw.trim())!;
      } else {
        y[row] = parseNumber(targetRaw);
      }
      const base = row * width;
      for (const column of plan.features) {
        const raw = fields[column.sourceIndex]!;
        const at = base + column.featureOffset!;
        if (isMissing(raw)) {
          if (policy === 'drop') return;
          hasMissing = true;
          x.fill(NaN, at, at + column.featureWidth!);
          continue;
        }
        encodeCell(file, line, column, raw, x, at);
      }
      row++;
    },
  });
  const droppedRows = records - row;
  if (row === 0) {
    throw new DatasetImportError({
      file,
      found: `${records} rows, all with missing values`,
      expected: "rows to keep (choose a fill policy instead of 'drop')",
    });
  }
  if (row < records) {
    x = x.slice(0, row * width);
    y = y.slice(0, row);
  }
  return {
    sourceKind: 'csv',
    sourceFiles: [file],
    x,
    rows: row,
    featureShape: [width],
    y,
    task: plan.task,
    classNames: plan.classNames,
    targetName: plan.target.name,
    columns: plan.columns,
    featureNames: plan.featureNames,
    hasMissing,
    missing: {
      policy,
      ...(options.missingConstant !== undefined && { constant: options.missingConstant }),
      droppedRows,
    },
    previewRows: header ? [names, ...previewRows] : previewRows,
    defaultScaling: 'standardize',
  };
}

/** Writes one raw cell's encoding at x[at…]. Shared with the Preprocessor for new rows. */
export function encodeCell(
  file: string,
  line: number,
  column: ColumnSchema,
  raw: string,
  x: Float32Array,
  at: number,
): void {
  const text = raw.trim();
  switch (column.type) {
    case 'numeric': {
      const value = parseNumber(text);
      if (!Number.isFinite(value)) {
        throw new DatasetImportError({
          file,
          line,
          column: column.name,
          found: quoteFound(text),
          expected: 'a number',
        });
      }
      x[at] = value;
      return;
    }
    case 'boolean': {
      const value = parseBoolean(text);
      if (Number.isNaN(value)) {
        throw new DatasetImportError({
          file,
          line,
          column: column.name,
          found: quoteFound(text),
          expected: 'true/false, yes/no, t/f or y/n',
        });
      }
      x[at] = value;
      return;
    }
    case 'categorical': {
      const index = categoryIndex(column).get(text) ?? -1;
      if (index < 0) {
        throw new DatasetImportError({
          file,
          line,
          column: column.name,
          found: quoteFound(text),
          expected: `one of the categories seen in training (${column.categories!.slice(0, 8).join(', ')}${column.categories!.length > 8 ? ', …' : ''})`,
        });
      }
      if (column.encoding === 'ordinal') {
        x[at] = index;
      } else {
        x.fill(0, at, at + column.featureWidth!);
        x[at + index] = 1;
      }
      return;
    }
    case 'ignored':
      return;
  }
}

const categoryIndexes = new WeakMap<ColumnSchema, Map<string, number>>();

/** Category → position, built once per column object. */
function categoryIndex(column: ColumnSchema): Map<string, number> {
  let index = categoryIndexes.get(column);
  if (!index) {
    index = new Map(column.categories!.map((category, i) => [category, i]));
    categoryIndexes.set(column, index);
  }
  return index;
}

interface ColumnPlan {
  columns: ColumnSchema[];
  features: ColumnSchema[];
  target: ColumnSchema;
  featureNames: string[];
  width: number;
  task: DatasetTask;
  classNames: string[] | null;
}

function planColumns(
  file: string,
  names: string[],
  profiles: ColumnProfile[],
  options: CsvImportOptions,
): ColumnPlan {
  const targetIndex = resolveTarget(file, names, options.target);
  for (const name of Object.keys(options.columnTypes ?? {})) {
    if (!names.includes(name)) {
      throw new DatasetImportError({
        file,
        column: name,
        problem: 'a type was chosen for a column the file does not have',
        expected: `one of ${names.map((n) => `'${n}'`).join(', ')}`,
      });
    }
  }
  const targetProfile = profiles[targetIndex]!;
  if (targetProfile.present === 0) {
    throw new DatasetImportError({
      file,
      column: targetProfile.name,
      found: 'no values',
      expected: 'target values',
    });
  }
  const task = options.task ?? inferTask(targetProfile);
  let classNames: string[] | null = null;
  if (task === 'regression') {
    assertNumeric(file, targetProfile);
  } else {
    classNames = categoriesOf(file, targetProfile, 'a classification target');
    if (classNames.length < 2) {
      throw new DatasetImportError({
        file,
        column: targetProfile.name,
        found: `a single class ${quoteFound(classNames[0] ?? '')}`,
        expected: 'at least 2 classes for classification',
      });
    }
  }
  const policy = options.missing ?? 'drop';
  const columns: ColumnSchema[] = [];
  const features: ColumnSchema[] = [];
  const featureNames: string[] = [];
  let width = 0;
  let firstMissing: ColumnProfile | undefined;
  for (const profile of profiles) {
    if (profile.index === targetIndex) {
      columns.push({
        name: profile.name,
        sourceIndex: profile.index,
        type: task === 'regression' ? 'numeric' : 'categorical',
        role: 'target',
        ...(classNames && { categories: classNames }),
        stats: profile.stats(),
      });
      if (
        profile.missing > 0 &&
        (!firstMissing || profile.firstMissingLine < firstMissing.firstMissingLine)
      ) {
        firstMissing = profile;
      }
      continue;
    }
    const type = options.columnTypes?.[profile.name] ?? inferColumnType(profile);
    const column: ColumnSchema = {
      name: profile.name,
      sourceIndex: profile.index,
      type,
      role: type === 'ignored' ? 'ignored' : 'feature',
      stats: profile.stats(),
    };
    columns.push(column);
    if (type === 'ignored') continue;
    if (profile.missing > 0 && (!firstMissing || profile.firstMissingLine < firstMissing.firstMissingLine)) {
      firstMissing = profile;
    }
    column.featureOffset = width;
    if (type === 'numeric') {
      assertNumeric(file, profile);
      column.featureWidth = 1;
      featureNames.push(profile.name);
    } else if (type === 'boolean') {
      column.categories = ['false', 'true'];
      column.featureWidth = 1;
      featureNames.push(profile.name);
    } else {
      const categories = categoriesOf(file, profile, 'a categorical column');
      if (policy === 'constant' && profile.missing > 0 && options.missingConstant !== undefined) {
        const constant = String(options.missingConstant);
        if (!categories.includes(constant)) categories.push(constant);
      }
      column.categories = categories;
      column.encoding = options.encodings?.[profile.name] ?? options.categoricalEncoding ?? 'onehot';
      column.featureWidth = column.encoding === 'onehot' ? categories.length : 1;
      if (column.encoding === 'onehot') featureNames.push(...categories.map((c) => `${profile.name}=${c}`));
      else featureNames.push(profile.name);
    }
    width += column.featureWidth;
    features.push(column);
  }
  if (features.length === 0) {
    throw new DatasetImportError({
      file,
      found: 'no usable feature columns (all were text or ids)',
      expected: 'at least one numeric, boolean or categorical column besides the target',
    });
  }
  if (policy === 'refuse' && firstMissing) {
    throw new DatasetImportError({
      file,
      line: firstMissing.firstMissingLine,
      column: firstMissing.name,
      found: 'a missing value',
      expected: "a value (the missing-value policy is 'refuse')",
    });
  }
  if (policy === 'constant' && options.missingConstant === undefined) {
    throw new DatasetImportError({
      file,
      problem: "the missing-value policy 'constant' needs a value",
      expected: 'missingConstant to be set',
    });
  }
  return {
    columns,
    features,
    target: columns.find((column) => column.role === 'target')!,
    featureNames,
    width,
    task,
    classNames,
  };
}

function resolveTarget(file: string, names: string[], target: string | number | undefined): number {
  if (target === undefined) return names.length - 1;
  const index = typeof target === 'number' ? target : names.indexOf(target);
  if (!Number.isInteger(index) || index < 0 || index >= names.length) {
    throw new DatasetImportError({
      file,
      found: `target ${typeof target === 'number' ? `column ${target}` : quoteFound(target)}`,
      expected: `one of ${names.map((n) => `'${n}'`).join(', ')}`,
    });
  }
  return index;
}

function uniqueNames(fields: string[]): string[] {
  const seen = new Map<string, number>();
  return fields.map((field, index) => {
    const base = field.trim() || `column_${index + 1}`;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}_${count + 1}`;
  });
}

function readHead(file: string, bytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
