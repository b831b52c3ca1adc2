/**
 * A dense layer's affine map and activation as one op: y = activation(x·kernel + bias).
 *
 * Forward: one fused kernel (Backend.matmulBiasActivation) where the backend has it — on a
 * GPU that saves the bias and activation passes, their dispatches and two intermediate
 * buffers — else the same primitives a layer would call. Backward, on every backend alike:
 * the activation's gradient from the output alone (why only linear, relu, sigmoid and tanh
 * are offered), then the two products and the bias sum:
 *   dz = dy·act'(y);  dx = dz·kernelᵀ;  dkernel = xᵀ·dz;  dbias = Σ_rows dz
 */
import { record } from '../autodiff/record.js';
import { denseActivations, type DenseActivation } from '../backends/backend.js';
import { noGrad } from '../runtime.js';
import { formatShape, ShapeError } from '../tensor/layout.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { add, mul, relu, sigmoid, square, step, sub, tanh } from './elementwise.js';
import { matmul } from './matmul.js';
import { assertFloat, backendOf, wrap } from './operand.js';
import { sum } from './reduce.js';
import { matrixTranspose } from './shape.js';

export type { DenseActivation } from '../backends/backend.js';

/** Whether `name` is an activation `dense` can fuse. */
export function isDenseActivation(name: string): name is DenseActivation {
  return (denseActivations as readonly string[]).includes(name);
}

const activate: Record<DenseActivation, (z: Tensor) => Tensor> = {
  linear: (z) => z,
  relu,
  sigmoid,
  tanh,
};

/** act'(z)·dy written with the output y = act(z). */
const fromOutput: Record<DenseActivation, (y: Tensor, dy: Tensor) => Tensor> = {
  linear: (_y, dy) => dy,
  relu: (y, dy) => mul(dy, step(y)),
  sigmoid: (y, dy) => mul(dy, mul(y, sub(1, y))),
  tanh: (y, dy) => mul(dy, sub(1, square(y))),
};

/**
 * activation(x·kernel + bias) for x [M, K], kernel [K, N], bias [N] or null.
 * @example dense(x, w, b, 'relu') // [64, 784] · [784, 256] + [256] → [64, 256]
 */
export function dense(
  x: Tensor,
  kernel: Tensor,
  bias: Tensor | null,
  activation: DenseActivation = 'linear',
): Tensor {
  const op = 'dense';
  if (!isDenseActivation(activation)) {
    throw new Error(
      `${op}: activation '${activation}' cannot be fused; use one of ${denseActivations.join(', ')}`,
    );
  }
  assertFloat(op, x);
  const [m, k] = x.shape;
  const n = kernel.shape[1];
  if (x.rank !== 2 || kernel.rank !== 2 || kernel.shape[0] !== k) {
    throw new ShapeError(
      `${op}: x ${formatShape(x.shape)} and kernel ${formatShape(kernel.shape)} must be [M, K] and [K, N]`,
    );
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== n)) {
    throw new ShapeError(
      `${op}: bias ${formatShape(bias.shape)} must be [${n}] for kernel ${formatShape(kernel.shape)}`,
    );
  }
  const inputs = bias ? [x, kernel, bias] : [x, kernel];
  const backend = backendOf(op, ...inputs);
  for (const t of inputs) {
    if (t.dtype !== x.dtype) throw new Error(`${op}: dtypes differ (${x.dtype} and ${t.dtype})`);
  }
  const y = backend.matmulBiasActivation
    ? wrap(
        backend.matmulBiasActivation(x.view(op), kernel.view(op), bias?.view(op) ?? null, activation),
        [m!, n!],
        backend,
      )
    : noGrad(() =>
        tidy(() => {
          const z = matmul(x, kernel);
          return activate[activation](bias ? add(z, bias) : z);
        }),
      );
  return record(op, y, inputs, (dy, needs) =>
    tidy(() => {
      const dz = fromOutput[activation](y, dy);
      return [
        needs[0] ? matmul(dz, matrixTranspose(kernel)) : null,
        needs[1] ? matmul(matrixTranspose(x), dz) : null,
        ...(bias ? [needs[2] ? sum(dz, 0) : null] : []),
      ];
    }),
  );
}
