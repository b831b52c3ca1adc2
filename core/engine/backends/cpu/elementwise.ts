/**
 * CPU elementwise kernels: one loop template per arity, specialised for each op by a WGSL-like
 * table of JavaScript expressions and compiled once (V8 then inlines the expression). Large
 * float32 work goes to the native addon where it has the op (native-elementwise.ts).
 */
import type { BinaryOp, UnaryOp } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import type { Layout } from '../../tensor/layout.js';
import { nativeBinary, nativeUnary } from './native-elementwise.js';
import { planRows, type RowPlan } from './strided.js';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** `a` is the operand, `p` the op's parameter (alpha for elu and leakyRelu). */
export const unaryExpressions: Record<UnaryOp, string> = {
  neg: '-a',
  abs: 'Math.abs(a)',
  sign: '(a > 0 ? 1 : a < 0 ? -1 : a)',
  square: 'a * a',
  sqrt: 'Math.sqrt(a)',
  reciprocal: '1 / a',
  exp: 'Math.exp(a)',
  log: 'Math.log(a)',
  sin: 'Math.sin(a)',
  cos: 'Math.cos(a)',
  floor: 'Math.floor(a)',
  // relu and step without a data-dependent branch: on activations the sign is a coin flip,
  // and a mispredicted branch per element costs ~4× the arithmetic. (a + |a|)/2 is exact
  // below 1e300; the rare rest (±∞, NaN, huge float64) takes the predictable slow branch.
  relu: '(Math.abs(a) < 1e300 ? (a + Math.abs(a)) * 0.5 : a > 0 ? a : a !== a ? a : 0)',
  step: '(a === a ? +(a > 0) : a)',
  sigmoid: '(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))',
  tanh: 'Math.tanh(a)',
  softplus: '(a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a)))',
  elu: '(a > 0 ? a : p * (Math.exp(a) - 1))',
  selu: `(a > 0 ? ${SELU_SCALE} * a : ${SELU_SCALE * SELU_ALPHA} * (Math.exp(a) - 1))`,
  leakyRelu: '(a > 0 ? a : p * a)',
};

/** `a` and `b` are the operands. maximum/minimum propagate NaN, as NumPy and PyTorch do. */
export const binaryExpressions: Record<BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'Math.pow(a, b)',
  maximum: '(a !== a || b !== b ? NaN : a > b ? a : b)',
  minimum: '(a !== a || b !== b ? NaN : a < b ? a : b)',
  equal: '(a === b ? 1 : 0)',
  notEqual: '(a !== b ? 1 : 0)',
  less: '(a < b ? 1 : 0)',
  lessEqual: '(a <= b ? 1 : 0)',
  greater: '(a > b ? 1 : 0)',
  greaterEqual: '(a >= b ? 1 : 0)',
};

type UnaryLoop = (
  o: TypedArray,
  a: TypedArray,
  n: number,
  oi: number,
  ai: number,
  as: number,
  p: number,
) => void;
type BinaryLoop = (
  o: TypedArray,
  a: TypedArray,
  b: TypedArray,
  n: number,
  oi: number,
  ai: number,
  as: number,
  bi: number,
  bs: number,
) => void;

const unaryLoops = new Map<string, UnaryLoop>();
const binaryLoops = new Map<string, BinaryLoop>();

function unaryLoop(expression: string): UnaryLoop {
  let loop = unaryLoops.get(expression);
  if (!loop) {
    loop = new Function(
      'o',
      'x',
      'n',
      'oi',
      'ai',
      'as',
      'p',
      `for (let j = 0; j < n; j++) { const a = x[ai]; o[oi + j] = ${expression}; ai += as; }`,
    ) as UnaryLoop;
    unaryLoops.set(expression, loop);
  }
  return loop;
}

function binaryLoop(expression: string): BinaryLoop {
  let loop = binaryLoops.get(expression);
  if (!loop) {
    loop = new Function(
      'o',
      'x',
      'y',
      'n',
      'oi',
      'ai',
      'as',
      'bi',
      'bs',
      `for (let j = 0; j < n; j++) { const a = x[ai]; const b = y[bi]; o[oi + j] = ${expression}; ai += as; bi += bs; }`,
    ) as BinaryLoop;
    binaryLoops.set(expression, loop);
  }
  return loop;
}

