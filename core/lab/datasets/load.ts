// Reads a stored dataset back for training or prediction. Needs only the data folder, not the
// database, so a trainer process can load it.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Preprocessor } from './preprocessing.js';
import type { BlockFile, DatasetSchema } from './schema.js';
import { SCHEMA_FORMAT_VERSION } from './schema.js';
import { datasetFolder } from './store-writer.js';

export interface LoadedDataset {
  schema: DatasetSchema;
  /** Stored-form features, row-major, `schema.featureShape` per row (NHWC for images). */
  x: Float32Array | Uint8Array;
  /** Class indices (classification) or targets (regression). */
  y: Int32Array | Float32Array;
  splits: { train: Int32Array; validation: Int32Array; test: Int32Array };
  /** Scales stored rows, and encodes new raw rows, with the transform fitted at import. */
  preprocessor: Preprocessor;
}

export interface LoadOptions {
  /** Recompute each block's sha256 and compare with the schema. Defaults to false. */
  verify?: boolean;
}

export async function loadDataset(
  dataDir: string,
  id: string,
  options: LoadOptions = {},
): Promise<LoadedDataset> {
  const folder = join(dataDir, datasetFolder(id));
  const schema = await readSchema(dataDir, id);
  const [xBytes, yBytes, splitBytes] = await Promise.all(
    [schema.blocks.x, schema.blocks.y, schema.blocks.splits].map((block) =>
      readBlock(folder, block, options),
    ),
  );
  const x = schema.featureDtype === 'uint8' ? new Uint8Array(xBytes!) : new Float32Array(xBytes!);
  const y = schema.labelDtype === 'int32' ? new Int32Array(yBytes!) : new Float32Array(yBytes!);
  const all = new Int32Array(splitBytes!);
  const { train, validation } = schema.splits;
  return {
    schema,
    x,
    y,
    splits: {
      train: all.subarray(0, train),
      validation: all.subarray(train, train + validation),
      test: all.subarray(train + validation),
    },
    preprocessor: new Preprocessor(schema),
  };
}

export async function readSchema(dataDir: string, id: string): Promise<DatasetSchema> {
  const path = join(dataDir, datasetFolder(id), 'schema.json');
  const schema = JSON.parse(await readFile(path, 'utf8')) as DatasetSchema;
  if (schema.formatVersion !== SCHEMA_FORMAT_VERSION) {
    throw new Error(
      `dataset ${id}: schema.json has format version ${schema.formatVersion}, this NN Lab reads ${SCHEMA_FORMAT_VERSION}`,
    );
  }
  return schema;
}

/** Reads a block into a fresh ArrayBuffer of exactly its size (aligned for any typed array). */
async function readBlock(folder: string, block: BlockFile, options: LoadOptions): Promise<ArrayBuffer> {
  const bytes = await readFile(join(folder, block.file));
  if (bytes.length !== block.bytes) {
    throw new Error(`${block.file} in ${folder} holds ${bytes.length} bytes, its schema says ${block.bytes}`);
  }
  if (options.verify) {
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== block.sha256) throw new Error(`${block.file} in ${folder} does not match its sha256`);
  }
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return bytes.buffer as ArrayBuffer;
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return copy;
}
