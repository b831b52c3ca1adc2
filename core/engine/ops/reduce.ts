/**
 * Reductions over any axes, with keepDims, and `sumToShape`: the one place where a gradient
 * in a broadcast shape is summed back to its operand's shape.
 */
import type { ReduceOp } from '../backends/backend.js';
import { record } from '../autodiff/record.js';
import { formatShape, normalizeAxes, normalizeAxis, ShapeError, type Shape } from '../tensor/layout.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { div, equal, log, exp, mul, square, sub, add } from './elementwise.js';
import { backendOf, wrap } from './operand.js';
import { expand, reshape } from './shape.js';

export interface ReduceOptions {
  /** Keep reduced dimensions with size 1 (defaults to false). */
  keepDims?: boolean;
}

type Axes = number | readonly number[] | undefined;

function reduced(op: ReduceOp, x: Tensor, axes: number[]): Tensor {
  const backend = backendOf(op, x);
  const shape = x.shape.filter((_, i) => !axes.includes(i));
  if (axes.length === 0) return wrap(backend.copy(x.view(op)), x.shape, backend);
  return wrap(backend.reduce(op, x.view(op), axes), shape, backend);
}

function keptShape(x: Tensor, axes: readonly number[]): number[] {
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Broadcasts a reduced gradient (or value) back over the reduced axes of `x`. */
function spread(g: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return tidy(() => expand(reshape(g, keptShape(x, axes)), x.shape));
}

function finish(out: Tensor, x: Tensor, axes: readonly number[], options: ReduceOptions): Tensor {
  if (!options.keepDims) return out;
  const kept = reshape(out, keptShape(x, axes));
  out.dispose();
  return kept;
}

/** Σ over `axes` (all by default). */
export function sum(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  const ax = normalizeAxes('sum', axes, x.rank);
  const out = record('sum', reduced('sum', x, ax), [x], (dy) => [spread(dy, x, ax)]);
  return finish(out, x, ax, options);
}

/** The arithmetic mean over `axes` (all by default). */
export function mean(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  const ax = normalizeAxes('mean', axes, x.rank);
  const count = ax.reduce((n, a) => n * x.shape[a]!, 1);
  return tidy(() => div(sum(x, ax, options), count));
}

function extreme(op: 'max' | 'min', x: Tensor, axes: Axes, options: ReduceOptions): Tensor {
  const ax = normalizeAxes(op, axes, x.rank);
  if (ax.some((a) => x.shape[a] === 0))
    throw new ShapeError(`${op}: cannot reduce an empty dimension of ${formatShape(x.shape)}`);
  const out = reduced(op, x, ax);
  // The gradient goes to the extreme elements, shared equally between ties.
  record(op, out, [x], (dy) =>
    tidy(() => {
      const mask = equal(x, spread(out, x, ax));
      const count = spread(reduced('sum', mask, ax), x, ax);
      return [div(mul(spread(dy, x, ax), mask), count)];
    }),
  );
  return finish(out, x, ax, options);
}

export function max(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return extreme('max', x, axes, options);
}

export function min(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return extreme('min', x, axes, options);
}

/** Π over `axes`. Its gradient divides by x, so it is undefined where x is 0. */
export function prod(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  const ax = normalizeAxes('prod', axes, x.rank);
  const out = reduced('prod', x, ax);
  record('prod', out, [x], (dy) => [tidy(() => div(mul(spread(dy, x, ax), spread(out, x, ax)), x))]);
  return finish(out, x, ax, options);
}

function argReduce(op: 'argmax' | 'argmin', x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(op, axis, x.rank);
  if (x.shape[a] === 0)
    throw new ShapeError(`${op}: cannot reduce an empty dimension of ${formatShape(x.shape)}`);
  const backend = backendOf(op, x);
  return wrap(
    backend.argReduce(op, x.view(op), a),
    x.shape.filter((_, i) => i !== a),
    backend,
  );
}

/** int32 index of the largest value along `axis` (default: last); the first one on ties. */
export function argmax(x: Tensor, axis = -1): Tensor {
  return argReduce('argmax', x, axis);
}

export function argmin(x: Tensor, axis = -1): Tensor {
  return argReduce('argmin', x, axis);
}

/** Variance over `axes` (population variance; `correction: 1` gives the sample variance). */
export function variance(
  x: Tensor,
  axes?: Axes,
  options: ReduceOptions & { correction?: number } = {},
): Tensor {
  const ax = normalizeAxes('variance', axes, x.rank);
  const count = ax.reduce((n, a) => n * x.shape[a]!, 1);
  const correction = options.correction ?? 0;
  return tidy(() => {
    const centered = sub(x, mean(x, ax, { keepDims: true }));
    return div(sum(square(centered), ax, options), Math.max(count - correction, 0));
  });
}

/** log Σ exp(x) over `axes`, computed stably (the maximum subtracted first). */
export function logSumExp(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  const ax = normalizeAxes('logSumExp', axes, x.rank);
  return tidy(() => {
    const m = max(x, ax, { keepDims: true });
    const shifted = exp(sub(x, m));
    const out = add(log(sum(shifted, ax, { keepDims: true })), m);
    return options.keepDims
      ? out
      : reshape(
          out,
          x.shape.filter((_, i) => !ax.includes(i)),
        );
  });
}

/**
 * Sums `g` down to `shape` (the inverse of broadcasting): leading extra dimensions and
 * dimensions where `shape` has 1 are summed. The autodiff walker calls this for every operand.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (g.rank === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  if (lead < 0)
    throw new ShapeError(
      `sumToShape: ${formatShape(g.shape)} has fewer dimensions than ${formatShape(shape)}`,
    );
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return tidy(() => reshape(sum(g, axes), shape));
}
