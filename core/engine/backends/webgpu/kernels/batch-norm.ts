/**
 * Fused batch normalization in training mode (Backend.batchNormTraining and its gradient) for
 * x read as [rows, C], statistics per channel over the rows. Five dispatches forward and three
 * backward, where the composed ops take about twenty-two, each a full pass over memory:
 *
 *   forward:  partial Σx → mean → partial Σ(x − μ)² → variance and f = s·γ → y = (x − μ)·f + β
 *   backward: partial Σdy and Σdy·(x − μ) → ∂β, ∂γ and three per-channel coefficients → ∂x
 *
 * A partial pass runs workgroups of 64 channels × 4 row lanes over a chunk of rows, so the 64
 * threads of a lane read 64 neighbouring floats (coalesced), and many chunks keep a large GPU
 * busy; a finalize pass (one thread per channel) adds the chunks' partials in order.
 */
import type { View } from '../../backend.js';
import type { Program, ProgramBinding, ProgramUniform } from '../program.js';
import type { GPUStorage } from '../storage.js';

const CHANNELS_PER_GROUP = 64;
const ROW_LANES = 4;
const CHUNK_ROWS = 256;
const GRID_LIMIT = 65535;

/** How the rows split into chunks: at most GRID_LIMIT of them. */
export function chunking(rows: number): { chunkRows: number; chunks: number } {
  const chunkRows = Math.max(CHUNK_ROWS, Math.ceil(rows / GRID_LIMIT));
  return { chunkRows, chunks: Math.max(1, Math.ceil(rows / chunkRows)) };
}

function bind(
  name: string,
  source: View | GPUStorage,
  access: 'read' | 'read_write' = 'read',
): ProgramBinding {
  const storage = 'layout' in source ? (source.storage as GPUStorage) : source;
  return { name, storage, access };
}

const offsetOf = (v: View) => v.layout.offset;

export type PartialMode = 'sum' | 'centered-square' | 'grad';

/**
 * Per-chunk, per-channel sums into `partial` ([chunks, C]; grad mode: Σdy in the first
 * chunks·C values, Σdy·(x − μ) in the next). `mean` is needed by the centred modes.
 */
export function partialsProgram(
  mode: PartialMode,
  x: View,
  rows: number,
  channels: number,
  partial: GPUStorage,
  mean?: View,
  dy?: View,
): Program {
  const { chunkRows, chunks } = chunking(rows);
  const bindings = [bind('partial', partial, 'read_write'), bind('x', x)];
  const uniforms: ProgramUniform[] = [
    { name: 'rows', type: 'u32', value: rows },
    { name: 'channels', type: 'u32', value: channels },
    { name: 'chunk_rows', type: 'u32', value: chunkRows },
    { name: 'chunks', type: 'u32', value: chunks },
    { name: 'xo', type: 'i32', value: offsetOf(x) },
  ];
  if (mean) {
    bindings.push(bind('mean', mean));
    uniforms.push({ name: 'mo', type: 'i32', value: offsetOf(mean) });
  }
  if (dy) {
    bindings.push(bind('dy', dy));
    uniforms.push({ name: 'dyo', type: 'i32', value: offsetOf(dy) });
  }
  const grad = mode === 'grad';
  const accumulate =
    mode === 'sum'
      ? 'a += v;'
      : mode === 'centered-square'
        ? 'let d = v - mu; a += d * d;'
        : 'let g = dy[u.dyo + at]; a += g; b += g * (v - mu);';
  const lanes = CHANNELS_PER_GROUP * ROW_LANES;
  return {
    key: `batch-norm-partials:${mode}`,
    workgroupSize: [lanes, 1, 1],
    dispatch: { groups: [Math.ceil(channels / CHANNELS_PER_GROUP), chunks, 1] },
    bindings,
    uniforms,
    body: `
var<workgroup> sum_a: array<f32, ${lanes}>;
${grad ? `var<workgroup> sum_b: array<f32, ${lanes}>;` : ''}
fn kernel(inv: Invocation) {
  let c = inv.wid.x * ${CHANNELS_PER_GROUP}u + inv.local % ${CHANNELS_PER_GROUP}u;
  let lane = inv.local / ${CHANNELS_PER_GROUP}u;
  let chunk = inv.wid.y;
  let valid = c < u.channels;
  var a = 0.0;
  var b = 0.0;
  if (valid) {
    ${mode === 'sum' ? '' : 'let mu = mean[u.mo + i32(c)];'}
    let end = min(u.rows, (chunk + 1u) * u.chunk_rows);
    for (var r = chunk * u.chunk_rows + lane; r < end; r += ${ROW_LANES}u) {
      let at = i32(r * u.channels + c);
      let v = x[u.xo + at];
      ${accumulate}
    }
  }
  sum_a[inv.local] = a;
  ${grad ? 'sum_b[inv.local] = b;' : ''}
  workgroupBarrier();
  if (lane == 0u && valid) {
    var ta = 0.0;
    var tb = 0.0;
    for (var l = 0u; l < ${ROW_LANES}u; l++) {
      ta += sum_a[l * ${CHANNELS_PER_GROUP}u + inv.local];
      ${grad ? `tb += sum_b[l * ${CHANNELS_PER_GROUP}u + inv.local];` : ''}
    }
    partial[chunk * u.channels + c] = ta;
    ${grad ? 'partial[(u.chunks + chunk) * u.channels + c] = tb;' : ''}
  }
}`,
  };
}

