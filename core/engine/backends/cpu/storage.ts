import type { Storage } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';

/** CPU memory: a typed array in host memory. */
export class CpuStorage implements Storage {
  constructor(
    readonly data: TypedArray,
    readonly dtype: DType,
  ) {}
  get size(): number {
    return this.data.length;
  }
}

export function cpuData(storage: Storage): TypedArray {
  if (!(storage instanceof CpuStorage)) throw new Error('cpu backend: storage belongs to another backend');
  return storage.data;
}
