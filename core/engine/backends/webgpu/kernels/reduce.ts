/**
 * Reductions. The input view is split (metadata only) into a "kept" layout over the output's
 * dimensions and a "reduced" layout over the reduced ones, each collapsed to its smallest
 * rank. Short reductions run one thread per output; long ones one workgroup per output (or
 * per chunk of an output, then a second pass over the chunks) with a tree in workgroup memory.
 */
import type { ReduceOp, View } from '../../backend.js';
import type { DType } from '../../../tensor/dtype.js';
import type { Layout } from '../../../tensor/layout.js';
import { collapseLayouts } from '../layouts.js';
import { wgslType, type Program } from '../program.js';
import type { GPUStorage } from '../storage.js';

/** Reductions at least this long get a workgroup per output. */
const WORKGROUP_REDUCTION_MIN = 256;
const REDUCE_WORKGROUP = 256;
/** Elements one workgroup folds before outputs are split into chunks (few outputs only). */
const CHUNK = 8192;

export interface ReducePlan {
  readonly kept: Layout;
  readonly reduced: Layout;
  readonly outputs: number;
  readonly reducedSize: number;
}

/** Splits a view into kept and reduced layouts (both collapsed); `kept` carries the offset. */
export function planReduction(layout: Layout, axes: readonly number[]): ReducePlan {
  const keptDims = layout.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const pick = (dims: readonly number[], offset: number): Layout => ({
    shape: dims.map((d) => layout.shape[d]!),
    strides: dims.map((d) => layout.strides[d]!),
    offset,
  });
  const kept = pick(keptDims, layout.offset);
  const reduced = pick(axes, 0);
  return {
    kept: collapseLayouts(kept.shape, [kept]).layouts[0]!,
    reduced: collapseLayouts(reduced.shape, [reduced]).layouts[0]!,
    outputs: kept.shape.reduce((n, d) => n * d, 1),
    reducedSize: reduced.shape.reduce((n, d) => n * d, 1),
  };
}

/** WGSL for the identity and combine step of `op` on values of type `t`. */
function monoid(op: ReduceOp, t: 'f32' | 'i32'): { identity: string; combine: string } {
  if (t === 'i32') {
    const identity = { sum: '0', prod: '1', max: '(-2147483647 - 1)', min: '2147483647' }[op];
    const combine = { sum: 'a + b', prod: 'a * b', max: 'max(a, b)', min: 'min(a, b)' }[op];
    return { identity, combine };
  }
  switch (op) {
    case 'sum':
      return { identity: '0.0', combine: 'a + b' };
    case 'prod':
      return { identity: '1.0', combine: 'a * b' };
    case 'max':
      return {
        identity: '-inf_f32()',
        combine: 'select(select(a, b, b > a), nan_f32(), is_nan(a) || is_nan(b))',
      };
    case 'min':
      return {
        identity: 'inf_f32()',
        combine: 'select(select(a, b, b < a), nan_f32(), is_nan(a) || is_nan(b))',
      };
  }
}

/** The value an empty reduction gives: sum 0, prod 1, max/min NaN (0 in int32). */
export function emptyReductionValue(op: ReduceOp, dtype: DType): number {
  if (op === 'sum') return 0;
  if (op === 'prod') return 1;
  return dtype === 'int32' ? 0 : Number.NaN;
}

/**
 * The programs reducing `x` into `out` (one, or two with an intermediate `partials` storage
 * the caller allocates from `partialSize`).
 */
export function reducePrograms(
  op: ReduceOp,
  x: View,
  plan: ReducePlan,
  out: GPUStorage,
  allocate: (size: number) => GPUStorage,
): { programs: Program[]; temporaries: GPUStorage[] } {
  const { outputs, reducedSize } = plan;
  if (reducedSize < WORKGROUP_REDUCTION_MIN) {
    return { programs: [threadPerOutput(op, x.storage as GPUStorage, plan, out)], temporaries: [] };
  }
  const chunks = outputs < 64 && reducedSize > 2 * CHUNK ? Math.ceil(reducedSize / CHUNK) : 1;
  if (chunks === 1) {
    return {
      programs: [workgroupPerOutput(op, x.storage as GPUStorage, plan, out, 1, reducedSize)],
      temporaries: [],
    };
  }
  const partials = allocate(outputs * chunks);
  const first = workgroupPerOutput(op, x.storage as GPUStorage, plan, partials, chunks, CHUNK);
  const second: ReducePlan = {
    kept: { shape: [outputs], strides: [chunks], offset: 0 },
    reduced: { shape: [chunks], strides: [1], offset: 0 },
    outputs,
    reducedSize: chunks,
  };
  const finish =
    chunks < WORKGROUP_REDUCTION_MIN
      ? threadPerOutput(op, partials, second, out)
      : workgroupPerOutput(op, partials, second, out, 1, chunks);
  return { programs: [first, finish], temporaries: [partials] };
}

