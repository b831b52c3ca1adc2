/**
 * Softmax and log-softmax, numerically stable (the maximum is subtracted before exp).
 */
import { record } from '../autodiff/record.js';
import { normalizeAxis } from '../tensor/layout.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { exp, mul, sub } from './elementwise.js';
import { backendOf, wrap } from './operand.js';
import { sum } from './reduce.js';
import { contiguous, permute } from './shape.js';

function alongLastAxis(x: Tensor, axis: number, fn: (t: Tensor) => Tensor): Tensor {
  const a = normalizeAxis('softmax', axis, x.rank);
  if (a === x.rank - 1) return fn(x);
  const perm = x.shape.map((_, i) => i);
  perm[a] = x.rank - 1;
  perm[x.rank - 1] = a;
  return tidy(() => permute(fn(contiguous(permute(x, perm))), perm));
}

/** softmax(x)_i = e^{x_i} / Σ_j e^{x_j} along `axis` (default: last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return alongLastAxis(x, axis, (t) => {
    const backend = backendOf('softmax', t);
    const y = wrap(backend.softmax(t.view('softmax'), false), t.shape, backend);
    // dx = y · (dy − Σ dy·y)
    return record('softmax', y, [t], (dy) => [
      tidy(() => mul(y, sub(dy, sum(mul(dy, y), -1, { keepDims: true })))),
    ]);
  });
}

/** log softmax(x) = x − log Σ e^x along `axis` (default: last). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return alongLastAxis(x, axis, (t) => {
    const backend = backendOf('logSoftmax', t);
    const y = wrap(backend.softmax(t.view('logSoftmax'), true), t.shape, backend);
    // dx = dy − softmax · Σ dy
    return record('logSoftmax', y, [t], (dy) => [
      tidy(() => sub(dy, mul(exp(y), sum(dy, -1, { keepDims: true })))),
    ]);
  });
}
