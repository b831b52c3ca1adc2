// Turns a models:predict input (rows, an uploaded file, or a path on the host) into what the
// runs side predicts on: raw rows, or image bytes.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { readCsvFile } from '../datasets/csv-parse.js';
import { sniffCsv } from '../datasets/csv-sniff.js';
import type { RawRecord } from '../datasets/index.js';
import { LabError, type ParsedRequestOf } from './contract.js';

export type PredictInput =
  { rows: (RawRecord | number[])[] } | { images: { bytes: Buffer; file?: string }[] };

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
const MAX_ROWS = 100_000;

export async function predictInput(
  input: ParsedRequestOf<'models:predict'>['input'],
  dataDir: string,
): Promise<PredictInput> {
  if (input.kind === 'rows') return { rows: input.rows };
  const name = input.kind === 'file' ? input.file.fileName : input.path;
  let bytes: Buffer;
  try {
    bytes =
      input.kind === 'file' ? Buffer.from(input.file.contentBase64, 'base64') : await readFile(input.path);
  } catch {
    throw new LabError('bad-request', `Cannot read ${input.kind === 'path' ? input.path : name}.`);
  }
  if (IMAGE_EXTENSIONS.has(extname(name).toLowerCase())) return { images: [{ bytes, file: basename(name) }] };
  return { rows: await csvRows(bytes, basename(name), dataDir) };
}

/** A CSV with a header row → one record per row, keyed by column name. */
async function csvRows(bytes: Buffer, name: string, dataDir: string): Promise<RawRecord[]> {
  const folder = join(dataDir, 'tmp', `predict-${randomUUID()}`);
  await mkdir(folder, { recursive: true });
  try {
    const file = join(folder, name.replace(/[^\w.\- ]/g, '_') || 'rows.csv');
    await writeFile(file, bytes);
    const { delimiter } = sniffCsv(bytes.subarray(0, 1 << 16).toString('utf8'));
    let header: string[] | undefined;
    const rows: RawRecord[] = [];
    await readCsvFile(file, {
      delimiter,
      onRecord: (fields) => {
        if (!header) {
          header = fields;
          return;
        }
        if (rows.length >= MAX_ROWS)
          throw new LabError('bad-request', `${name}: more than ${MAX_ROWS} rows.`);
        rows.push(Object.fromEntries(header.map((column, i) => [column, fields[i] ?? null])));
      },
    });
    if (rows.length === 0)
      throw new LabError('bad-request', `${name}: a header row and at least one data row are needed.`);
    return rows;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
