// Writes a dataset's stored form atomically: blocks and schema.json into a temporary folder,
// renamed into place when complete, then the database row in a transaction. Any failure or
// cancellation removes everything written.
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { insertDataset } from '../store/datasets-repo.js';
import type { Store } from '../store/open-store.js';
import { throwIfAborted } from './errors.js';
import type { BlockFile, DatasetSchema } from './schema.js';

/** Datasets live in `<dataDir>/datasets/<id>/`. */
export const DATASETS_FOLDER = 'datasets';
const TEMP_PREFIX = '.import-';

export function datasetFolder(id: string): string {
  return `${DATASETS_FOLDER}/${id}`;
}

export type TypedBlock = Float32Array | Uint8Array | Int32Array;

export interface DatasetBlocks {
  x: Float32Array | Uint8Array;
  y: Int32Array | Float32Array;
  /** train, then validation, then test indices. */
  splits: Int32Array;
}

/** Everything in the schema except what writing fills in. */
export type SchemaDraft = Omit<DatasetSchema, 'blocks' | 'contentHash'>;

export async function writeDataset(
  store: Store,
  dataDir: string,
  draft: SchemaDraft,
  blocks: DatasetBlocks,
  signal?: AbortSignal,
): Promise<DatasetSchema> {
  const root = join(dataDir, DATASETS_FOLDER);
  await mkdir(root, { recursive: true });
  const temp = join(root, `${TEMP_PREFIX}${draft.id}`);
  const final = join(dataDir, datasetFolder(draft.id));
  let renamed = false;
  try {
    await mkdir(temp);
    const x = await writeBlock(temp, 'x.bin', blocks.x, draft.featureDtype);
    throwIfAborted(signal);
    const y = await writeBlock(temp, 'y.bin', blocks.y, draft.labelDtype);
    const splits = await writeBlock(temp, 'splits.bin', blocks.splits, 'int32');
    throwIfAborted(signal);
    const withBlocks = { ...draft, blocks: { x, y, splits } };
    const schema: DatasetSchema = { ...withBlocks, contentHash: contentHash(withBlocks) };
    await writeFileSynced(join(temp, 'schema.json'), Buffer.from(JSON.stringify(schema, null, 1)));
    throwIfAborted(signal);
    await rename(temp, final);
    renamed = true;
    throwIfAborted(signal);
    store.db.transaction(() =>
      insertDataset(store, {
        id: schema.id,
        name: schema.name,
        sourceKind: schema.sourceKind,
        task: schema.task,
        createdAt: schema.createdAt,
        schemaJson: JSON.stringify(schema),
        contentHash: schema.contentHash,
        folder: datasetFolder(schema.id),
        trainRows: schema.splits.train,
        validationRows: schema.splits.validation,
        testRows: schema.splits.test,
        featureShape: schema.featureShape,
        bytes: x.bytes + y.bytes + splits.bytes,
      }),
    )();
    return schema;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (renamed) await rm(final, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The content hash: sha256 over the block hashes and the schema fields that give the data its
 * meaning (not its id, name or creation time), so the same data imported twice hashes the same.
 */
function contentHash(schema: Omit<DatasetSchema, 'contentHash'>): string {
  const { id: _id, name: _name, createdAt: _createdAt, sourceFiles: _files, ...meaning } = schema;
  return createHash('sha256').update(JSON.stringify(meaning)).digest('hex');
}

async function writeBlock(
  folder: string,
  file: string,
  data: TypedBlock,
  dtype: BlockFile['dtype'],
): Promise<BlockFile> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  await writeFileSynced(join(folder, file), bytes);
  return {
    file,
    dtype,
    length: data.length,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

async function writeFileSynced(path: string, bytes: Buffer): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes temporary folders left by imports that died mid-way (a crash, a killed process).
 * Call it once at host start, before any import runs.
 */
export async function removeAbandonedImports(dataDir: string): Promise<string[]> {
  const root = join(dataDir, DATASETS_FOLDER);
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return [];
  }
  const removed = entries.filter((entry) => entry.startsWith(TEMP_PREFIX));
  await Promise.all(removed.map((entry) => rm(join(root, entry), { recursive: true, force: true })));
  return removed;
}

/** Removes a dataset's files. Delete its row first (see `deleteDataset` in the store). */
export async function deleteDatasetFiles(dataDir: string, id: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`not a dataset id: '${id}'`);
  await rm(join(dataDir, datasetFolder(id)), { recursive: true, force: true });
}
