/**
 * Fluent methods on Tensor (`y.sub(w.mul(x)).square()`), as PyTorch and TensorFlow.js users
 * expect. Each forwards to the op function of the same name, so an op is still defined once.
 */
import type { DType } from './dtype.js';
import type { Shape } from './layout.js';
import { Tensor } from './tensor.js';
import type { TensorLike } from '../ops/operand.js';
import * as elementwise from '../ops/elementwise.js';
import * as reduce from '../ops/reduce.js';
import * as shape from '../ops/shape.js';
import { matmul } from '../ops/matmul.js';
import { logSoftmax, softmax } from '../ops/softmax.js';
import { gather } from '../ops/indexing.js';

type Axes = number | readonly number[];

declare module './tensor.js' {
  interface Tensor {
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    pow(b: TensorLike): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
    equal(b: TensorLike): Tensor;
    less(b: TensorLike): Tensor;
    greater(b: TensorLike): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    square(): Tensor;
    sqrt(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    clamp(min: number, max: number): Tensor;
    sum(axes?: Axes, options?: reduce.ReduceOptions): Tensor;
    mean(axes?: Axes, options?: reduce.ReduceOptions): Tensor;
    max(axes?: Axes, options?: reduce.ReduceOptions): Tensor;
    min(axes?: Axes, options?: reduce.ReduceOptions): Tensor;
    argmax(axis?: number): Tensor;
    matmul(b: Tensor): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    reshape(shape: Shape): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    /** The matrix transpose (last two dimensions swapped). */
    readonly T: Tensor;
    expand(shape: Shape): Tensor;
    slice(begin: readonly number[], size?: readonly number[]): Tensor;
    gather(indices: Tensor, axis?: number): Tensor;
    cast(dtype: DType): Tensor;
    detach(): Tensor;
  }
}

const binaryMethods = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'equal',
  'less',
  'greater',
] as const;
for (const name of binaryMethods) {
  const op = elementwise[name];
  Tensor.prototype[name] = function (this: Tensor, b: TensorLike) {
    return op(this, b);
  };
}

const unaryMethods = ['neg', 'abs', 'square', 'sqrt', 'exp', 'log', 'relu', 'sigmoid', 'tanh'] as const;
for (const name of unaryMethods) {
  const op = elementwise[name] as (x: Tensor) => Tensor;
  Tensor.prototype[name] = function (this: Tensor) {
    return op(this);
  };
}

const reduceMethods = ['sum', 'mean', 'max', 'min'] as const;
for (const name of reduceMethods) {
  const op = reduce[name];
  Tensor.prototype[name] = function (this: Tensor, axes?: Axes, options?: reduce.ReduceOptions) {
    return op(this, axes, options);
  };
}

Object.assign(Tensor.prototype, {
  clamp(this: Tensor, min: number, max: number) {
    return elementwise.clamp(this, min, max);
  },
  argmax(this: Tensor, axis?: number) {
    return reduce.argmax(this, axis);
  },
  matmul(this: Tensor, b: Tensor) {
    return matmul(this, b);
  },
  softmax(this: Tensor, axis?: number) {
    return softmax(this, axis);
  },
  logSoftmax(this: Tensor, axis?: number) {
    return logSoftmax(this, axis);
  },
  reshape(this: Tensor, s: Shape) {
    return shape.reshape(this, s);
  },
  transpose(this: Tensor, perm?: readonly number[]) {
    return shape.transpose(this, perm);
  },
  expand(this: Tensor, s: Shape) {
    return shape.expand(this, s);
  },
  slice(this: Tensor, begin: readonly number[], size?: readonly number[]) {
    return shape.slice(this, begin, size);
  },
  gather(this: Tensor, indices: Tensor, axis?: number) {
    return gather(this, indices, axis);
  },
  cast(this: Tensor, dtype: DType) {
    return shape.cast(this, dtype);
  },
  detach(this: Tensor) {
    return shape.detach(this);
  },
});

Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) {
    return shape.matrixTranspose(this);
  },
});
