// A streaming CSV/TSV tokenizer: quoted fields with embedded delimiters, quotes ("") and
// newlines; CRLF, LF or CR line ends; a UTF-8 BOM; chunks split anywhere.
import { createReadStream, statSync } from 'node:fs';
import { DatasetImportError, quoteFound, throwIfAborted } from './errors.js';

export type RecordHandler = (fields: string[], line: number) => void;

const QUOTE = 34;
const LF = 10;
const CR = 13;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

/**
 * Feed text with `push`, finish with `end`. Each record is reported with the 1-based line it
 * starts on. Blank lines are skipped.
 */
export class CsvTokenizer {
  private state = State.FieldStart;
  private fields: string[] = [];
  private field = '';
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  private pendingCR = false;
  /** The last character inside a quoted field was CR (so a following LF ends no extra line). */
  private quotedCR = false;
  private readonly delimiter: number;

  constructor(
    delimiter: string,
    private readonly onRecord: RecordHandler,
    private readonly file = 'input',
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new Error(
        `CSV delimiter must be one character other than a quote or line end, got '${delimiter}'`,
      );
    }
    this.delimiter = delimiter.charCodeAt(0);
  }

  push(text: string): void {
    const delimiter = this.delimiter;
    let start = 0;
    let i = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.charCodeAt(0) === LF) i = start = 1;
    }
    const n = text.length;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      switch (this.state) {
        case State.FieldStart:
          if (c === QUOTE) {
            this.state = State.Quoted;
            this.quoteLine = this.line;
            start = i + 1;
            break;
          }
          // The character begins an unquoted field: look at it again in that state.
          start = i;
          this.state = State.Unquoted;
          i--;
          break;
        case State.Unquoted:
          if (c === delimiter) {
            this.fields.push(this.field + text.slice(start, i));
            this.field = '';
            this.state = State.FieldStart;
          } else if (c === LF || c === CR) {
            this.fields.push(this.field + text.slice(start, i));
            this.field = '';
            i = this.endLine(text, i);
          }
          break;
        case State.Quoted:
          if (c === QUOTE) {
            this.field += text.slice(start, i);
            this.state = State.QuoteInQuoted;
          } else if (c === LF) {
            if (!this.quotedCR) this.line++;
          } else if (c === CR) {
            this.line++;
          }
          this.quotedCR = c === CR;
          break;
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            // An escaped quote: keep one, continue the quoted field.
            start = i;
            this.state = State.Quoted;
          } else if (c === delimiter) {
            this.fields.push(this.field);
            this.field = '';
            this.state = State.FieldStart;
          } else if (c === LF || c === CR) {
            this.fields.push(this.field);
            this.field = '';
            i = this.endLine(text, i);
          } else {
            throw new DatasetImportError({
              file: this.file,
              line: this.line,
              found: `${quoteFound(text[i]!)} after a closing quote`,
              expected: 'a delimiter or the end of the line',
            });
          }
          break;
      }
    }
    if (this.state === State.Unquoted || this.state === State.Quoted) {
      this.field += text.slice(start, n);
    }
  }

  /** Finishes the last record; an unclosed quote is an error. */
  end(): void {
    if (this.pendingCR) this.pendingCR = false;
    switch (this.state) {
      case State.Quoted:
        throw new DatasetImportError({
          file: this.file,
          line: this.quoteLine,
          problem: 'a quoted field is never closed',
          expected: 'a closing " before the end of the file',
        });
      case State.Unquoted:
      case State.QuoteInQuoted:
        this.fields.push(this.field);
        this.field = '';
        this.emit();
        break;
      case State.FieldStart:
        if (this.fields.length > 0) {
          this.fields.push('');
          this.emit();
        }
        break;
    }
  }

  /** Handles a line end at text[i]; returns the index of its last character. */
  private endLine(text: string, i: number): number {
    this.emit();
    this.state = State.FieldStart;
    let last = i;
    if (text.charCodeAt(i) === CR) {
      if (i + 1 < text.length) {
        if (text.charCodeAt(i + 1) === LF) last = i + 1;
      } else {
        this.pendingCR = true;
      }
    }
    this.line++;
    this.recordLine = this.line;
    return last;
  }

  private emit(): void {
    const fields = this.fields;
    this.fields = [];
    const line = this.recordLine;
    this.recordLine = this.line;
    if (fields.length === 1 && fields[0] === '') return; // a blank line
    this.onRecord(fields, line);
  }
}

export interface ReadCsvOptions {
  delimiter: string;
  onRecord: RecordHandler;
  /** Called with bytes read so far and the file size. */
  onBytes?: (bytesRead: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /** Stop early (e.g. a sample); the promise resolves after the current chunk. */
  shouldStop?: () => boolean;
}

/**
 * Streams a text file through the tokenizer. Memory use is one chunk plus one record. Rejects
 * files that are not text (NUL bytes, a gzip header) with a clear message.
 */
export async function readCsvFile(file: string, options: ReadCsvOptions): Promise<void> {
  const totalBytes = statSync(file).size;
  const tokenizer = new CsvTokenizer(options.delimiter, options.onRecord, file);
  const decoder = new TextDecoder('utf-8');
  let bytesRead = 0;
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      throwIfAborted(options.signal);
      if (bytesRead === 0) assertLooksLikeText(file, chunk);
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        throw new DatasetImportError({
          file,
          record: { index: bytesRead + nul, noun: 'byte' },
          found: 'a NUL byte',
          expected: 'text: this does not look like a CSV file',
        });
      }
      bytesRead += chunk.length;
      tokenizer.push(decoder.decode(chunk, { stream: true }));
      options.onBytes?.(bytesRead, totalBytes);
      if (options.shouldStop?.()) return;
    }
    tokenizer.push(decoder.decode());
    tokenizer.end();
  } finally {
    stream.destroy();
  }
}

function assertLooksLikeText(file: string, head: Buffer): void {
  const signatures: [number[], string][] = [
    [[0x1f, 0x8b], 'a gzip archive'],
    [[0x50, 0x4b, 0x03, 0x04], 'a zip archive'],
    [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
    [[0xff, 0xd8, 0xff], 'a JPEG image'],
    [[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'a NumPy .npy file'],
  ];
  for (const [bytes, what] of signatures) {
    if (head.length >= bytes.length && bytes.every((byte, index) => head[index] === byte)) {
      throw new DatasetImportError({ file, found: what, expected: 'a text CSV/TSV file' });
    }
  }
}
