// Streams a binary file's bytes, gunzipping when it is gzip (by content), and turns zlib's
// failures into errors that say which file is truncated or corrupt.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { DatasetImportError, throwIfAborted } from './errors.js';

export interface StreamOptions {
  /** Return true to stop reading early. */
  onChunk: (chunk: Buffer) => boolean | void;
  /** Compressed (on-disk) bytes read so far, and the file size. */
  onBytes?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export function isGzipFile(file: string): boolean {
  const head = readHeadBytes(file, 2);
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export function readHeadBytes(file: string, count: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(count);
    return buffer.subarray(0, readSync(fd, buffer, 0, count, 0));
  } finally {
    closeSync(fd);
  }
}

/** Streams `file` (decompressed if gzip). A `.gz` name without a gzip header is an error. */
export async function streamFile(file: string, options: StreamOptions): Promise<void> {
  const total = statSync(file).size;
  const gzip = isGzipFile(file);
  if (!gzip && file.toLowerCase().endsWith('.gz')) {
    throw new DatasetImportError({
      file,
      found: total === 0 ? 'an empty file' : 'no gzip header',
      expected: 'a gzip-compressed file (the name ends in .gz)',
    });
  }
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let read = 0;
  raw.on('data', (chunk) => {
    read += chunk.length;
    options.onBytes?.(read, total);
  });
  const source = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on('error', (error) => source.destroy(error));
  let decompressed = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      throwIfAborted(options.signal);
      decompressed += chunk.length;
      if (options.onChunk(chunk)) return;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (gzip && typeof code === 'string' && code.startsWith('Z_')) {
      const truncated = code === 'Z_BUF_ERROR';
      throw new DatasetImportError(
        {
          file,
          found: truncated
            ? `the gzip stream ending early after ${decompressed} bytes`
            : `corrupt gzip data (${(error as Error).message})`,
          expected: truncated ? 'a complete .gz file (is it truncated?)' : 'a valid gzip file',
        },
        { cause: error },
      );
    }
    throw error;
  } finally {
    raw.destroy();
    source.destroy();
  }
}
