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

/** What the grad passes need to recompute the pre-relu value v = (x − μ)·s·γ + β for relu's mask. */
export interface ReluMask {
  readonly variance: View;
  readonly gamma: View | null;
  readonly beta: View | null;
  readonly epsilon: number;
}

/** The engine's relu and step in WGSL: NaN passes through, relu(−0) = +0. */
const reluHelpers = `
fn relu_f32(v: f32) -> f32 { return select(select(0.0, v, v > 0.0), v, is_nan(v)); }
fn step_f32(v: f32) -> f32 { return select(select(0.0, 1.0, v > 0.0), v, is_nan(v)); }`;

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
  mask?: ReluMask,
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
  if (mask) {
    bindings.push(bind('variance', mask.variance));
    uniforms.push({ name: 'vo', type: 'i32', value: offsetOf(mask.variance) });
    uniforms.push({ name: 'epsilon', type: 'f32', value: mask.epsilon });
    if (mask.gamma) {
      bindings.push(bind('gamma', mask.gamma));
      uniforms.push({ name: 'go', type: 'i32', value: offsetOf(mask.gamma) });
    }
    if (mask.beta) {
      bindings.push(bind('beta', mask.beta));
      uniforms.push({ name: 'bo', type: 'i32', value: offsetOf(mask.beta) });
    }
  }
  const grad = mode === 'grad';
  // With a mask, dy is the gradient after a relu: it passes where the pre-relu value is > 0.
  const upstream = mask
    ? `dy[u.dyo + at] * step_f32((v - mu) * f${mask.beta ? ' + beta[u.bo + i32(c)]' : ''})`
    : 'dy[u.dyo + at]';
  const accumulate =
    mode === 'sum'
      ? 'a += v;'
      : mode === 'centered-square'
        ? 'let d = v - mu; a += d * d;'
        : `let g = ${upstream}; a += g; b += g * (v - mu);`;
  const factor = mask
    ? `let f = (1.0 / sqrt(variance[u.vo + i32(c)] + u.epsilon))${mask.gamma ? ' * gamma[u.go + i32(c)]' : ''};`
    : '';
  const lanes = CHANNELS_PER_GROUP * ROW_LANES;
  return {
    key: `batch-norm-partials:${mode}${mask ? `:relu:${mask.gamma ? 'g' : ''}${mask.beta ? 'b' : ''}` : ''}`,
    workgroupSize: [lanes, 1, 1],
    dispatch: { groups: [Math.ceil(channels / CHANNELS_PER_GROUP), chunks, 1] },
    bindings,
    uniforms,
    body: `${mask ? reluHelpers : ''}
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
    ${factor}
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
  relu = false,
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
    key: `batch-norm-apply:${beta ? 'beta' : 'plain'}${relu ? ':relu' : ''}`,
    workgroupSize: [256, 1, 1],
    dispatch: { threads: size },
    bindings,
    uniforms,
    body: `${relu ? reluHelpers : ''}
fn kernel(inv: Invocation) {
  let i = inv.index;
  if (i >= u.size) { return; }
  let c = i % u.channels;
  let v = (x[u.xo + i32(i)] - mean[c]) * factor[c]${beta ? ' + beta[u.bo + i32(c)]' : ''};
  y[i] = ${relu ? 'relu_f32(v)' : 'v'};
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
  relu: { beta: View | null } | null = null,
): Program {
  const bindings = [
    bind('dx', dx, 'read_write'),
    bind('dy', dy),
    bind('x', x),
    bind('mean', mean),
    bind('coef', coefficients),
  ];
  const uniforms: ProgramUniform[] = [
    { name: 'size', type: 'u32', value: size },
    { name: 'channels', type: 'u32', value: channels },
    { name: 'dyo', type: 'i32', value: offsetOf(dy) },
    { name: 'xo', type: 'i32', value: offsetOf(x) },
    { name: 'mo', type: 'i32', value: offsetOf(mean) },
  ];
  const beta = relu?.beta;
  if (beta) {
    bindings.push(bind('beta', beta));
    uniforms.push({ name: 'bo', type: 'i32', value: offsetOf(beta) });
  }
  // After a relu, dy passes only where the pre-relu value (x − μ)·f + β (f = coef[c]) is > 0.
  const upstream = relu
    ? `dy[u.dyo + i32(i)] * step_f32(centered * coef[c]${beta ? ' + beta[u.bo + i32(c)]' : ''})`
    : 'dy[u.dyo + i32(i)]';
  return {
    key: `batch-norm-grad-apply${relu ? `:relu:${beta ? 'b' : ''}` : ''}`,
    workgroupSize: [256, 1, 1],
    dispatch: { threads: size },
    bindings,
    uniforms,
    body: `${relu ? reluHelpers : ''}
fn kernel(inv: Invocation) {
  let i = inv.index;
  if (i >= u.size) { return; }
  let c = i % u.channels;
  let centered = x[u.xo + i32(i)] - mean[u.mo + i32(c)];
  let g = ${upstream};
  dx[i] = g * coef[c] - centered * coef[u.channels + c] - coef[2u * u.channels + c];
}`,
  };
}
