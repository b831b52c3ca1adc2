// NumPy .npy files: magic, version, a Python-dict header (descr, fortran_order, shape), then
// the elements in C order.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { DatasetImportError, quoteFound, throwIfAborted } from './errors.js';

export type NpyKind = 'float' | 'int' | 'uint' | 'bool';

export interface NpyHeader {
  file: string;
  descr: string;
  kind: NpyKind;
  size: number;
  littleEndian: boolean;
  shape: number[];
  elements: number;
  dataOffset: number;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const MAX_ELEMENTS = 2 ** 31 - 1;
const supported = 'float32 (<f4), float64 (<f8), int8/16/32/64, uint8/16/32/64 or bool (|b1)';

export function readNpyHeader(file: string): NpyHeader {
  const fileSize = statSync(file).size;
  const fd = openSync(file, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(Math.min(fileSize, 65536 + 12));
    head = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
  if (head.length < 10 || !head.subarray(0, 6).equals(MAGIC)) {
    throw new DatasetImportError({
      file,
      found:
        head.length === 0
          ? 'an empty file'
          : `first bytes ${quoteFound(head.subarray(0, 6).toString('latin1'))}`,
      expected: 'a NumPy .npy file (starting with \\x93NUMPY)',
    });
  }
  const major = head[6]!;
  if (major < 1 || major > 3) {
    throw new DatasetImportError({
      file,
      found: `format version ${major}.${head[7]}`,
      expected: 'version 1, 2 or 3',
    });
  }
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? head.readUInt16LE(8) : head.length >= 12 ? head.readUInt32LE(8) : -1;
  const dataOffset = 8 + lengthBytes + headerLength;
  if (headerLength < 0 || dataOffset > head.length) {
    throw new DatasetImportError({
      file,
      found: `a header of ${headerLength} bytes in a ${fileSize}-byte file`,
      expected: 'a complete .npy header',
    });
  }
  const text = head.subarray(8 + lengthBytes, dataOffset).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DatasetImportError({
      file,
      found: `header ${quoteFound(text.trim(), 80)}`,
      expected: "a dict with 'descr', 'fortran_order' and 'shape'",
    });
  }
  const dtype = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const kind = dtype
    ? ({ f: 'float', i: 'int', u: 'uint', b: 'bool' } as const)[dtype[2] as 'f' | 'i' | 'u' | 'b']
    : undefined;
  const size = dtype ? Number(dtype[3]) : 0;
  const sizeOk =
    kind === 'float' ? size === 4 || size === 8 : kind === 'bool' ? size === 1 : [1, 2, 4, 8].includes(size);
  if (!dtype || !kind || !sizeOk) {
    throw new DatasetImportError({ file, found: `dtype '${descr}'`, expected: supported });
  }
  if (fortran === 'True') {
    throw new DatasetImportError({
      file,
      found: 'Fortran (column-major) order',
      expected: 'C order (save with np.ascontiguousarray(a))',
    });
  }
  const parts = shapeText.split(',').map((part) => part.trim());
  if (parts.at(-1) === '') parts.pop();
  const shape = parts.map(Number);
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new DatasetImportError({
      file,
      found: `shape (${shapeText})`,
      expected: 'an array of at least 1 dimension',
    });
  }
  const elements = shape.reduce((a, b) => a * b, 1);
  if (elements > MAX_ELEMENTS) {
    throw new DatasetImportError({
      file,
      found: `shape (${shape.join(', ')})`,
      expected: `at most ${MAX_ELEMENTS} elements`,
    });
  }
  const expectedSize = dataOffset + elements * size;
  if (fileSize !== expectedSize) {
    throw new DatasetImportError({
      file,
      found: `${fileSize - dataOffset} bytes of data`,
      expected: `${elements * size} for shape (${shape.join(', ')}) of ${descr}${fileSize < expectedSize ? ' (is the file truncated?)' : ''}`,
    });
  }
  const littleEndian = dtype[1] !== '>' && !(dtype[1] === '=' && !isLittleEndianHost());
  return { file, descr, kind, size, littleEndian, shape, elements, dataOffset };
}

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** Streams the elements into `target` (converted to its element type). */
export async function readNpyInto(
  header: NpyHeader,
  target: Float32Array | Int32Array | Uint8Array,
  offset: number,
  context: { signal?: AbortSignal; onBytes?: (done: number, total: number) => void } = {},
): Promise<void> {
  const size = header.size;
  const total = header.elements * size;
  if (total === 0) return;
  const stream = createReadStream(header.file, { start: header.dataOffset, highWaterMark: 1 << 20 });
  const read = element(header);
  let carry = Buffer.alloc(0);
  let index = offset;
  let done = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      throwIfAborted(context.signal);
      done += chunk.length;
      context.onBytes?.(done, total);
      if (size === 1 && target instanceof Uint8Array) {
        target.set(chunk, index);
        index += chunk.length;
        continue;
      }
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const whole = bytes.length - (bytes.length % size);
      for (let at = 0; at < whole; at += size) target[index++] = read(bytes, at);
      carry = Buffer.from(bytes.subarray(whole));
    }
  } finally {
    stream.destroy();
  }
  if (index - offset !== header.elements) {
    throw new DatasetImportError({
      file: header.file,
      found: `${index - offset} elements`,
      expected: `${header.elements} (the file changed while it was read)`,
    });
  }
}

function element(header: NpyHeader): (bytes: Buffer, at: number) => number {
  const le = header.littleEndian;
  switch (`${header.kind}${header.size}`) {
    case 'float4':
      return le ? (b, at) => b.readFloatLE(at) : (b, at) => b.readFloatBE(at);
    case 'float8':
      return le ? (b, at) => b.readDoubleLE(at) : (b, at) => b.readDoubleBE(at);
    case 'int1':
      return (b, at) => b.readInt8(at);
    case 'int2':
      return le ? (b, at) => b.readInt16LE(at) : (b, at) => b.readInt16BE(at);
    case 'int4':
      return le ? (b, at) => b.readInt32LE(at) : (b, at) => b.readInt32BE(at);
    case 'int8':
      return le ? (b, at) => Number(b.readBigInt64LE(at)) : (b, at) => Number(b.readBigInt64BE(at));
    case 'uint2':
      return le ? (b, at) => b.readUInt16LE(at) : (b, at) => b.readUInt16BE(at);
    case 'uint4':
      return le ? (b, at) => b.readUInt32LE(at) : (b, at) => b.readUInt32BE(at);
    case 'uint8':
      return le ? (b, at) => Number(b.readBigUInt64LE(at)) : (b, at) => Number(b.readBigUInt64BE(at));
    default: // uint1, bool1
      return (b, at) => b[at]!;
  }
}
