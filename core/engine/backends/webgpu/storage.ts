/** A WebGPU storage: a pooled GPU buffer holding `size` elements of `dtype`. */
import type { Storage } from '../backend.js';
import type { DType } from '../../tensor/dtype.js';

export class GPUStorage implements Storage {
  released = false;

  constructor(
    readonly size: number,
    readonly dtype: DType,
    readonly buffer: GPUBuffer,
    /** The backend that made it, so storages from another backend are refused clearly. */
    readonly owner: object,
  ) {}

  /** Bytes of data (4 per element); the buffer itself may be larger (its size class). */
  get byteLength(): number {
    return this.size * 4;
  }
}
