// Pairs IDX image and label files (plus optional test files) into one imported dataset.
import { DatasetImportError } from './errors.js';
import { classNamesFromLabels } from './class-labels.js';
import { readIdxHeader, readIdxInto, type IdxHeader } from './idx.js';
import type { ImportContext, ImportedData } from './imported-data.js';

export interface IdxSource {
  images: string;
  labels: string;
  testImages?: string;
  testLabels?: string;
  /** Names for label values 0, 1, …; defaults to the numbers themselves. */
  classNames?: string[];
}

export async function importIdx(source: IdxSource, context: ImportContext): Promise<ImportedData> {
  if ((source.testImages === undefined) !== (source.testLabels === undefined)) {
    throw new DatasetImportError({
      file: source.testImages ?? source.testLabels,
      problem: 'test images and test labels come together',
      expected: 'both testImages and testLabels, or neither',
    });
  }
  const read = { signal: context.signal };
  const images = await readIdxHeader(source.images, read);
  const labels = await readIdxHeader(source.labels, read);
  const rowShape = checkImages(images);
  checkLabels(labels, images);
  let testImages: IdxHeader | undefined;
  let testLabels: IdxHeader | undefined;
  if (source.testImages !== undefined && source.testLabels !== undefined) {
    testImages = await readIdxHeader(source.testImages, read);
    testLabels = await readIdxHeader(source.testLabels, read);
    const testShape = checkImages(testImages);
    if (testShape.join('×') !== rowShape.join('×')) {
      throw new DatasetImportError({
        file: testImages.file,
        found: `images of ${testShape.join('×')}`,
        expected: `${rowShape.join('×')} like the training images`,
      });
    }
    checkLabels(testLabels, testImages);
  }
  const trainRows = images.dims[0]!;
  const rows = trainRows + (testImages?.dims[0] ?? 0);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const uint8 = images.type === 'uint8';
  const x = uint8 ? new Uint8Array(rows * rowSize) : new Float32Array(rows * rowSize);
  const y = new Int32Array(rows);
  const totalBytes = rows * rowSize * images.elementSize;
  let doneBefore = 0;
  const readInto = async (
    header: IdxHeader,
    target: Uint8Array | Float32Array | Int32Array,
    offset: number,
  ) => {
    await readIdxInto(header, target, offset, {
      signal: context.signal,
      onBytes: (done) =>
        context.onProgress?.({
          phase: 'reading',
          file: header.file,
          done: doneBefore + done,
          total: totalBytes,
        }),
    });
  };
  await readInto(images, x, 0);
  await readInto(labels, y, 0);
  if (testImages && testLabels) {
    doneBefore = trainRows * rowSize * images.elementSize;
    await readInto(testImages, x, trainRows * rowSize);
    await readInto(testLabels, y, trainRows);
  }
  const classNames = classNamesFromLabels(
    y,
    trainRows,
    { train: source.labels, ...(testLabels ? { test: testLabels.file } : {}) },
    source.classNames,
  );
  const files = [source.images, source.labels, source.testImages, source.testLabels].filter(
    (file): file is string => file !== undefined,
  );
  return {
    sourceKind: 'idx',
    sourceFiles: files,
    x,
    rows,
    featureShape: rowShape,
    y,
    task: 'classification',
    classNames,
    targetName: 'label',
    columns: [],
    ...(testImages && { testStart: trainRows }),
    hasMissing: false,
    missing: { policy: 'refuse', droppedRows: 0 },
    defaultScaling: uint8 ? 'divide255' : 'standardize',
  };
}

/** The per-row shape: [h, w, 1] for n×h×w, [h, w, c] for n×h×w×c, [d] for n×d. */
function checkImages(header: IdxHeader): number[] {
  const [count, ...rest] = header.dims;
  if (rest.length === 0 || rest.length > 3 || count === 0 || rest.some((d) => d === 0)) {
    throw new DatasetImportError({
      file: header.file,
      found: `dimensions ${header.dims.join('×')}`,
      expected: 'images: count×rows×columns (or ×channels, or count×features), none of them 0',
    });
  }
  return rest.length === 2 ? [...rest, 1] : rest;
}

function checkLabels(labels: IdxHeader, images: IdxHeader): void {
  const [count, ...rest] = labels.dims;
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== 1)) {
    throw new DatasetImportError({
      file: labels.file,
      found: `dimensions ${labels.dims.join('×')}`,
      expected: 'one label per image (count, or count×1)',
    });
  }
  if (labels.type === 'float32' || labels.type === 'float64') {
    throw new DatasetImportError({
      file: labels.file,
      found: `${labels.type} labels`,
      expected: 'integer class labels (uint8, int8, int16 or int32)',
    });
  }
  if (count !== images.dims[0]) {
    throw new DatasetImportError({
      file: labels.file,
      found: `${count} labels`,
      expected: `${images.dims[0]}, one per image in ${images.file.split(/[\\/]/).pop()}`,
    });
  }
}
