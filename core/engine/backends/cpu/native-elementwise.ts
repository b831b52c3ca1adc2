/**
 * Routes float32 elementwise work and leading-row sums to the native addon when it was built
 * (native/src/elementwise.cc): the same row plans, bit-identical results, several times the
 * speed of the TypeScript loops on large tensors. Each function returns false when it cannot
 * take the call (no addon, another dtype, an op the addon lacks, a small tensor), and the
 * caller runs its TypeScript loop.
 */
import type { BinaryOp, UnaryOp } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { loadNativeKernels } from './native-loader.js';
import type { RowPlan } from './strided.js';

const native = loadNativeKernels();

/**
 * Below this many elements a TypeScript loop beats the addon call's fixed cost (argument
 * checks and the crossing into C++, about a microsecond).
 */
export const NATIVE_ELEMENTWISE_MIN = 512;

function codes(names: readonly string[] | undefined): Map<string, number> {
  return new Map((names ?? []).map((name, code) => [name, code]));
}
const unaryCodes = codes(native?.unaryOps);
const binaryCodes = codes(native?.binaryOps);

/** Whether the addon implements this op (for tests; false without the addon). */
export function hasNativeElementwise(op: UnaryOp | BinaryOp): boolean {
  return unaryCodes.has(op) || binaryCodes.has(op);
}

export function nativeUnary(
  op: UnaryOp,
  out: TypedArray,
  x: TypedArray,
  plan: RowPlan,
  param: number,
  minSize = NATIVE_ELEMENTWISE_MIN,
): boolean {
  const code = unaryCodes.get(op);
  const offsets = plan.offsets[0];
  if (
    !native ||
    code === undefined ||
    out.length < minSize ||
    !(out instanceof Float32Array) ||
    !(x instanceof Float32Array) ||
    !(offsets instanceof Int32Array)
  )
    return false;
  native.mapUnary(code, out, x, offsets, plan.innerStrides[0]!, plan.rows, plan.inner, param);
  return true;
}

export function nativeBinary(
  op: BinaryOp,
  out: TypedArray,
  a: TypedArray,
  b: TypedArray,
  plan: RowPlan,
  minSize = NATIVE_ELEMENTWISE_MIN,
): boolean {
  const code = binaryCodes.get(op);
  const [ao, bo] = plan.offsets;
  if (
    !native ||
    code === undefined ||
    out.length < minSize ||
    !(out instanceof Float32Array) ||
    !(a instanceof Float32Array) ||
    !(b instanceof Float32Array) ||
    !(ao instanceof Int32Array) ||
    !(bo instanceof Int32Array)
  )
    return false;
  const [as, bs] = plan.innerStrides as [number, number];
  native.mapBinary(code, out, a, ao, as, b, bo, bs, plan.rows, plan.inner);
  return true;
}

/** out[c] = Σ_r x[offset + r·width + c] (contiguous rows), when both are float32. */
export function nativeSumLeadingRows(
  out: TypedArray,
  x: TypedArray,
  offset: number,
  rows: number,
  width: number,
  minSize = NATIVE_ELEMENTWISE_MIN,
): boolean {
  if (!native || rows * width < minSize || !(out instanceof Float32Array) || !(x instanceof Float32Array))
    return false;
  native.sumLeadingRows(out, x, offset, rows, width);
  return true;
}