/** out (contiguous) = op(x) over a strided view: native when it can, else TypeScript. */
export function unaryKernel(
  op: UnaryOp,
  out: TypedArray,
  x: TypedArray,
  layout: Layout,
  param: number,
): void {
  if (out.length === 0) return;
  const plan = planRows(layout.shape, [layout]);
  if (!nativeUnary(op, out, x, plan, param)) unaryRows(unaryExpressions[op], out, x, plan, param);
}

/** out (contiguous) = op(a, b) over two views of the output's shape: native when it can. */
export function binaryKernel(
  op: BinaryOp,
  out: TypedArray,
  a: TypedArray,
  aLayout: Layout,
  b: TypedArray,
  bLayout: Layout,
): void {
  if (out.length === 0) return;
  const plan = planRows(aLayout.shape, [aLayout, bLayout]);
  if (!nativeBinary(op, out, a, b, plan)) binaryRows(binaryExpressions[op], out, a, b, plan);
}

/** out (contiguous) = expression(x) over a strided view, in TypeScript. */
export function mapUnary(
  expression: string,
  out: TypedArray,
  x: TypedArray,
  layout: Layout,
  param: number,
): void {
  if (out.length === 0) return;
  unaryRows(expression, out, x, planRows(layout.shape, [layout]), param);
}

function unaryRows(expression: string, out: TypedArray, x: TypedArray, plan: RowPlan, param: number): void {
  const loop = unaryLoop(expression);
  const offsets = plan.offsets[0]!;
  const stride = plan.innerStrides[0]!;
  for (let r = 0; r < plan.rows; r++) loop(out, x, plan.inner, r * plan.inner, offsets[r]!, stride, param);
}

/** out (contiguous) = expression(a, b) over two views of the output's shape, in TypeScript. */
export function mapBinary(
  expression: string,
  out: TypedArray,
  a: TypedArray,
  aLayout: Layout,
  b: TypedArray,
  bLayout: Layout,
): void {
  if (out.length === 0) return;
  binaryRows(expression, out, a, b, planRows(aLayout.shape, [aLayout, bLayout]));
}

function binaryRows(expression: string, out: TypedArray, a: TypedArray, b: TypedArray, plan: RowPlan): void {
  const loop = binaryLoop(expression);
  const [ao, bo] = plan.offsets as [Int32Array, Int32Array];
  const [as, bs] = plan.innerStrides as [number, number];
  for (let r = 0; r < plan.rows; r++) loop(out, a, b, plan.inner, r * plan.inner, ao[r]!, as, bo[r]!, bs);
}

/** out (contiguous) = cond != 0 ? a : b. */
export function mapWhere(
  out: TypedArray,
  cond: TypedArray,
  condLayout: Layout,
  a: TypedArray,
  aLayout: Layout,
  b: TypedArray,
  bLayout: Layout,
): void {
  if (out.length === 0) return;
  const plan = planRows(aLayout.shape, [condLayout, aLayout, bLayout]);
  const [co, ao, bo] = plan.offsets as [Int32Array, Int32Array, Int32Array];
  const [cs, as, bs] = plan.innerStrides as [number, number, number];
  const n = plan.inner;
  for (let r = 0; r < plan.rows; r++) {
    let ci = co[r]!;
    let ai = ao[r]!;
    let bi = bo[r]!;
    const oi = r * n;
    for (let j = 0; j < n; j++) {
      out[oi + j] = cond[ci]! !== 0 ? a[ai]! : b[bi]!;
      ci += cs;
      ai += as;
      bi += bs;
    }
  }
}

/** Copies a strided source view into a strided destination layout of the same shape. */
export function copyStrided(dst: TypedArray, dstLayout: Layout, src: TypedArray, srcLayout: Layout): void {
  let size = 1;
  for (const d of dstLayout.shape) size *= d;
  if (size === 0) return;
  const plan = planRows(dstLayout.shape, [dstLayout, srcLayout]);
  const [dOff, sOff] = plan.offsets as [Int32Array, Int32Array];
  const [ds, ss] = plan.innerStrides as [number, number];
  const n = plan.inner;
  // set() of a subarray pays for an object per row: worth it for long rows only.
  if (ds === 1 && ss === 1 && dst.constructor === src.constructor && n >= 256) {
    for (let r = 0; r < plan.rows; r++) dst.set(src.subarray(sOff[r]!, sOff[r]! + n), dOff[r]!);
    return;
  }
  for (let r = 0; r < plan.rows; r++) {
    let di = dOff[r]!;
    let si = sOff[r]!;
    for (let j = 0; j < n; j++) {
      dst[di] = src[si]!;
      di += ds;
      si += ss;
    }
  }
}