/** mean[c] = Σ partials / rows. */
export function meanProgram(partial: GPUStorage, rows: number, channels: number, mean: GPUStorage): Program {
  return {
    key: 'batch-norm-mean',
    workgroupSize: [64, 1, 1],
    dispatch: { threads: channels },
    bindings: [bind('mean', mean, 'read_write'), bind('partial', partial)],
    uniforms: [
      { name: 'rows', type: 'u32', value: rows },
      { name: 'channels', type: 'u32', value: channels },
      { name: 'chunks', type: 'u32', value: chunking(rows).chunks },
    ],
    body: `
fn kernel(inv: Invocation) {
  let c = inv.index;
  if (c >= u.channels) { return; }
  var total = 0.0;
  for (var k = 0u; k < u.chunks; k++) { total += partial[k * u.channels + c]; }
  mean[c] = total / f32(u.rows);
}`,
  };
}

/** variance[c] = Σ partials / rows, and factor[c] = γ/√(σ² + ε) (γ = 1 when absent). */
export function varianceProgram(
  partial: GPUStorage,
  rows: number,
  channels: number,
  epsilon: number,
  gamma: View | null,
  variance: GPUStorage,
  factor: GPUStorage,
): Program {
  const bindings = [
    bind('variance', variance, 'read_write'),
    bind('factor', factor, 'read_write'),
    bind('partial', partial),
  ];
  const uniforms: ProgramUniform[] = [
    { name: 'rows', type: 'u32', value: rows },
    { name: 'channels', type: 'u32', value: channels },
    { name: 'chunks', type: 'u32', value: chunking(rows).chunks },
    { name: 'epsilon', type: 'f32', value: epsilon },
  ];
  if (gamma) {
    bindings.push(bind('gamma', gamma));
    uniforms.push({ name: 'go', type: 'i32', value: offsetOf(gamma) });
  }
  return {
    key: `batch-norm-variance:${gamma ? 'gamma' : 'plain'}`,
    workgroupSize: [64, 1, 1],
    dispatch: { threads: channels },
    bindings,
    uniforms,
    body: `
fn kernel(inv: Invocation) {
  let c = inv.index;
  if (c >= u.channels) { return; }
  var total = 0.0;
  for (var k = 0u; k < u.chunks; k++) { total += partial[k * u.channels + c]; }
  let v = total / f32(u.rows);
  variance[c] = v;
  let s = 1.0 / sqrt(v + u.epsilon);
  factor[c] = ${gamma ? 's * gamma[u.go + i32(c)]' : 's'};
}`,
  };
}

/** y = (x − μ)·f + β over every element. */
export function applyProgram(
  x: View,
  mean: GPUStorage,
  factor: GPUStorage,
  beta: View | null,
  size: number,
  channels: number,
  y: GPUStorage,
): Program {
  const bindings = [bind('y', y, 'read_write'), bind('x', x), bind('mean', mean), bind('factor', factor)];
  const uniforms: ProgramUniform[] = [
    { name: 'size', type: 'u32', value: size },
    { name: 'channels', type: 'u32', value: channels },
    { name: 'xo', type: 'i32', value: offsetOf(x) },
  ];
  if (beta) {
    bindings.push(bind('beta', beta));
    uniforms.push({ name: 'bo', type: 'i32', value: offsetOf(beta) });
  }
  return {
    key: `batch-norm-apply:${beta ? 'beta' : 'plain'}`,
    workgroupSize: [256, 1, 1],
    dispatch: { threads: size },
    bindings,
    uniforms,
    body: `
fn kernel(inv: Invocation) {
  let i = inv.index;
  if (i >= u.size) { return; }
  let c = i % u.channels;
  y[i] = (x[u.xo + i32(i)] - mean[c]) * factor[c]${beta ? ' + beta[u.bo + i32(c)]' : ''};
}`,
  };
}

