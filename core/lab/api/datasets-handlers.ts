// The datasets half of the LabApi: import (with progress events and cancellation), list, get,
// preview, rename, delete.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  DatasetImportCancelled,
  DatasetImportError,
  deleteDatasetFiles,
  FASHION_MNIST_CLASSES,
  importDataset,
  previewDataset,
  SAMPLE_NAMES,
  type DatasetSource,
} from '../datasets/index.js';
import {
  deleteDataset,
  getDataset,
  listDatasets,
  renameDataset,
  type DatasetRow,
  type Store,
} from '../store/index.js';
import {
  LabError,
  type DatasetSummary,
  type LabEvent,
  type ParsedRequestOf,
  type ResponseOf,
} from './contract.js';

export interface DatasetsContext {
  store: Store;
  dataDir: string;
  emit(event: LabEvent): void;
}

type Source = ParsedRequestOf<'datasets:import'>['source'];

export class DatasetsHandlers {
  /** Imports in flight, by import id, so they can be cancelled. */
  private readonly imports = new Map<string, AbortController>();

  constructor(private readonly context: DatasetsContext) {}

  async import(request: ParsedRequestOf<'datasets:import'>): Promise<ResponseOf<'datasets:import'>> {
    const importId = request.importId ?? randomUUID();
    if (this.imports.has(importId)) throw new LabError('conflict', `Import ${importId} is already running.`);
    const controller = new AbortController();
    this.imports.set(importId, controller);
    const cleanup: string[] = [];
    try {
      const source = await resolveSource(request.source, this.context.dataDir, cleanup);
      const schema = await importDataset(
        this.context.store,
        this.context.dataDir,
        source,
        {
          ...(request.name !== undefined && { name: request.name }),
          ...(request.split && { split: request.split }),
          ...(request.scaling && { scaling: request.scaling }),
        },
        {
          signal: controller.signal,
          onProgress: (progress) =>
            this.context.emit({
              type: 'datasets:import-progress',
              importId,
              phase: progress.phase,
              ...(progress.file !== undefined && { file: basename(progress.file) }),
              done: progress.done,
              total: progress.total,
            }),
        },
      );
      this.context.emit({ type: 'datasets:changed', datasetId: schema.id });
      return { importId, dataset: this.get({ id: schema.id }) };
    } catch (error) {
      if (error instanceof DatasetImportCancelled) throw new LabError('cancelled', error.message);
      if (error instanceof DatasetImportError || error instanceof RangeError) {
        throw new LabError('bad-request', error.message);
      }
      throw error;
    } finally {
      this.imports.delete(importId);
      for (const path of cleanup) await rm(path, { recursive: true, force: true });
    }
  }

  cancelImport(request: ParsedRequestOf<'datasets:cancelImport'>): ResponseOf<'datasets:cancelImport'> {
    const controller = this.imports.get(request.importId);
    controller?.abort();
    return { cancelled: controller !== undefined };
  }

  list(): ResponseOf<'datasets:list'> {
    return { datasets: listDatasets(this.context.store).map(summarize) };
  }

  get(request: { id: string }): DatasetSummary {
    return summarize(this.row(request.id));
  }

  async preview(request: ParsedRequestOf<'datasets:preview'>): Promise<ResponseOf<'datasets:preview'>> {
    const row = this.row(request.id);
    const preview = await previewDataset(this.context.dataDir, row.id, {
      ...(request.rows !== undefined && { rows: request.rows }),
      ...(request.samplesPerClass !== undefined && { samplesPerClass: request.samplesPerClass }),
    });
    return {
      dataset: summarize(row),
      schema: preview.schema as unknown as Record<string, unknown>,
      firstRows: preview.firstRows,
      columns: preview.columns,
      classBalance: preview.classBalance,
      samples: preview.samples && {
        height: preview.samples.height,
        width: preview.samples.width,
        channels: preview.samples.channels,
        classes: preview.samples.classes.map((entry) => ({
          className: entry.className,
          images: entry.images.map((image) => ({
            row: image.row,
            pixelsBase64: Buffer.from(
              image.pixels.buffer,
              image.pixels.byteOffset,
              image.pixels.byteLength,
            ).toString('base64'),
          })),
        })),
      },
    };
  }

  rename(request: ParsedRequestOf<'datasets:rename'>): DatasetSummary {
    this.row(request.id);
    renameDataset(this.context.store, request.id, request.name);
    this.context.emit({ type: 'datasets:changed', datasetId: request.id });
    return this.get(request);
  }

