/**
 * Elementwise ops: the unary and binary families of backend primitives, each with its gradient
 * in one typed table (a missing rule is a compile error), plus where and clamp.
 */
import type { BinaryOp, UnaryOp } from '../backends/backend.js';
import { record } from '../autodiff/record.js';
import { promote } from '../tensor/dtype.js';
import { broadcastLayout, broadcastShapes, shapesEqual } from '../tensor/layout.js';
import type { Tensor } from '../tensor/tensor.js';
import { backendOf, numberDType, scalarOn, wrap, type TensorLike } from './operand.js';
import { cast } from './shape.js';

type UnaryGradient = (x: Tensor, y: Tensor, dy: Tensor, param: number) => Tensor;

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** d(op(x))/dx · dy for every unary primitive; `null` marks an op with zero gradient. */
const unaryGradients: Record<UnaryOp, UnaryGradient | null> = {
  neg: (_x, _y, dy) => neg(dy),
  abs: (x, _y, dy) => mul(dy, sign(x)),
  sign: null,
  square: (x, _y, dy) => mul(dy, mul(x, 2)),
  sqrt: (_x, y, dy) => div(dy, mul(y, 2)),
  reciprocal: (_x, y, dy) => neg(mul(dy, square(y))),
  exp: (_x, y, dy) => mul(dy, y),
  log: (x, _y, dy) => div(dy, x),
  sin: (x, _y, dy) => mul(dy, cos(x)),
  cos: (x, _y, dy) => neg(mul(dy, sin(x))),
  floor: null,
  relu: (x, _y, dy) => mul(dy, step(x)),
  step: null,
  sigmoid: (_x, y, dy) => mul(dy, mul(y, sub(1, y))),
  tanh: (_x, y, dy) => mul(dy, sub(1, square(y))),
  softplus: (x, _y, dy) => mul(dy, sigmoid(x)),
  elu: (x, y, dy, alpha) => mul(dy, where(greater(x, 0), 1, add(y, alpha))),
  selu: (x, y, dy) => mul(dy, where(greater(x, 0), SELU_SCALE, add(y, SELU_SCALE * SELU_ALPHA))),
  leakyRelu: (x, _y, dy, alpha) => mul(dy, where(greater(x, 0), 1, alpha)),
};

/** Applies a unary primitive, recording its gradient from the table. */
export function unary(op: UnaryOp, x: Tensor, param = 0): Tensor {
  const backend = backendOf(op, x);
  const input =
    op === 'floor' || op === 'sign' || op === 'abs' || op === 'neg' || op === 'square' ? x : toFloat(x);
  const out = wrap(backend.unary(op, input.view(op), param), x.shape, backend);
  if (input !== x) input.dispose();
  const gradient = unaryGradients[op];
  if (!gradient) return out;
  return record(op, out, [x], (dy) => [gradient(x, out, dy, param)]);
}

type BinaryGradient = (
  a: Tensor,
  b: Tensor,
  out: Tensor,
  dy: Tensor,
  needs: readonly boolean[],
) => (Tensor | null)[];

/** Gradients of a binary primitive with respect to both operands (output-shaped). */
const binaryGradients: Record<BinaryOp, BinaryGradient | null> = {
  add: (_a, _b, _o, dy) => [dy, dy],
  sub: (_a, _b, _o, dy, needs) => [dy, needs[1] ? neg(dy) : null],
  mul: (a, b, _o, dy, needs) => [needs[0] ? mul(dy, b) : null, needs[1] ? mul(dy, a) : null],
  div: (_a, b, out, dy, needs) => [needs[0] ? div(dy, b) : null, needs[1] ? neg(div(mul(dy, out), b)) : null],
  pow: (a, b, out, dy, needs) => [
    needs[0] ? mul(dy, mul(b, pow(a, sub(b, 1)))) : null,
    needs[1] ? mul(dy, mul(out, log(a))) : null,
  ],
  maximum: (a, b, _o, dy, needs) => [
    needs[0] ? mul(dy, greaterEqual(a, b)) : null,
    needs[1] ? mul(dy, less(a, b)) : null,
  ],
  minimum: (a, b, _o, dy, needs) => [
    needs[0] ? mul(dy, lessEqual(a, b)) : null,
    needs[1] ? mul(dy, greater(a, b)) : null,
  ],
  equal: null,
  notEqual: null,
  less: null,
  lessEqual: null,
  greater: null,
  greaterEqual: null,
};

/**
 * Applies a binary primitive with NumPy broadcasting. Numbers become scalars of the tensor's
 * dtype; mixed dtypes promote (int32 < float32 < float64). The gradient comes back in the
 * output's shape and the tape walker sums it to each operand's shape.
 */
