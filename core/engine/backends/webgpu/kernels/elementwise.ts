/**
 * Elementwise kernels: ONE template (`elementwiseProgram`) over any number of strided inputs,
 * specialised by a WGSL expression. Unary and binary ops are rows in the tables below; copy
 * (with cast), write (strided destination), where and fill are the same template.
 *
 * Types follow the CPU backend: the expression is evaluated in f32 when any operand is float
 * (in i32 only when all are int32 and the op has an exact integer form), and the result is
 * stored in the output's dtype, converting f32 → i32 as an Int32Array store does (truncation,
 * NaN/±Inf → 0).
 */
import type { BinaryOp, UnaryOp, View } from '../../backend.js';
import type { DType } from '../../../tensor/dtype.js';
import { contiguousStrides, type Layout } from '../../../tensor/layout.js';
import { collapseLayouts } from '../layouts.js';
import { wgslType, type Program, type ProgramBinding, type ProgramUniform } from '../program.js';
import type { GPUStorage } from '../storage.js';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** f32 helpers the float expressions use; included in every elementwise shader. */
export const mathHelpers = `
fn expm1_f32(x: f32) -> f32 {
  // exp(x) - 1 cancels near 0; the Taylor series does not.
  if (abs(x) < 1e-2) { return x + x * x * (0.5 + x * (0.16666667 + x * 0.041666668)); }
  return exp(x) - 1.0;
}
fn log1p_f32(x: f32) -> f32 {
  let v = 1.0 + x;
  if (v == 1.0 || is_inf(v)) { return select(x, v, is_inf(v)); }
  return log(v) * (x / (v - 1.0));
}
fn tanh_f32(x: f32) -> f32 {
  // Some drivers compute tanh as a ratio of exponentials that overflows to NaN.
  if (abs(x) > 4.0) {
    let t = exp(-2.0 * abs(x));
    return sign(x) * (1.0 - t) / (1.0 + t);
  }
  return tanh(x);
}
fn pow_f32(a: f32, b: f32) -> f32 {
  // Math.pow: x^0 = 1 (even NaN^0); negative bases allow integer exponents only.
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  var r = pow(abs(a), b);
  if (a == 0.0) { r = select(0.0, inf_f32(), b < 0.0); }
  let negative = a < 0.0 || (a == 0.0 && bitcast<u32>(a) != 0u);
  if (!negative) { return r; }
  if (floor(b) != b) { return select(nan_f32(), r, a == 0.0 || is_inf(a)); }
  let odd = abs(b) < 16777216.0 && fract(b * 0.5) != 0.0;
  return select(r, -r, odd);
}
fn pow_i32(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) != 0); }
    return 0;
  }
  var result = 1;
  var base = a;
  var e = b;
  loop {
    if (e == 0) { break; }
    if ((e & 1) != 0) { result = result * base; }
    base = base * base;
    e = e >> 1u;
  }
  return result;
}
fn unordered(a: f32, b: f32) -> bool { return is_nan(a) || is_nan(b); }
`;

/** f32 forms: `a` the operand, `p` the parameter (alpha for elu and leakyRelu). */
export const unaryF32: Record<UnaryOp, string> = {
  neg: '-a',
  abs: 'abs(a)',
  sign: 'select(select(a, -1.0, a < 0.0), 1.0, a > 0.0)',
  square: 'a * a',
  sqrt: 'sqrt(a)',
  reciprocal: '1.0 / a',
  exp: 'exp(a)',
  log: 'log(a)',
  sin: 'sin(a)',
  cos: 'cos(a)',
  floor: 'floor(a)',
  relu: 'select(a, 0.0, a < 0.0)',
  step: 'select(select(0.0, a, is_nan(a)), 1.0, a > 0.0)',
  sigmoid: 'select(exp(a) / (1.0 + exp(a)), 1.0 / (1.0 + exp(-a)), a >= 0.0)',
  tanh: 'tanh_f32(a)',
  softplus: 'select(log1p_f32(exp(a)), a + log1p_f32(exp(-a)), a > 0.0)',
  elu: 'select(p * expm1_f32(a), a, a > 0.0)',
  selu: `select(${SELU_SCALE * SELU_ALPHA} * expm1_f32(a), ${SELU_SCALE} * a, a > 0.0)`,
  leakyRelu: 'select(p * a, a, a > 0.0)',
};

/** Exact i32 forms; ops missing here run in f32 and convert back. */
const unaryI32: Partial<Record<UnaryOp, string>> = {
  neg: '-a',
  abs: 'abs(a)',
  sign: 'sign(a)',
  square: 'a * a',
  floor: 'a',
  relu: 'max(a, 0)',
  step: 'select(0, 1, a > 0)',
};

