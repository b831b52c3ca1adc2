// The import orchestrator: read a source, split, fit preprocessing on the training split, write
// the stored form, add the database row. All or nothing.
import { randomUUID } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { Store } from '../store/open-store.js';
import { importCsv, type CsvImportOptions } from './csv-import.js';
import { DatasetImportCancelled, DatasetImportError, throwIfAborted } from './errors.js';
import { fashionMnistSource } from './fashion-mnist.js';
import { importIdx, type IdxSource } from './idx-import.js';
import { importImageFolder, type ImageFolderSource } from './image-folder.js';
import type { ImportContext, ImportedData } from './imported-data.js';
import { importNpy, type NpySource } from './npy-import.js';
import { importSample, type SampleSource } from './samples.js';
import { SCHEMA_FORMAT_VERSION, type DatasetSchema, type MissingPolicy, type ScalingKind } from './schema.js';
import { fillMissing, fitScaling } from './preprocessing.js';
import { splitIndices, type SplitOptions } from './splits.js';
import { writeDataset } from './store-writer.js';

export type DatasetSource =
  | ({ kind: 'csv'; file: string } & CsvImportOptions)
  | ({ kind: 'idx' } & IdxSource)
  | ({ kind: 'npy' } & NpySource)
  | ({ kind: 'image-folder' } & ImageFolderSource)
  | ({ kind: 'sample' } & SampleSource)
  /** Debian's dataset-fashion-mnist; `folder` defaults to its standard location. */
  | { kind: 'fashion-mnist'; folder?: string };

export interface ImportOptions {
  /** Defaults to the file's name, or the sample's. */
  name?: string;
  split?: SplitOptions;
  /** Defaults to 'divide255' for uint8 images, 'standardize' otherwise. */
  scaling?: ScalingKind;
}

/**
 * Imports `source` into `<dataDir>/datasets/<id>/` and the `datasets` table. Bad input throws a
 * DatasetImportError naming the file, line or record, column, what was found and expected; a
 * cancelled signal throws DatasetImportCancelled. Either way nothing is left behind.
 */
export async function importDataset(
  store: Store,
  dataDir: string,
  source: DatasetSource,
  options: ImportOptions = {},
  context: ImportContext = {},
): Promise<DatasetSchema> {
  try {
    checkOptions(source, options);
    throwIfAborted(context.signal);
    const data = await readSource(source, context);
    throwIfAborted(context.signal);
    context.onProgress?.({ phase: 'preprocessing', done: 0, total: 1 });
    const labels = data.task === 'classification' ? (data.y as Int32Array) : null;
    const split = splitIndices(
      data.rows,
      labels,
      { ...options.split, stratify: options.split?.stratify ?? labels !== null },
      data.testStart,
    );
    if (split.train.length === 0) {
      throw new DatasetImportError({
        file: data.sourceFiles[0],
        found: `${data.rows} rows, none left for training`,
        expected: 'more rows, or smaller validation and test fractions',
      });
    }
    fillMissing(data, split.train);
    const scaling = fitScaling(
      options.scaling ?? data.defaultScaling,
      data.x,
      data.featureShape,
      split.train,
      data.columns,
    );
    context.onProgress?.({ phase: 'writing', done: 0, total: 1 });
    const id = randomUUID();
    const schema = await writeDataset(
      store,
      dataDir,
      {
        formatVersion: SCHEMA_FORMAT_VERSION,
        id,
        name: options.name ?? defaultName(source, data),
        sourceKind: data.sourceKind,
        sourceFiles: data.sourceFiles.map((file) => basename(file)),
        createdAt: Date.now(),
        task: data.task,
        rows: data.rows,
        featureShape: data.featureShape,
        featureDtype: data.x instanceof Uint8Array ? 'uint8' : 'float32',
        ...(data.featureNames && { featureNames: data.featureNames }),
        columns: data.columns,
        target: { name: data.targetName, classNames: data.classNames },
        labelDtype: data.y instanceof Int32Array ? 'int32' : 'float32',
        classCounts: labels ? countClasses(labels, data.classNames!.length) : null,
        missing: data.missing,
        scaling,
        splits: {
          seed: options.split?.seed ?? 0,
          stratified: options.split?.stratify ?? labels !== null,
          validationFraction: options.split?.validationFraction ?? 0.1,
          testFraction: data.testStart !== undefined ? 0 : (options.split?.testFraction ?? 0.1),
          testFromSource: data.testStart !== undefined,
          train: split.train.length,
          validation: split.validation.length,
          test: split.test.length,
        },
        ...(data.previewRows && { previewRows: data.previewRows }),
      },
      { x: data.x, y: data.y, splits: concat(split.train, split.validation, split.test) },
      context.signal,
    );
    context.onProgress?.({ phase: 'done', done: 1, total: 1 });
    return schema;
  } catch (error) {
    throw asImportError(error);
  }
}

async function readSource(source: DatasetSource, context: ImportContext): Promise<ImportedData> {
  switch (source.kind) {
    case 'csv': {
      const { kind: _kind, file, ...options } = source;
      return importCsv(file, options, context);
    }
    case 'idx':
      return importIdx(source, context);
    case 'fashion-mnist':
      return importIdx(fashionMnistSource(source.folder), context);
    case 'npy':
      return importNpy(source, context);
    case 'image-folder':
      return importImageFolder(source, context);
    case 'sample':
      return importSample(source, context);
    default:
      throw new DatasetImportError({
        found: `source kind '${(source as { kind: unknown }).kind}'`,
        expected: "one of 'csv', 'idx', 'npy', 'image-folder', 'sample', 'fashion-mnist'",
      });
  }
}

const scalingKinds: readonly ScalingKind[] = ['none', 'standardize', 'minmax01', 'minmax11', 'divide255'];
const missingPolicies: readonly MissingPolicy[] = ['drop', 'mean', 'median', 'constant', 'refuse'];

/** Options come from the UI or a config file: name the one that is wrong and what it may be. */
function checkOptions(source: DatasetSource, options: ImportOptions): void {
  if (options.scaling !== undefined && !scalingKinds.includes(options.scaling)) {
    throw new DatasetImportError({
      found: `scaling '${String(options.scaling)}'`,
      expected: `one of ${scalingKinds.join(', ')}`,
    });
  }
  if (source.kind === 'csv' && source.missing !== undefined && !missingPolicies.includes(source.missing)) {
    throw new DatasetImportError({
      found: `missing-value policy '${String(source.missing)}'`,
      expected: `one of ${missingPolicies.join(', ')}`,
    });
  }
}

function defaultName(source: DatasetSource, data: ImportedData): string {
  if (source.kind === 'fashion-mnist') return 'Fashion-MNIST';
  if (source.kind === 'sample') return source.sample;
  const first = data.sourceFiles[0];
  return first ? basename(first, extname(first)).replace(/[-.]idx\d-ubyte$/, '') : 'dataset';
}

function countClasses(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
}

function concat(...parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** File-system failures become import errors naming the file; everything else passes through. */
function asImportError(error: unknown): unknown {
  if (error instanceof DatasetImportError || error instanceof DatasetImportCancelled) return error;
  const errno = error as NodeJS.ErrnoException;
  if (errno && typeof errno.code === 'string' && typeof errno.path === 'string') {
    const reasons: Record<string, string> = {
      ENOENT: 'no such file',
      EACCES: 'no permission to read it',
      EISDIR: 'a folder',
      ENOTDIR: 'a path through something that is not a folder',
    };
    return new DatasetImportError(
      { file: errno.path, found: reasons[errno.code] ?? errno.code, expected: 'a readable file' },
      { cause: error },
    );
  }
  return error;
}
