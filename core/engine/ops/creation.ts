/**
 * Creating tensors: from values, constants, ranges, and seeded random draws. Random tensors
 * are drawn on the host from a `Random` (the global one unless given), so the same seed gives
 * the same numbers on every backend.
 */
import { getBackend, globalRandom } from '../runtime.js';
import { dtypeOfArray, typedArrayFor, type DType, type TypedArray } from '../tensor/dtype.js';
import { formatShape, sizeOf, ShapeError, type Shape } from '../tensor/layout.js';
import type { Random } from '../tensor/random.js';
import { Tensor, type NestedArray } from '../tensor/tensor.js';
import { keep } from '../tensor/scope.js';
import { wrap } from './operand.js';

/**
 * A tensor from nested arrays, a typed array or a number.
 * @example tensor([[1, 2], [3, 4]]) // float32 [2,2]
 * @param shape defaults to the nesting's shape (or [length] for a typed array)
 * @param dtype defaults to the typed array's type, else float32
 */
export function tensor(values: NestedArray | TypedArray, shape?: Shape, dtype?: DType): Tensor {
  let flat: TypedArray;
  let inferred: number[];
  if (ArrayBuffer.isView(values)) {
    const type = dtype ?? dtypeOfArray(values);
    flat = type === dtypeOfArray(values) ? values : convert(values, type);
    inferred = [values.length];
  } else {
    inferred = inferShape(values);
    const type = dtype ?? 'float32';
    flat = typedArrayFor(type, sizeOf(inferred));
    flattenInto(values, flat, { index: 0 }, inferred);
  }
  const finalShape = shape ? [...shape] : inferred;
  if (sizeOf(finalShape) !== flat.length) {
    throw new ShapeError(`tensor: ${flat.length} values cannot fill shape ${formatShape(finalShape)}`);
  }
  const backend = getBackend();
  return wrap(backend.upload(flat, dtypeOfArray(flat)), finalShape, backend);
}

export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return full([], value, dtype);
}

export function full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  checkShape('full', shape);
  const backend = getBackend();
  return wrap(backend.full(sizeOf(shape), dtype, value), shape, backend);
}

export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
  return full(shape, 0, dtype);
}

export function ones(shape: Shape, dtype: DType = 'float32'): Tensor {
  return full(shape, 1, dtype);
}

export function zerosLike(t: Tensor): Tensor {
  return wrap(t.backend.full(t.size, t.dtype, 0), t.shape, t.backend);
}

export function onesLike(t: Tensor): Tensor {
  return wrap(t.backend.full(t.size, t.dtype, 1), t.shape, t.backend);
}

export function fullLike(t: Tensor, value: number): Tensor {
  return wrap(t.backend.full(t.size, t.dtype, value), t.shape, t.backend);
}

/** Values start, start+step, … below stop. dtype defaults to int32 when all are integers. */
export function arange(start: number, stop?: number, step = 1, dtype?: DType): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new Error('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const type = dtype ?? (Number.isInteger(start) && Number.isInteger(step) ? 'int32' : 'float32');
  const values = typedArrayFor(type, n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return tensor(values, [n]);
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m = n, dtype: DType = 'float32'): Tensor {
  const values = typedArrayFor(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return tensor(values, [n, m]);
}

export interface RandomOptions {
  /** Defaults to the global generator (see setSeed). */
  random?: Random;
  dtype?: DType;
}

/** Uniform in [min, max). min defaults to 0, max to 1. */
export function randomUniform(shape: Shape, min = 0, max = 1, options: RandomOptions = {}): Tensor {
  const rng = options.random ?? globalRandom();
  const values = typedArrayFor(options.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = rng.uniform(min, max);
  return tensor(values, shape);
}

/** Normal with the given mean (default 0) and standard deviation (default 1). */
export function randomNormal(shape: Shape, mean = 0, std = 1, options: RandomOptions = {}): Tensor {
  const rng = options.random ?? globalRandom();
  const values = typedArrayFor(options.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal(mean, std);
  return tensor(values, shape);
}

/** Normal redrawn outside ±2 standard deviations (Keras's truncated normal). */
export function truncatedNormal(shape: Shape, mean = 0, std = 1, options: RandomOptions = {}): Tensor {
  const rng = options.random ?? globalRandom();
  const values = typedArrayFor(options.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = rng.truncatedNormal(mean, std);
  return tensor(values, shape);
}

/**
 * A trainable leaf: requires gradients, and is kept out of every tidy scope (it lives until
 * disposed). Optimizers update it in place with `assign`.
 */
export function variable(initial: Tensor | NestedArray | TypedArray, name?: string): Tensor {
  const source = initial instanceof Tensor ? initial : tensor(initial);
  const v = source.withLayout(source.layout);
  if (!(initial instanceof Tensor)) source.dispose();
  const owned = v.isContiguous ? v : contiguousCopy(v);
  owned.requiresGrad = true;
  owned.name = name;
  return keep(owned);
}

function contiguousCopy(t: Tensor): Tensor {
  const out = wrap(t.backend.copy(t.view('variable')), t.shape, t.backend);
  t.dispose();
  return out;
}

function convert(values: TypedArray, dtype: DType): TypedArray {
  const out = typedArrayFor(dtype, values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}

function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${formatShape(shape)}`);
  }
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0]!;
  }
  return shape;
}

function flattenInto(
  values: NestedArray,
  out: TypedArray,
  cursor: { index: number },
  shape: readonly number[],
  depth = 0,
): void {
  if (
    Array.isArray(values) !== depth < shape.length ||
    (Array.isArray(values) && values.length !== shape[depth])
  ) {
    throw new ShapeError(
      `tensor: ragged nested array: at depth ${depth} expected ${depth < shape.length ? `${shape[depth]} elements` : 'a number'}`,
    );
  }
  if (Array.isArray(values)) {
    for (const v of values) flattenInto(v, out, cursor, shape, depth + 1);
    return;
  }
  out[cursor.index++] = typeof values === 'boolean' ? Number(values) : values;
}