function threadPerOutput(op: ReduceOp, x: GPUStorage, plan: ReducePlan, out: GPUStorage): Program {
  const t = wgslType(x.dtype);
  const { identity, combine } = monoid(op, t);
  return {
    key: `reduce-thread:${op}`,
    workgroupSize: [64, 1, 1],
    dispatch: { threads: plan.outputs },
    bindings: [
      { name: 'out', storage: out, access: 'read_write' },
      { name: 'x', storage: x, access: 'read' },
    ],
    uniforms: [{ name: 'reduced', type: 'u32', value: plan.reducedSize }],
    layouts: [
      { name: 'kept', layout: plan.kept },
      { name: 'red', layout: plan.reduced },
    ],
    body: `
fn combine(a: ${t}, b: ${t}) -> ${t} { return ${combine}; }
fn kernel(inv: Invocation) {
  let o = inv.index;
  if (o >= u.threads) { return; }
  let base = kept_at(o);
  var acc: ${t} = ${identity};
  for (var r = 0u; r < u.reduced; r++) { acc = combine(acc, x[base + red_at(r)]); }
  out[o] = acc;
}`,
  };
}

/** Output row g = output·chunks + chunk folds reduced positions [chunk·chunkSize, +chunkSize). */
function workgroupPerOutput(
  op: ReduceOp,
  x: GPUStorage,
  plan: ReducePlan,
  out: GPUStorage,
  chunks: number,
  chunkSize: number,
): Program {
  const t = wgslType(x.dtype);
  const { identity, combine } = monoid(op, t);
  const wg = REDUCE_WORKGROUP;
  return {
    key: `reduce-workgroup:${op}`,
    workgroupSize: [wg, 1, 1],
    dispatch: { threads: plan.outputs * chunks * wg },
    bindings: [
      { name: 'out', storage: out, access: 'read_write' },
      { name: 'x', storage: x, access: 'read' },
    ],
    uniforms: [
      { name: 'reduced', type: 'u32', value: plan.reducedSize },
      { name: 'rows', type: 'u32', value: plan.outputs * chunks },
      { name: 'chunks', type: 'u32', value: chunks },
      { name: 'chunk', type: 'u32', value: chunkSize },
    ],
    layouts: [
      { name: 'kept', layout: plan.kept },
      { name: 'red', layout: plan.reduced },
    ],
    body: `
var<workgroup> partial: array<${t}, ${wg}>;
fn combine(a: ${t}, b: ${t}) -> ${t} { return ${combine}; }
fn kernel(inv: Invocation) {
  let row = inv.group;
  let valid = row < u.rows;
  var acc: ${t} = ${identity};
  if (valid) {
    let base = kept_at(row / u.chunks);
    let start = (row % u.chunks) * u.chunk;
    let end = min(start + u.chunk, u.reduced);
    for (var r = start + inv.local; r < end; r += ${wg}u) { acc = combine(acc, x[base + red_at(r)]); }
  }
  partial[inv.local] = acc;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    if (inv.local < s) { partial[inv.local] = combine(partial[inv.local], partial[inv.local + s]); }
    workgroupBarrier();
  }
  if (valid && inv.local == 0u) { out[row] = partial[0]; }
}`,
  };
}