/**
 * From the grad-mode partials: ∂β, ∂γ, and coefficients [3, C] = f, f·s²·Σdy(x − μ)/rows and
 * f·∂β/rows (f = s·γ) for the ∂x pass.
 */
export function gradFinalizeProgram(
  partial: GPUStorage,
  variance: View,
  gamma: View | null,
  rows: number,
  channels: number,
  epsilon: number,
  dGamma: GPUStorage,
  dBeta: GPUStorage,
  coefficients: GPUStorage,
): Program {
  const bindings = [
    bind('d_gamma', dGamma, 'read_write'),
    bind('d_beta', dBeta, 'read_write'),
    bind('coef', coefficients, 'read_write'),
    bind('partial', partial),
    bind('variance', variance),
  ];
  const uniforms: ProgramUniform[] = [
    { name: 'rows', type: 'u32', value: rows },
    { name: 'channels', type: 'u32', value: channels },
    { name: 'chunks', type: 'u32', value: chunking(rows).chunks },
    { name: 'epsilon', type: 'f32', value: epsilon },
    { name: 'vo', type: 'i32', value: offsetOf(variance) },
  ];
  if (gamma) {
    bindings.push(bind('gamma', gamma));
    uniforms.push({ name: 'go', type: 'i32', value: offsetOf(gamma) });
  }
  return {
    key: `batch-norm-grad-finalize:${gamma ? 'gamma' : 'plain'}`,
    workgroupSize: [64, 1, 1],
    dispatch: { threads: channels },
    bindings,
    uniforms,
    body: `
fn kernel(inv: Invocation) {
  let c = inv.index;
  if (c >= u.channels) { return; }
  var sum_dy = 0.0;
  var sum_dyc = 0.0;
  for (var k = 0u; k < u.chunks; k++) {
    sum_dy += partial[k * u.channels + c];
    sum_dyc += partial[(u.chunks + k) * u.channels + c];
  }
  let s = 1.0 / sqrt(variance[u.vo + i32(c)] + u.epsilon);
  let f = ${gamma ? 's * gamma[u.go + i32(c)]' : 's'};
  let n = f32(u.rows);
  d_beta[c] = sum_dy;
  d_gamma[c] = sum_dyc * s;
  coef[c] = f;
  coef[u.channels + c] = f * (s * s) * sum_dyc / n;
  coef[2u * u.channels + c] = f * sum_dy / n;
}`,
  };
}

/** ∂x = dy·f − (x − μ)·along − shift over every element. */
export function gradApplyProgram(
  dy: View,
  x: View,
  mean: View,
  coefficients: GPUStorage,
  size: number,
  channels: number,
  dx: GPUStorage,
): Program {
  return {
    key: 'batch-norm-grad-apply',
    workgroupSize: [256, 1, 1],
    dispatch: { threads: size },
    bindings: [
      bind('dx', dx, 'read_write'),
      bind('dy', dy),
      bind('x', x),
      bind('mean', mean),
      bind('coef', coefficients),
    ],
    uniforms: [
      { name: 'size', type: 'u32', value: size },
      { name: 'channels', type: 'u32', value: channels },
      { name: 'dyo', type: 'i32', value: offsetOf(dy) },
      { name: 'xo', type: 'i32', value: offsetOf(x) },
      { name: 'mo', type: 'i32', value: offsetOf(mean) },
    ],
    body: `
fn kernel(inv: Invocation) {
  let i = inv.index;
  if (i >= u.size) { return; }
  let c = i % u.channels;
  let centered = x[u.xo + i32(i)] - mean[u.mo + i32(c)];
  dx[i] = dy[u.dyo + i32(i)] * coef[c] - centered * coef[u.channels + c] - coef[2u * u.channels + c];
}`,
  };
}