export function binary(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  const [x, y, owned] = operands(op, a, b);
  const backend = x.backend;
  const shape = shapesEqual(x.shape, y.shape) ? x.shape : broadcastShapes(op, x.shape, y.shape);
  const xv = x.view(op);
  const yv = y.view(op);
  const storage = backend.binary(
    op,
    shapesEqual(x.shape, shape) ? xv : { storage: xv.storage, layout: broadcastLayout(xv.layout, shape) },
    shapesEqual(y.shape, shape) ? yv : { storage: yv.storage, layout: broadcastLayout(yv.layout, shape) },
  );
  const out = wrap(storage, shape, backend);
  const gradient = binaryGradients[op];
  if (gradient) record(op, out, [x, y], (dy, needs) => gradient(x, y, out, dy, needs));
  // Scalars and casts made here: a recorded graph keeps them alive for as long as it needs them.
  for (const t of owned) t.dispose();
  return out;
}

/** Brings two operands to tensors of one dtype on one backend. */
function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor, Tensor[]] {
  const owned: Tensor[] = [];
  if (typeof a === 'number' && typeof b === 'number')
    throw new Error(`${op}: at least one operand must be a tensor`);
  let x: Tensor;
  let y: Tensor;
  if (typeof a === 'number') {
    y = b as Tensor;
    x = scalarOn(a, numberDType(a, y.dtype), y.backend);
    owned.push(x);
  } else if (typeof b === 'number') {
    x = a;
    y = scalarOn(b, numberDType(b, x.dtype), x.backend);
    owned.push(y);
  } else {
    x = a;
    y = b;
    backendOf(op, x, y);
  }
  let dtype = promote(x.dtype, y.dtype);
  if (op === 'div' && dtype === 'int32') dtype = 'float32';
  if (x.dtype !== dtype) {
    x = cast(x, dtype);
    owned.push(x);
  }
  if (y.dtype !== dtype) {
    y = cast(y, dtype);
    owned.push(y);
  }
  return [x, y, owned];
}

function toFloat(x: Tensor): Tensor {
  return x.dtype === 'int32' ? cast(x, 'float32') : x;
}

/** cond ? a : b elementwise, broadcasting all three; cond is nonzero-true. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const backend = cond.backend;
  const like = typeof a !== 'number' ? a : typeof b !== 'number' ? b : cond;
  const dtype =
    like.dtype === 'int32' && (!Number.isInteger(a) || !Number.isInteger(b)) ? 'float32' : like.dtype;
  const owned: Tensor[] = [];
  const asTensor = (v: TensorLike): Tensor => {
    if (typeof v !== 'number') return v.dtype === dtype ? v : (owned.push(cast(v, dtype)), owned.at(-1)!);
    const s = scalarOn(v, dtype, backend);
    owned.push(s);
    return s;
  };
  const x = asTensor(a);
  const y = asTensor(b);
  backendOf('where', cond, x, y);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, x.shape), y.shape);
  const at = (t: Tensor) => ({ storage: t.view('where').storage, layout: broadcastLayout(t.layout, shape) });
  const out = wrap(backend.where(at(cond), at(x), at(y)), shape, backend);
  record('where', out, [cond, x, y], (dy, needs) => [
    null,
    needs[1] ? where(cond, dy, 0) : null,
    needs[2] ? where(cond, 0, dy) : null,
  ]);
  for (const t of owned) t.dispose();
  return out;
}

export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b);
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary('pow', a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('maximum', a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('minimum', a, b);
export const equal = (a: TensorLike, b: TensorLike): Tensor => binary('equal', a, b);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binary('notEqual', a, b);
export const less = (a: TensorLike, b: TensorLike): Tensor => binary('less', a, b);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binary('lessEqual', a, b);
export const greater = (a: TensorLike, b: TensorLike): Tensor => binary('greater', a, b);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binary('greaterEqual', a, b);

export const neg = (x: Tensor): Tensor => unary('neg', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const sign = (x: Tensor): Tensor => unary('sign', x);
export const square = (x: Tensor): Tensor => unary('square', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const sin = (x: Tensor): Tensor => unary('sin', x);
export const cos = (x: Tensor): Tensor => unary('cos', x);
export const floor = (x: Tensor): Tensor => unary('floor', x);
/** max(x, 0) */
export const relu = (x: Tensor): Tensor => unary('relu', x);
/** 1 where x > 0, else 0 (the Heaviside step; zero gradient). */
export const step = (x: Tensor): Tensor => unary('step', x);
/** 1 / (1 + e^-x) */
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
/** log(1 + e^x) */
export const softplus = (x: Tensor): Tensor => unary('softplus', x);
/** x if x > 0 else alpha·(e^x − 1); alpha defaults to 1. */
export const elu = (x: Tensor, alpha = 1): Tensor => unary('elu', x, alpha);
/** scale·elu(x, α) with the self-normalising constants α ≈ 1.6733, scale ≈ 1.0507. */
export const selu = (x: Tensor): Tensor => unary('selu', x);
/** x if x > 0 else alpha·x; alpha defaults to 0.2 (Keras's default). */
export const leakyRelu = (x: Tensor, alpha = 0.2): Tensor => unary('leakyRelu', x, alpha);

/** Limits values to [min, max]; the gradient passes where x is inside. */
export function clamp(x: Tensor, min: number, max: number): Tensor {
  if (min > max) throw new Error(`clamp: min ${min} is greater than max ${max}`);
  const lower = maximum(x, min);
  const out = minimum(lower, max);
  lower.dispose();
  return out;
}