const binaryF32: Record<BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'pow_f32(a, b)',
  // maximum/minimum propagate NaN, as NumPy and PyTorch do.
  maximum: 'select(select(b, a, a > b), nan_f32(), unordered(a, b))',
  minimum: 'select(select(b, a, a < b), nan_f32(), unordered(a, b))',
  // Comparisons spell out NaN so a driver assuming finite math cannot change them.
  equal: 'select(0.0, 1.0, a == b && !unordered(a, b))',
  notEqual: 'select(0.0, 1.0, a != b || unordered(a, b))',
  less: 'select(0.0, 1.0, a < b && !unordered(a, b))',
  lessEqual: 'select(0.0, 1.0, a <= b && !unordered(a, b))',
  greater: 'select(0.0, 1.0, a > b && !unordered(a, b))',
  greaterEqual: 'select(0.0, 1.0, a >= b && !unordered(a, b))',
};

const binaryI32: Record<BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  // x / 0 is ±Inf or NaN in JavaScript, which an Int32Array stores as 0.
  div: 'select(0, a / b, b != 0)',
  pow: 'pow_i32(a, b)',
  maximum: 'max(a, b)',
  minimum: 'min(a, b)',
  equal: 'select(0, 1, a == b)',
  notEqual: 'select(0, 1, a != b)',
  less: 'select(0, 1, a < b)',
  lessEqual: 'select(0, 1, a <= b)',
  greater: 'select(0, 1, a > b)',
  greaterEqual: 'select(0, 1, a >= b)',
};

/** WGSL converting `expr` of type `from` to `to`, as an Int32Array/Float32Array store does. */
export function convert(expr: string, from: 'f32' | 'i32', to: 'f32' | 'i32'): string {
  if (from === to) return expr;
  return to === 'f32' ? `f32(${expr})` : `to_i32(${expr})`;
}

interface ElementwiseInput {
  readonly name: string;
  readonly view: View;
}

/**
 * out[i] = body(inputs at position i), for every position of `shape` (row-major). `compute`
 * is WGSL computing `let result: <type>` from `let NAME = NAME_get(i)` values; the generator
 * takes care of strides, broadcasting and offsets.
 */
export function elementwiseProgram(
  key: string,
  out: GPUStorage,
  shape: readonly number[],
  inputs: readonly ElementwiseInput[],
  compute: string,
  options: { uniforms?: ProgramUniform[]; outLayout?: Layout; outAccess?: 'read_write' } = {},
): Program {
  const outLayout = options.outLayout ?? { shape, strides: contiguousStrides(shape), offset: 0 };
  const strided = options.outLayout !== undefined;
  const collapsed = collapseLayouts(shape, [outLayout, ...inputs.map((x) => x.view.layout)]);
  const threads = shape.reduce((n, d) => n * d, 1);
  const bindings: ProgramBinding[] = [
    {
      name: 'out',
      storage: out,
      access: 'read_write',
      ...(strided ? { layout: collapsed.layouts[0]! } : {}),
    },
    ...inputs.map((x, k) => ({
      name: x.name,
      storage: x.view.storage as GPUStorage,
      access: 'read' as const,
      layout: collapsed.layouts[k + 1]!,
    })),
  ];
  const loads = inputs.map((x) => `  let ${x.name} = ${x.name}_get(i);`).join('\n');
  const target = strided ? 'out[out_at(i)]' : 'out[i]';
  return {
    key: `${key}${strided ? ':strided' : ''}`,
    workgroupSize: [256, 1, 1],
    dispatch: { threads },
    bindings,
    ...(options.uniforms ? { uniforms: options.uniforms } : {}),
    body: `${mathHelpers}
fn kernel(inv: Invocation) {
  let i = inv.index;
  if (i >= u.threads) { return; }
${loads}
${compute}
  ${target} = result;
}`,
  };
}

export function unaryCompute(op: UnaryOp, dtype: DType): string {
  const t = wgslType(dtype);
  const exact = t === 'i32' ? unaryI32[op] : undefined;
  if (exact) return `  let a = x;\n  let result = ${exact};`;
  const a = convert('x', t, 'f32');
  return `  let a = ${a};\n  let p = u.param;\n  let result = ${convert(`(${unaryF32[op]})`, 'f32', t)};`;
}

export function binaryCompute(op: BinaryOp, aType: DType, bType: DType): string {
  const ta = wgslType(aType);
  const tb = wgslType(bType);
  if (ta === 'i32' && tb === 'i32') return `  let a = x;\n  let b = y;\n  let result = ${binaryI32[op]};`;
  return [
    `  let a = ${convert('x', ta, 'f32')};`,
    `  let b = ${convert('y', tb, 'f32')};`,
    `  let result = ${convert(`(${binaryF32[op]})`, 'f32', ta)};`,
  ].join('\n');
}
