/**
 * A uint8 dataset (images, most often) kept on the device as bytes — four to an int32
 * element, a quarter of its float32 size — and turned into floats one batch at a time, in the
 * kernel that gathers the batch: value = byte·scale + shift. fit and evaluate take it wherever
 * they take a feature tensor.
 *
 * Why: the 60,000 Fashion-MNIST images are 180 MiB as float32, past the 128 MiB a storage
 * binding may hold on many adapters; as bytes they are 45 MiB, uploaded once.
 *
 * @example
 * const x = ByteRows.upload(pixels, [60000, 784], { scale: 1 / 255 });
 * await fit(model, x, labels, { ... });
 * x.dispose();
 */
import { withBackend } from '../runtime.js';
import { arange, tensor } from '../ops/creation.js';
import { wrap } from '../ops/operand.js';
import { formatShape, ShapeError, type Shape } from '../tensor/layout.js';
import { keep, tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';

export interface ByteRowsOptions {
  /** Multiplies every byte. Defaults to 1 (1/255 gives pixels in [0, 1]). */
  scale?: number;
  /** Added after scaling. Defaults to 0. */
  shift?: number;
}

export class ByteRows {
  private disposed = false;

  private constructor(
    /** The bytes, packed little-endian into int32 elements. */
    private readonly packed: Tensor,
    /** [rows, ...row shape] of this view. */
    readonly shape: readonly number[],
    /** The packed row where this view's row 0 is. */
    private readonly firstRow: number,
    readonly scale: number,
    readonly shift: number,
    /** Only the uploaded object frees the bytes; row views share them. */
    private readonly root: ByteRows | null,
  ) {}

  /** Uploads `bytes` (row-major, `shape` [rows, ...]) to the active backend, once. */
  static upload(bytes: Uint8Array, shape: Shape, options: ByteRowsOptions = {}): ByteRows {
    const size = shape.reduce((a, d) => a * d, 1);
    if (shape.length < 1 || size !== bytes.length) {
      throw new ShapeError(
        `ByteRows.upload: shape ${formatShape(shape)} does not hold ${bytes.length} bytes`,
      );
    }
    const scale = options.scale ?? 1;
    const shift = options.shift ?? 0;
    if (!Number.isFinite(scale) || !Number.isFinite(shift)) {
      throw new Error(`ByteRows.upload: scale and shift must be finite, got ${scale} and ${shift}`);
    }
    const words = new Int32Array(Math.max(1, Math.ceil(bytes.length / 4)));
    new Uint8Array(words.buffer).set(bytes);
    const packed = keep(tensor(words, [words.length], 'int32'));
    return new ByteRows(packed, [...shape], 0, scale, shift, null);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Bytes per row. */
  get rowLength(): number {
    return this.shape.slice(1).reduce((a, d) => a * d, 1);
  }

  /** Rows [start, start + count) as a view sharing the bytes. */
  rows(start: number, count: number): ByteRows {
    this.checkAlive('rows');
    const n = this.shape[0]!;
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > n) {
      throw new RangeError(`ByteRows.rows: [${start}, ${start + count}) is outside the ${n} rows`);
    }
    return new ByteRows(
      this.packed,
      [count, ...this.shape.slice(1)],
      this.firstRow + start,
      this.scale,
      this.shift,
      this.root ?? this,
    );
  }

  /** The rows at int32 `indices` (1-D), as float32 [indices, ...row shape]. */
  gather(indices: Tensor): Tensor {
    this.checkAlive('gather');
    if (indices.dtype !== 'int32' || indices.rank !== 1) {
      throw new Error(
        `ByteRows.gather: indices must be a 1-D int32 tensor, got ${indices.dtype}${formatShape(indices.shape)}`,
      );
    }
    const backend = this.packed.backend;
    if (indices.backend !== backend) throw new Error('ByteRows.gather: indices live on another backend');
    if (!backend.gatherBytes) {
      throw new Error(
        `ByteRows.gather: the ${backend.name} backend cannot read packed bytes; upload float32 rows instead`,
      );
    }
    const rowLength = this.rowLength;
    const storage = backend.gatherBytes(
      this.packed.view('ByteRows.gather').storage,
      { byteOffset: this.firstRow * rowLength, rows: this.shape[0]!, rowLength },
      indices.view('ByteRows.gather'),
      this.scale,
      this.shift,
    );
    return wrap(storage, [indices.size, ...this.shape.slice(1)], backend);
  }

  /** Rows [start, start + count) as float32 (all rows by default). */
  toTensor(start = 0, count = this.shape[0]! - start): Tensor {
    return withBackend(this.packed.backend, () =>
      tidy(() => this.rows(start, count).gather(arange(0, count, 1, 'int32'))),
    );
  }

  /** Frees the bytes (views: nothing; their bytes belong to the uploaded object). */
  dispose(): void {
    if (this.root || this.disposed) return;
    this.disposed = true;
    this.packed.dispose();
  }

  private checkAlive(op: string): void {
    if ((this.root ?? this).disposed) throw new Error(`ByteRows.${op}: the rows were disposed`);
  }
}