  async delete(request: ParsedRequestOf<'datasets:delete'>): Promise<ResponseOf<'datasets:delete'>> {
    const removed = deleteDataset(this.context.store, request.id);
    if (removed) {
      await deleteDatasetFiles(this.context.dataDir, request.id);
      this.context.emit({ type: 'datasets:changed', datasetId: request.id });
    }
    return { deleted: removed };
  }

  samples(): ResponseOf<'datasets:samples'> {
    return { samples: [...SAMPLE_NAMES] };
  }

  /** Aborts every import in flight (at shutdown). */
  abortAll(): void {
    for (const controller of this.imports.values()) controller.abort();
  }

  private row(id: string): DatasetRow {
    const row = getDataset(this.context.store, id);
    if (!row) throw new LabError('not-found', `No dataset with id '${id}'.`);
    return row;
  }
}

export function summarize(row: DatasetRow): DatasetSummary {
  const schema = JSON.parse(row.schemaJson) as {
    rows?: number;
    target?: { name?: string; classNames?: string[] | null };
  };
  return {
    id: row.id,
    name: row.name,
    sourceKind: row.sourceKind,
    task: row.task,
    createdAt: row.createdAt,
    rows: schema.rows ?? row.trainRows + row.validationRows + row.testRows,
    trainRows: row.trainRows,
    validationRows: row.validationRows,
    testRows: row.testRows,
    featureShape: row.featureShape,
    classNames: schema.target?.classNames ?? null,
    targetName: schema.target?.name ?? '',
    bytes: row.bytes,
    contentHash: row.contentHash,
  };
}

/** Turns a contract source into an importer source: uploads become temp files, IDX folders pairs. */
async function resolveSource(source: Source, dataDir: string, cleanup: string[]): Promise<DatasetSource> {
  switch (source.kind) {
    case 'csv-upload': {
      const { kind: _kind, file, ...options } = source;
      const folder = join(dataDir, 'tmp', `upload-${randomUUID()}`);
      cleanup.push(folder);
      await mkdir(folder, { recursive: true });
      const path = join(folder, safeFileName(file.fileName));
      await writeFile(path, Buffer.from(file.contentBase64, 'base64'));
      return { kind: 'csv', file: path, ...options };
    }
    case 'idx-folder': {
      // A folder of Fashion-MNIST's files gets its class names; other IDX labels stay numbers.
      const classNames =
        source.classNames ?? (/fashion/i.test(basename(source.folder)) ? FASHION_MNIST_CLASSES : undefined);
      return { kind: 'idx', ...(await findIdxPairs(source.folder)), ...(classNames && { classNames }) };
    }
    default:
      return source;
  }
}

function safeFileName(name: string): string {
  const cleaned = basename(name.replace(/\\/g, '/')).replace(/[^\w.\- ]/g, '_');
  return cleaned === '' || cleaned.startsWith('.') ? `upload${cleaned}` : cleaned;
}

/**
 * Finds IDX image/label pairs in a folder: `*images*idx3*` with `*labels*idx1*` (raw or .gz),
 * the training pair named train-* (or the only pair), the test pair t10k-* or test-*.
 */
export async function findIdxPairs(
  folder: string,
): Promise<{ images: string; labels: string; testImages?: string; testLabels?: string }> {
  let entries: string[];
  try {
    if (!(await stat(folder)).isDirectory()) throw new Error('not a folder');
    entries = await readdir(folder);
  } catch {
    throw new DatasetImportError({
      file: folder,
      found: 'no such folder',
      expected: 'a folder of IDX files',
    });
  }
  const idx = entries.filter((name) => /idx\d/i.test(name) || /-ubyte(\.gz)?$/i.test(name)).sort();
  const isTest = (name: string) => /^(t10k|test)/i.test(name);
  const isImages = (name: string) => /images|idx3/i.test(name);
  const isLabels = (name: string) => /labels|idx1/i.test(name);
  const pick = (test: boolean, kind: (name: string) => boolean) =>
    idx.find((name) => isTest(name) === test && kind(name));
  const images = pick(false, isImages);
  const labels = pick(false, isLabels);
  if (!images || !labels) {
    throw new DatasetImportError({
      file: folder,
      found: idx.length ? `only ${idx.join(', ')}` : 'no IDX files',
      expected:
        'an image file (e.g. train-images-idx3-ubyte) and a label file (train-labels-idx1-ubyte), raw or .gz',
    });
  }
  const testImages = pick(true, isImages);
  const testLabels = pick(true, isLabels);
  return {
    images: join(folder, images),
    labels: join(folder, labels),
    ...(testImages &&
      testLabels && { testImages: join(folder, testImages), testLabels: join(folder, testLabels) }),
  };
}