/** argmax/argmin along one axis: the first best index; a NaN wins at its first position. */
export function argReduceProgram(op: 'argmax' | 'argmin', x: View, axis: number, out: GPUStorage): Program {
  const plan = planReduction(x.layout, [axis]);
  const t = wgslType(x.storage.dtype);
  const better = op === 'argmax' ? 'v > best' : 'v < best';
  const nanCheck = t === 'f32';
  return {
    key: `argreduce:${op}`,
    workgroupSize: [64, 1, 1],
    dispatch: { threads: plan.outputs },
    bindings: [
      { name: 'out', storage: out, access: 'read_write' },
      { name: 'x', storage: x.storage as GPUStorage, access: 'read' },
    ],
    uniforms: [
      { name: 'n', type: 'u32', value: x.layout.shape[axis]! },
      { name: 'stride', type: 'i32', value: x.layout.strides[axis]! },
    ],
    layouts: [{ name: 'kept', layout: plan.kept }],
    body: `
fn kernel(inv: Invocation) {
  let o = inv.index;
  if (o >= u.threads) { return; }
  if (u.n == 0u) { out[o] = 0; return; }
  var at = kept_at(o);
  var best = x[at];
  var index = 0u;
  ${nanCheck ? 'if (is_nan(best)) { out[o] = 0; return; }' : ''}
  for (var j = 1u; j < u.n; j++) {
    at += u.stride;
    let v = x[at];
    ${nanCheck ? 'if (is_nan(v)) { index = j; break; }' : ''}
    if (${better}) { best = v; index = j; }
  }
  out[o] = i32(index);
}`,
  };
}

/** Softmax (or log-softmax) along the last axis: one workgroup per row, max-subtracted. */
export function softmaxProgram(x: View, log: boolean, out: GPUStorage): Program {
  const rank = x.layout.shape.length;
  const n = rank === 0 ? 1 : x.layout.shape[rank - 1]!;
  const stride = rank === 0 ? 0 : x.layout.strides[rank - 1]!;
  const rowShape = x.layout.shape.slice(0, -1);
  const rows = rowShape.reduce((a, d) => a * d, 1);
  const rowLayout = collapseLayouts(rowShape, [
    { shape: rowShape, strides: x.layout.strides.slice(0, -1), offset: x.layout.offset },
  ]).layouts[0]!;
  const wg = n > 1024 ? 256 : 64;
  const finish = log ? 'v - lse' : 'exp(v - m) / total';
  return {
    key: `softmax:${log ? 'log' : 'exp'}`,
    workgroupSize: [wg, 1, 1],
    dispatch: { threads: n === 0 ? 0 : rows * wg },
    bindings: [
      { name: 'out', storage: out, access: 'read_write' },
      { name: 'x', storage: x.storage as GPUStorage, access: 'read' },
    ],
    uniforms: [
      { name: 'n', type: 'u32', value: n },
      { name: 'stride', type: 'i32', value: stride },
      { name: 'rows', type: 'u32', value: rows },
    ],
    layouts: [{ name: 'row', layout: rowLayout }],
    body: `
var<workgroup> partial: array<f32, ${wg}>;
fn max_nan(a: f32, b: f32) -> f32 { return select(select(a, b, b > a), nan_f32(), is_nan(a) || is_nan(b)); }
fn kernel(inv: Invocation) {
  let row = inv.group;
  let valid = row < u.rows;
  var base = 0;
  if (valid) { base = row_at(row); }
  var m = -inf_f32();
  if (valid) {
    for (var j = inv.local; j < u.n; j += ${wg}u) { m = max_nan(m, x[base + i32(j) * u.stride]); }
  }
  partial[inv.local] = m;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    if (inv.local < s) { partial[inv.local] = max_nan(partial[inv.local], partial[inv.local + s]); }
    workgroupBarrier();
  }
  m = partial[0];
  workgroupBarrier();
  var total = 0.0;
  if (valid) {
    for (var j = inv.local; j < u.n; j += ${wg}u) { total += exp(x[base + i32(j) * u.stride] - m); }
  }
  partial[inv.local] = total;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    if (inv.local < s) { partial[inv.local] = partial[inv.local] + partial[inv.local + s]; }
    workgroupBarrier();
  }
  total = partial[0];
  let lse = m + log(total);
  if (valid) {
    for (var j = inv.local; j < u.n; j += ${wg}u) {
      let v = x[base + i32(j) * u.stride];
      out[row * u.n + j] = ${finish};
    }
  }
}`,
  };
}
