// The one error every importer throws for bad input: it names the file, the place in it, the
// column, what was found and what was expected.
import { basename } from 'node:path';

export interface DatasetErrorDetails {
  /** The file (or folder) being read; only its base name appears in the message. */
  file?: string;
  /** 1-based line in a text file. */
  line?: number;
  /** 0-based record, image or byte offset in a binary file, with its noun. */
  record?: { index: number; noun?: string };
  column?: string;
  found?: string;
  expected?: string;
  /** A complete sentence used when found/expected do not fit. */
  problem?: string;
}

/**
 * Reads like "data.csv line 14, column 'age': found 'abc', expected a number".
 */
export class DatasetImportError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly record: number | undefined;
  readonly column: string | undefined;
  readonly found: string | undefined;
  readonly expected: string | undefined;

  constructor(details: DatasetErrorDetails, options?: { cause?: unknown }) {
    super(formatMessage(details), options);
    this.name = 'DatasetImportError';
    this.file = details.file;
    this.line = details.line;
    this.record = details.record?.index;
    this.column = details.column;
    this.found = details.found;
    this.expected = details.expected;
  }
}

/** Thrown when an import is cancelled through its AbortSignal; nothing is left behind. */
export class DatasetImportCancelled extends Error {
  constructor() {
    super('The import was cancelled; nothing was kept.');
    this.name = 'DatasetImportCancelled';
  }
}

function formatMessage(details: DatasetErrorDetails): string {
  const where: string[] = [];
  let place = details.file ? basename(details.file) : '';
  if (details.line !== undefined) place += `${place ? ' ' : ''}line ${details.line}`;
  if (details.record)
    place += `${place ? ' ' : ''}${details.record.noun ?? 'record'} ${details.record.index}`;
  if (place) where.push(place);
  if (details.column !== undefined) where.push(`column '${details.column}'`);
  const head = where.join(', ');
  const parts: string[] = [];
  if (details.found !== undefined) parts.push(`found ${details.found}`);
  if (details.expected !== undefined) parts.push(`expected ${details.expected}`);
  const body = [details.problem, parts.join(', ')].filter((part) => part).join('; ');
  return head ? `${head}: ${body}` : body;
}

/** Quotes a found value for a message, shortened so a binary blob cannot flood it. */
export function quoteFound(value: string, max = 40): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return `'${shown.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DatasetImportCancelled();
}
