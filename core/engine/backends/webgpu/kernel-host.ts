/**
 * What an op module of the WebGPU backend (batch-norm-ops.ts, recurrent-ops.ts) needs from the
 * backend: its allocator, its recorder and its ownership checks, bound to one backend.
 */
import type { View } from '../backend.js';
import type { DType } from '../../tensor/dtype.js';
import type { Program } from './program.js';
import type { GPUStorage } from './storage.js';

export interface KernelHost {
  allocate(op: string, size: number, dtype: DType): GPUStorage;
  /** Records `p`; when it cannot run, releases `made` first and throws. */
  run(p: Program, ...made: GPUStorage[]): void;
  release(storage: GPUStorage): void;
  check(...views: View[]): void;
}
