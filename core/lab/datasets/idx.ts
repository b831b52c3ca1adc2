// IDX files (MNIST, Fashion-MNIST): a magic number (0, 0, element type, dimension count), the
// dimensions as big-endian int32, then the elements, big-endian, row-major. Raw or gzipped.
import { statSync } from 'node:fs';
import { DatasetImportError } from './errors.js';
import { isGzipFile, streamFile } from './file-stream.js';

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

const typeCodes: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'uint8', size: 1 },
  0x09: { type: 'int8', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};

/** Arrays larger than this are refused rather than allocated (a corrupt header, usually). */
const MAX_ELEMENTS = 2 ** 31 - 1;

export interface IdxHeader {
  file: string;
  type: IdxType;
  elementSize: number;
  dims: number[];
  headerBytes: number;
  elements: number;
}

export interface ReadProgress {
  signal?: AbortSignal;
  onBytes?: (done: number, total: number) => void;
}

/** Reads and checks the header; for raw files also that the length matches it. */
export async function readIdxHeader(file: string, context: ReadProgress = {}): Promise<IdxHeader> {
  let head = Buffer.alloc(0);
  await streamFile(file, {
    signal: context.signal,
    onChunk: (chunk) => {
      head = Buffer.concat([head, chunk.subarray(0, 64 - head.length)]);
      return head.length >= 64;
    },
  });
  const header = parseIdxHeader(file, head);
  if (!isGzipFile(file)) {
    const size = statSync(file).size;
    const expected = header.headerBytes + header.elements * header.elementSize;
    if (size !== expected) throw sizeMismatch(header, size - header.headerBytes);
  }
  return header;
}

function parseIdxHeader(file: string, head: Buffer): IdxHeader {
  if (head.length < 4) {
    throw new DatasetImportError({
      file,
      found: head.length === 0 ? 'an empty file' : `only ${head.length} bytes`,
      expected: 'an IDX header (4-byte magic number and dimensions)',
    });
  }
  const code = typeCodes[head[2]!];
  const ndims = head[3]!;
  if (head[0] !== 0 || head[1] !== 0 || !code || ndims < 1 || ndims > 8) {
    throw new DatasetImportError({
      file,
      found: `magic number 0x${head.subarray(0, 4).toString('hex')}`,
      expected: 'an IDX file (00 00, a type code 08/09/0b/0c/0d/0e, then 1–8 dimensions)',
    });
  }
  const headerBytes = 4 + 4 * ndims;
  if (head.length < headerBytes) {
    throw new DatasetImportError({
      file,
      found: `a header cut short at ${head.length} bytes`,
      expected: `${headerBytes} header bytes for ${ndims} dimensions`,
    });
  }
  const dims: number[] = [];
  let elements = 1;
  for (let d = 0; d < ndims; d++) {
    const size = head.readUInt32BE(4 + 4 * d);
    if (size > MAX_ELEMENTS) {
      throw new DatasetImportError({
        file,
        found: `dimension ${d} of size ${size}`,
        expected: `at most ${MAX_ELEMENTS}`,
      });
    }
    dims.push(size);
    elements *= size;
  }
  if (elements > MAX_ELEMENTS) {
    throw new DatasetImportError({
      file,
      found: `dimensions ${dims.join('×')} (${elements} elements)`,
      expected: `at most ${MAX_ELEMENTS} elements`,
    });
  }
  return { file, type: code.type, elementSize: code.size, dims, headerBytes, elements };
}

function sizeMismatch(header: IdxHeader, dataBytes: number): DatasetImportError {
  const expected = header.elements * header.elementSize;
  return new DatasetImportError({
    file: header.file,
    found: `${dataBytes} bytes of data`,
    expected: `${expected} as its header says (${header.dims.join('×')} ${header.type} elements)`,
  });
}

/**
 * Streams the elements of an IDX file into `target` starting at `offset`, converting from
 * big-endian. Memory is the target plus one chunk. Reads the header itself when not given.
 */
export async function readIdxInto(
  header: IdxHeader,
  target: Uint8Array | Int32Array | Float32Array,
  offset: number,
  context: ReadProgress = {},
): Promise<void> {
  if (offset + header.elements > target.length) {
    throw new RangeError(`target too small: ${target.length} < ${offset + header.elements}`);
  }
  const size = header.elementSize;
  const expectedBytes = header.elements * size;
  let skip = header.headerBytes;
  let received = 0;
  let carry = Buffer.alloc(0);
  let index = offset;
  await streamFile(header.file, {
    signal: context.signal,
    onBytes: context.onBytes,
    onChunk: (chunk) => {
      if (skip > 0) {
        const cut = Math.min(skip, chunk.length);
        skip -= cut;
        chunk = chunk.subarray(cut);
      }
      received += chunk.length;
      if (received > expectedBytes) throw sizeMismatch(header, received);
      if (header.type === 'uint8' && target instanceof Uint8Array) {
        target.set(chunk, index);
        index += chunk.length;
        return;
      }
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const whole = bytes.length - (bytes.length % size);
      for (let at = 0; at < whole; at += size) target[index++] = readElement(bytes, at, header.type);
      carry = Buffer.from(bytes.subarray(whole));
    },
  });
  if (received !== expectedBytes) throw sizeMismatch(header, received);
}

function readElement(bytes: Buffer, at: number, type: IdxType): number {
  switch (type) {
    case 'uint8':
      return bytes[at]!;
    case 'int8':
      return bytes.readInt8(at);
    case 'int16':
      return bytes.readInt16BE(at);
    case 'int32':
      return bytes.readInt32BE(at);
    case 'float32':
      return bytes.readFloatBE(at);
    case 'float64':
      return bytes.readDoubleBE(at);
  }
}
