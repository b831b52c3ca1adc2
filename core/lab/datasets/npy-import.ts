// Features and labels from .npy files (plus optional test files).
import { DatasetImportError } from './errors.js';
import { classNamesFromLabels } from './class-labels.js';
import type { ImportContext, ImportedData } from './imported-data.js';
import { readNpyHeader, readNpyInto, type NpyHeader } from './npy.js';
import type { DatasetTask } from './schema.js';

export interface NpySource {
  features: string;
  labels: string;
  testFeatures?: string;
  testLabels?: string;
  /** Defaults to classification for integer or bool labels, regression for floats. */
  task?: DatasetTask;
  classNames?: string[];
}

export async function importNpy(source: NpySource, context: ImportContext): Promise<ImportedData> {
  if ((source.testFeatures === undefined) !== (source.testLabels === undefined)) {
    throw new DatasetImportError({
      file: source.testFeatures ?? source.testLabels,
      problem: 'test features and test labels come together',
      expected: 'both testFeatures and testLabels, or neither',
    });
  }
  const features = readNpyHeader(source.features);
  const labels = readNpyHeader(source.labels);
  const rowShape = featureShapeOf(features);
  checkLabels(labels, features);
  let testFeatures: NpyHeader | undefined;
  let testLabels: NpyHeader | undefined;
  if (source.testFeatures !== undefined && source.testLabels !== undefined) {
    testFeatures = readNpyHeader(source.testFeatures);
    testLabels = readNpyHeader(source.testLabels);
    const testShape = featureShapeOf(testFeatures);
    if (testShape.join('×') !== rowShape.join('×')) {
      throw new DatasetImportError({
        file: testFeatures.file,
        found: `rows of shape (${testShape.join(', ')})`,
        expected: `(${rowShape.join(', ')}) like the training features`,
      });
    }
    checkLabels(testLabels, testFeatures);
    if ((testLabels.kind === 'float') !== (labels.kind === 'float')) {
      throw new DatasetImportError({
        file: testLabels.file,
        found: `labels of dtype '${testLabels.descr}'`,
        expected: `the same kind as the training labels ('${labels.descr}')`,
      });
    }
  }
  const trainRows = features.shape[0]!;
  const rows = trainRows + (testFeatures?.shape[0] ?? 0);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const bytes = features.kind === 'bool' || (features.kind === 'uint' && features.size === 1);
  const x = bytes ? new Uint8Array(rows * rowSize) : new Float32Array(rows * rowSize);
  const task = source.task ?? (labels.kind === 'float' ? 'regression' : 'classification');
  const y = task === 'classification' ? new Int32Array(rows) : new Float32Array(rows);
  const read = { signal: context.signal };
  await readNpyInto(features, x, 0, {
    ...read,
    onBytes: (done, total) => context.onProgress?.({ phase: 'reading', file: features.file, done, total }),
  });
  await readLabels(labels, y, 0, task);
  if (testFeatures && testLabels) {
    await readNpyInto(testFeatures, x, trainRows * rowSize, read);
    await readLabels(testLabels, y, trainRows, task);
  }
  if (x instanceof Float32Array) checkFinite(x, rowSize, trainRows, features, testFeatures);
  let classNames: string[] | null = null;
  if (y instanceof Int32Array)
    classNames = classNamesFromLabels(
      y,
      trainRows,
      { train: labels.file, ...(testLabels ? { test: testLabels.file } : {}) },
      source.classNames,
    );
  else checkFinite(y, 1, trainRows, labels, testLabels);
  const files = [source.features, source.labels, source.testFeatures, source.testLabels].filter(
    (file): file is string => file !== undefined,
  );
  const image = rowShape.length === 3;
  return {
    sourceKind: 'npy',
    sourceFiles: files,
    x,
    rows,
    featureShape: rowShape,
    y,
    task,
    classNames,
    targetName: 'label',
    columns: [],
    ...(testFeatures && { testStart: trainRows }),
    hasMissing: false,
    missing: { policy: 'refuse', droppedRows: 0 },
    defaultScaling: image && x instanceof Uint8Array ? 'divide255' : 'standardize',
  };
}

/** [d] for n×d (or [1] for n), [h, w, 1] for n×h×w, [h, w, c] for n×h×w×c. */
function featureShapeOf(header: NpyHeader): number[] {
  const [count, ...rest] = header.shape;
  if (count === 0 || rest.length > 3 || rest.some((d) => d === 0)) {
    throw new DatasetImportError({
      file: header.file,
      found: `shape (${header.shape.join(', ')})`,
      expected: 'rows × features, rows × height × width, or rows × height × width × channels, none 0',
    });
  }
  if (rest.length === 0) return [1];
  return rest.length === 2 ? [...rest, 1] : rest;
}

function checkLabels(labels: NpyHeader, features: NpyHeader): void {
  const [count, ...rest] = labels.shape;
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== 1)) {
    throw new DatasetImportError({
      file: labels.file,
      found: `shape (${labels.shape.join(', ')})`,
      expected: 'one label per row: (n,) or (n, 1)',
    });
  }
  if (count !== features.shape[0]) {
    throw new DatasetImportError({
      file: labels.file,
      found: `${count} labels`,
      expected: `${features.shape[0]}, one per row of ${features.file.split(/[\\/]/).pop()}`,
    });
  }
}

async function readLabels(
  header: NpyHeader,
  y: Int32Array | Float32Array,
  offset: number,
  task: DatasetTask,
) {
  if (task === 'regression' || header.kind !== 'float') {
    await readNpyInto(header, y, offset);
    return;
  }
  // Float labels for classification must hold whole numbers.
  const values = new Float32Array(header.elements);
  await readNpyInto(header, values, 0);
  values.forEach((value, index) => {
    if (!Number.isInteger(value)) {
      throw new DatasetImportError({
        file: header.file,
        record: { index, noun: 'label' },
        found: String(value),
        expected: 'a whole-number class index (or choose the regression task)',
      });
    }
    y[offset + index] = value;
  });
}

function checkFinite(
  values: Float32Array,
  rowSize: number,
  trainRows: number,
  train: NpyHeader,
  test: NpyHeader | undefined,
): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      const row = Math.floor(i / rowSize);
      const inTest = row >= trainRows;
      throw new DatasetImportError({
        file: inTest ? test!.file : train.file,
        record: { index: inTest ? row - trainRows : row, noun: 'row' },
        found: String(values[i]),
        expected: 'finite numbers (no NaN or infinity)',
      });
    }
  }
}
