/**
 * Fused softmax cross-entropy (Backend.softmaxCrossEntropy) and its gradient: one dispatch
 * each, instead of the dozen a composed log-softmax · one-hot · sum · mean chain takes.
 *
 *   loss = Σ_c z_c·(lse − x_c),  lse = m + log Σ_k e^{x_k − m}
 *   dx   = dy·(e^{x − lse}·Σ_c z_c − z)
 *
 * Rows of up to ROW_THREAD_MAX classes run one thread per row (a classifier's 10 classes);
 * longer rows run one workgroup per row with tree reductions in workgroup memory (a language
 * model's vocabulary). The gradient recomputes lse rather than keeping it from the forward
 * pass: a row is re-read once, and no tensor has to outlive the forward pass for it.
 */
import type { View } from '../../backend.js';
import type { Layout } from '../../../tensor/layout.js';
import { collapseLayouts } from '../layouts.js';
import type { Program, ProgramBinding, ProgramUniform } from '../program.js';
import type { GPUStorage } from '../storage.js';

const ROW_THREAD_MAX = 128;
const ROW_WORKGROUP = 256;

/** The collapsed layout over a view's dimensions but the last (one position per row). */
function leading(layout: Layout): Layout {
  const shape = layout.shape.slice(0, -1);
  const strides = layout.strides.slice(0, -1);
  return collapseLayouts(shape, [{ shape, strides, offset: layout.offset }]).layouts[0]!;
}

function whole(layout: Layout): Layout {
  return collapseLayouts(layout.shape, [layout]).layouts[0]!;
}

/**
 * The forward (`dy` absent) or gradient program. `out` holds one loss per row, or the
 * gradient in the logits' shape, contiguous.
 */
export function softmaxCrossEntropyProgram(
  logits: View,
  targets: View,
  sparse: boolean,
  out: GPUStorage,
  dy?: View,
): Program {
  const shape = logits.layout.shape;
  const rank = shape.length;
  const n = rank === 0 ? 1 : shape[rank - 1]!;
  const rows = shape.slice(0, -1).reduce((a, d) => a * d, 1);
  const grad = dy !== undefined;
  const perThread = n <= ROW_THREAD_MAX;
  const wg = perThread ? 64 : ROW_WORKGROUP;
  const lastStride = (l: Layout) => (l.shape.length === 0 ? 0 : l.strides[l.shape.length - 1]!);

  const bindings: ProgramBinding[] = [
    { name: 'out', storage: out, access: 'read_write' },
    { name: 'x', storage: logits.storage as GPUStorage, access: 'read' },
    { name: 't', storage: targets.storage as GPUStorage, access: 'read' },
  ];
  const uniforms: ProgramUniform[] = [
    { name: 'n', type: 'u32', value: n },
    { name: 'rows', type: 'u32', value: rows },
    { name: 'xs', type: 'i32', value: lastStride(logits.layout) },
    { name: 'ts', type: 'i32', value: sparse ? 0 : lastStride(targets.layout) },
  ];
  const layouts = [
    { name: 'xrow', layout: leading(logits.layout) },
    { name: 'trow', layout: sparse ? whole(targets.layout) : leading(targets.layout) },
  ];
  if (dy) {
    bindings.push({ name: 'dy', storage: dy.storage as GPUStorage, access: 'read' });
    layouts.push({ name: 'dyat', layout: whole(dy.layout) });
  }

  // Per-thread loops over a row's classes, and how partial results become row results.
  const loop = perThread ? 'for (var j = 0u; j < u.n; j++)' : `for (var j = inv.local; j < u.n; j += ${wg}u)`;
  const rowMax = perThread ? (v: string) => v : (v: string) => `tree_max(inv.local, ${v})`;
  const rowSum = perThread ? (v: string) => v : (v: string) => `tree_sum(inv.local, ${v})`;
  const row = perThread ? 'inv.index' : 'inv.group';
  const first = perThread ? 'valid' : 'valid && inv.local == 0u';

  const target = sparse
    ? `
  var label = -1;
  if (valid) { label = t[trow_at(r)]; }
  let labelOk = label >= 0 && u32(label) < u.n;`
    : '';
  const lossBody = sparse
    ? `
  if (${first}) { out[r] = select(nan_f32(), lse - xv(xb, u32(max(label, 0))), labelOk); }`
    : `
  var part = 0.0;
  if (valid) {
    ${loop} {
      let z = tv(tb, j);
      // 0·(lse − x) is 0 even where x is −∞, as in the limit.
      if (z != 0.0) { part += z * (lse - xv(xb, j)); }
    }
  }
  let loss = ${rowSum('part')};
  if (${first}) { out[r] = loss; }`;
  const gradBody = sparse
    ? `
  if (valid) {
    let scale = dy[dyat_at(r)];
    ${loop} {
      let hit = select(0.0, 1.0, i32(j) == label);
      out[r * u.n + j] = select(nan_f32(), scale * (exp(xv(xb, j) - lse) - hit), labelOk);
    }
  }`
    : `
  var part = 0.0;
  if (valid) { ${loop} { part += tv(tb, j); } }
  let mass = ${rowSum('part')};
  if (valid) {
    let scale = dy[dyat_at(r)];
    ${loop} { out[r * u.n + j] = scale * (exp(xv(xb, j) - lse) * mass - tv(tb, j)); }
  }`;

  const trees = perThread
    ? ''
    : `
var<workgroup> partial: array<f32, ${wg}>;
fn tree_sum(local: u32, v: f32) -> f32 {
  partial[local] = v;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    if (local < s) { partial[local] = partial[local] + partial[local + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}
fn tree_max(local: u32, v: f32) -> f32 {
  partial[local] = v;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    if (local < s) { partial[local] = max_nan(partial[local], partial[local + s]); }
    workgroupBarrier();
  }
  let best = partial[0];
  workgroupBarrier();
  return best;
}`;

  return {
    key: `softmax-xent:${grad ? 'grad' : 'loss'}:${sparse ? 'sparse' : 'soft'}:${perThread ? 'thread' : 'group'}`,
    workgroupSize: [wg, 1, 1],
    dispatch: { threads: perThread ? rows : rows * wg },
    bindings,
    uniforms,
    layouts,
    body: `
fn max_nan(a: f32, b: f32) -> f32 { return select(select(a, b, b > a), nan_f32(), is_nan(a) || is_nan(b)); }
fn xv(base: i32, j: u32) -> f32 { return x[base + i32(j) * u.xs]; }
${sparse ? '' : 'fn tv(base: i32, j: u32) -> f32 { return t[base + i32(j) * u.ts]; }'}
${trees}
fn kernel(inv: Invocation) {
  let r = ${row};
  let valid = r < u.rows;
  var xb = 0;
  var tb = 0;
  if (valid) {
    xb = xrow_at(r);
    ${sparse ? '' : 'tb = trow_at(r);'}
  }
  var m = -inf_f32();
  if (valid) { ${loop} { m = max_nan(m, xv(xb, j)); } }
  m = ${rowMax('m')};
  var total = 0.0;
  if (valid) { ${loop} { total += exp(xv(xb, j) - m); } }
  total = ${rowSum('total')};
  // A row holding NaN or ±Inf: lse is that value (the CPU kernel's rule).
  let lse = select(m + log(total), m, is_nan(m) || is_inf(m));
  ${target}
  ${grad ? gradBody : lossBody}
}`,
  };
}
