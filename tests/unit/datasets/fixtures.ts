// Generated inputs for the dataset tests: IDX, NPY, CSV and image files in temp folders, and a
// temp lab (data folder + database).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { openStore, type Store } from '../../../core/lab/store/index.js';

export interface TempLab {
  dir: string;
  dataDir: string;
  store: Store;
  /** Writes a file in the temp folder (outside the data folder) and returns its path. */
  file(name: string, content: string | Uint8Array): string;
  /** Entries under the data folder's datasets/ (none before the first import). */
  datasetEntries(): string[];
  datasetRows(): number;
  cleanup(): void;
}

export function createTempLab(prefix = 'nnlab-ds-'): TempLab {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(dir, 'data');
  const inputs = join(dir, 'inputs');
  mkdirSync(dataDir);
  mkdirSync(inputs);
  const store = openStore(join(dir, 'lab.db'));
  return {
    dir,
    dataDir,
    store,
    file(name, content) {
      const path = join(inputs, name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
    datasetEntries() {
      try {
        return readdirSync(join(dataDir, 'datasets'));
      } catch {
        return [];
      }
    },
    datasetRows() {
      return store.db.prepare('SELECT count(*) FROM datasets').pluck().get() as number;
    },
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const idxCodes = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e } as const;

/** An IDX file: header then big-endian elements. */
export function idxBytes(type: keyof typeof idxCodes, dims: number[], values: ArrayLike<number>): Buffer {
  const size = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 }[type];
  const out = Buffer.alloc(4 + 4 * dims.length + values.length * size);
  out[2] = idxCodes[type];
  out[3] = dims.length;
  dims.forEach((d, i) => out.writeUInt32BE(d, 4 + 4 * i));
  let at = 4 + 4 * dims.length;
  for (let i = 0; i < values.length; i++, at += size) {
    const v = values[i]!;
    if (type === 'uint8') out.writeUInt8(v, at);
    else if (type === 'int8') out.writeInt8(v, at);
    else if (type === 'int16') out.writeInt16BE(v, at);
    else if (type === 'int32') out.writeInt32BE(v, at);
    else if (type === 'float32') out.writeFloatBE(v, at);
    else out.writeDoubleBE(v, at);
  }
  return out;
}

export function gzip(bytes: Uint8Array): Buffer {
  return gzipSync(bytes);
}

/** Small MNIST-like images (n × h × w) whose pixels encode their index, and labels i % classes. */
export function tinyImages(n: number, h = 4, w = 4, classes = 3): { images: Buffer; labels: Buffer } {
  const pixels = Array.from({ length: n * h * w }, (_, i) => (Math.floor(i / (h * w)) * 7 + i) % 256);
  const labels = Array.from({ length: n }, (_, i) => i % classes);
  return { images: idxBytes('uint8', [n, h, w], pixels), labels: idxBytes('uint8', [n], labels) };
}

/** An NPY v1 file; `data` already in the dtype's little-endian bytes. */
export function npyBytes(descr: string, shape: number[], data: Uint8Array, fortran = false): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data)]);
}

export function float32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function int64Bytes(values: number[]): Uint8Array {
  return new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
}

/** A solid-colour PNG or JPEG. */
export function solidImage(
  format: 'png' | 'jpeg',
  width: number,
  height: number,
  rgb: [number, number, number],
): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = rgb[0];
    data[i * 4 + 1] = rgb[1];
    data[i * 4 + 2] = rgb[2];
    data[i * 4 + 3] = 255;
  }
  if (format === 'jpeg') return jpeg.encode({ data, width, height }, 95).data;
  const png = new PNG({ width, height });
  data.copy(png.data);
  return PNG.sync.write(png);
}
