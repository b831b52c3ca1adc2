/**
 * Shared plumbing for ops: turning numbers into tensors, checking that operands live on one
 * backend, and wrapping kernel results.
 */
import type { Backend, Storage } from '../backends/backend.js';
import { getBackend } from '../runtime.js';
import type { DType } from '../tensor/dtype.js';
import type { Shape } from '../tensor/layout.js';
import { Tensor } from '../tensor/tensor.js';

export type TensorLike = Tensor | number;

/** A tensor from a kernel's fresh output storage. */
export function wrap(storage: Storage, shape: Shape, backend: Backend): Tensor {
  return Tensor.fromStorage(storage, shape, backend);
}

/** A one-element tensor of `dtype` on `backend` (shape [], broadcastable anywhere). */
export function scalarOn(value: number, dtype: DType, backend: Backend): Tensor {
  return wrap(backend.full(1, dtype, value), [], backend);
}

/** The dtype a plain number takes next to a tensor of `dtype`. */
export function numberDType(value: number, dtype: DType): DType {
  if (dtype === 'int32' && !Number.isInteger(value)) return 'float32';
  return dtype;
}

export function backendOf(op: string, ...tensors: Tensor[]): Backend {
  const backend = tensors[0]?.backend ?? getBackend();
  for (const t of tensors) {
    if (t.backend !== backend) {
      throw new Error(`${op}: operands live on different backends (${backend.name} and ${t.backend.name})`);
    }
  }
  return backend;
}

export function assertFloat(op: string, t: Tensor): void {
  if (t.dtype === 'int32')
    throw new Error(`${op}: expected a float tensor, got int32 ${JSON.stringify(t.shape)}`);
}
