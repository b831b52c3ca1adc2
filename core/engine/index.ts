/**
 * NN Lab's tensor engine: tensors over pluggable backends, reverse-mode autodiff, and the ops
 * layers are built from. Importing this module makes the CPU backend the default.
 *
 * @example
 * import * as nn from './core/engine/index.js';
 * const w = nn.variable([1]);
 * const { value, grads } = nn.valueAndGrad(() => nn.square(nn.sub(2, nn.mul(w, 1))), [w]);
 */
import { createCpuBackend } from './backends/cpu/cpu-backend.js';
import { setDefaultBackendFactory } from './runtime.js';

import './tensor/methods.js';

setDefaultBackendFactory(createCpuBackend);

export type {
  Backend,
  Storage,
  View,
  UnaryOp,
  BinaryOp,
  ReduceOp,
  WindowGeometry,
  AdapterInfo,
} from './backends/backend.js';
export { unaryOps, binaryOps, reduceOps } from './backends/backend.js';
export { CpuBackend, createCpuBackend } from './backends/cpu/cpu-backend.js';
export {
  getBackend,
  setBackend,
  withBackend,
  setSeed,
  globalRandom,
  noGrad,
  isGradEnabled,
  memory,
} from './runtime.js';
export type { EngineMemory } from './runtime.js';
export { Tensor, type NestedArray } from './tensor/tensor.js';
export { tidy, keep, dispose } from './tensor/scope.js';
export { Random } from './tensor/random.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export { ShapeError, type Shape } from './tensor/layout.js';
export { grad, valueAndGrad } from './autodiff/grad.js';
export * from './ops/creation.js';
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/shape.js';
export * from './ops/matmul.js';
export * from './ops/indexing.js';
export * from './ops/softmax.js';
export * from './ops/crossentropy.js';
export * from './ops/dense.js';
export * from './ops/conv.js';
export * from './ops/lstm-cell.js';
export * from './ops/gru-cell.js';
export * from './ops/fused.js';
export type { AdamHyper } from './backends/backend.js';
