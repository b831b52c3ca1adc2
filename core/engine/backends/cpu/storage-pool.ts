/**
 * A free list of released CPU buffers, keyed by dtype and length. A training step allocates
 * the same set of shapes every step; handing a released buffer back out skips what a fresh
 * typed array costs — the kernel's first touch of new pages (a page fault per 4 KiB) and the
 * garbage collector's later work — which for a 6 MB elementwise output is most of the op's
 * time. A reused buffer is zero-filled, so a kernel sees exactly what a new array gives it.
 *
 * Small arrays are cheap to create and are not pooled; the pool holds at most `capacityBytes`,
 * dropping (to the garbage collector) what does not fit.
 */
import { bytesPerElement, typedArrayFor, type DType, type TypedArray } from '../../tensor/dtype.js';

/** Buffers below this many elements are allocated fresh (V8 keeps them cheap). */
const MIN_POOLED_ELEMENTS = 1024;

export class StoragePool {
  private readonly free = new Map<string, TypedArray[]>();
  private bytes = 0;

  constructor(readonly capacityBytes = 256 * 1024 * 1024) {}

  /**
   * A zeroed array of `size` elements: a pooled one when available, else a new one. With
   * `zeroed` false a pooled array keeps its old contents — for kernels that write every
   * element, which then skip a pass over memory.
   */
  take(dtype: DType, size: number, zeroed = true): TypedArray {
    if (size >= MIN_POOLED_ELEMENTS) {
      const list = this.free.get(key(dtype, size));
      const reused = list?.pop();
      if (reused) {
        this.bytes -= reused.byteLength;
        return zeroed ? reused.fill(0) : reused;
      }
    }
    return typedArrayFor(dtype, size);
  }

  /** Keeps a released array for reuse; the caller must hold no other reference to it. */
  give(data: TypedArray, dtype: DType): void {
    if (data.length < MIN_POOLED_ELEMENTS || this.bytes + data.byteLength > this.capacityBytes) return;
    // Only whole buffers: a subarray view would hand out memory another array also sees.
    if (data.byteOffset !== 0 || data.buffer.byteLength !== data.length * bytesPerElement[dtype]) return;
    const k = key(dtype, data.length);
    let list = this.free.get(k);
    if (!list) this.free.set(k, (list = []));
    list.push(data);
    this.bytes += data.byteLength;
  }

  /** Bytes held for reuse. */
  get pooledBytes(): number {
    return this.bytes;
  }

  /** Drops every pooled buffer. */
  clear(): void {
    this.free.clear();
    this.bytes = 0;
  }
}

function key(dtype: DType, size: number): string {
  return `${dtype}:${size}`;
}
