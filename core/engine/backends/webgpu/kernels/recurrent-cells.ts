/**
 * Fused recurrent cells on the GPU (Backend.lstmCell, gruCell and their gradients): one
 * dispatch per time step each way, one thread per (batch row, unit), where the composed cell
 * takes about ten dispatches forward and twenty backward — at an RNN's sizes a GPU step is
 * bound by dispatches, not arithmetic. Formulas as in the CPU's lstm-cell.ts and gru-cell.ts.
 * Inputs are strided 2-D views (read through generated index helpers); outputs contiguous.
 */
import type { View } from '../../backend.js';
import type { Program, ProgramBinding } from '../program.js';
import type { GPUStorage } from '../storage.js';
import { mathHelpers } from './elementwise.js';

const WORKGROUP = 64;

const helpers = `
${mathHelpers}
// σ without overflow: e = e^−|v|, σ = 1/(1 + e) for v ≥ 0, e/(1 + e) below.
fn sigmoid_f32(v: f32) -> f32 {
  let e = exp(-abs(v));
  let s = 1.0 / (1.0 + e);
  return select(e * s, s, v >= 0.0);
}`;

function input(name: string, view: View): ProgramBinding {
  return { name, storage: view.storage as GPUStorage, access: 'read', layout: view.layout };
}

function output(name: string, storage: GPUStorage): ProgramBinding {
  return { name, storage, access: 'read_write' };
}

function cellProgram(
  key: string,
  batch: number,
  units: number,
  bindings: ProgramBinding[],
  body: string,
): Program {
  return {
    key,
    workgroupSize: [WORKGROUP, 1, 1],
    dispatch: { threads: batch * units },
    bindings,
    uniforms: [
      { name: 'units', type: 'u32', value: units },
      { name: 'count', type: 'u32', value: batch * units },
    ],
    body: `${helpers}
fn kernel(inv: Invocation) {
  if (inv.index >= u.count) { return; }
  let U = u.units;
  let b = inv.index / U;
  let j = inv.index % U;
${body}
}`,
  };
}

/** out [B, 2U] = h | c′, gates [B, 5U] = i | f | g | o | tanh(c′) from z [B, 4U] and c [B, U]. */
export function lstmCellProgram(z: View, c: View, out: GPUStorage, gates: GPUStorage): Program {
  const [batch, units] = c.layout.shape as [number, number];
  return cellProgram(
    'lstm-cell',
    batch,
    units,
    [output('out', out), output('gates', gates), input('z', z), input('c', c)],
    `
  let zb = b * 4u * U + j;
  let i = sigmoid_f32(z_get(zb));
  let f = sigmoid_f32(z_get(zb + U));
  let g = tanh_f32(z_get(zb + 2u * U));
  let o = sigmoid_f32(z_get(zb + 3u * U));
  let c_next = f * c_get(b * U + j) + i * g;
  let t = tanh_f32(c_next);
  out[b * 2u * U + j] = o * t;
  out[b * 2u * U + U + j] = c_next;
  let gb = b * 5u * U + j;
  gates[gb] = i;
  gates[gb + U] = f;
  gates[gb + 2u * U] = g;
  gates[gb + 3u * U] = o;
  gates[gb + 4u * U] = t;`,
  );
}

/** dz [B, 4U] and dc [B, U] from the saved gates, c and dOut = ∂h | ∂c′. */
export function lstmCellGradProgram(
  gates: View,
  c: View,
  dOut: View,
  dz: GPUStorage,
  dc: GPUStorage,
): Program {
  const [batch, units] = c.layout.shape as [number, number];
  const bindings = [
    output('dz', dz),
    output('dc', dc),
    input('gates', gates),
    input('c', c),
    input('d_out', dOut),
  ];
  return cellProgram(
    'lstm-cell-grad',
    batch,
    units,
    bindings,
    `
  let gb = b * 5u * U + j;
  let i = gates_get(gb);
  let f = gates_get(gb + U);
  let g = gates_get(gb + 2u * U);
  let o = gates_get(gb + 3u * U);
  let t = gates_get(gb + 4u * U);
  let dh = d_out_get(b * 2u * U + j);
  let d = d_out_get(b * 2u * U + U + j) + dh * o * (1.0 - t * t);
  let zb = b * 4u * U + j;
  dz[zb] = d * g * i * (1.0 - i);
  dz[zb + U] = d * c_get(b * U + j) * f * (1.0 - f);
  dz[zb + 2u * U] = d * i * (1.0 - g * g);
  dz[zb + 3u * U] = dh * t * o * (1.0 - o);
  dc[b * U + j] = d * f;`,
  );
}

/** out [B, U] = h′ and gates [B, 3U] = z | r | h̃ from x, rec [B, 3U] and h [B, U]. */
export function gruCellProgram(x: View, rec: View, h: View, out: GPUStorage, gates: GPUStorage): Program {
  const [batch, units] = h.layout.shape as [number, number];
  const bindings = [
    output('out', out),
    output('gates', gates),
    input('x', x),
    input('rec', rec),
    input('h', h),
  ];
  return cellProgram(
    'gru-cell',
    batch,
    units,
    bindings,
    `
  let wb = b * 3u * U + j;
  let z = sigmoid_f32(x_get(wb) + rec_get(wb));
  let r = sigmoid_f32(x_get(wb + U) + rec_get(wb + U));
  let candidate = tanh_f32(x_get(wb + 2u * U) + r * rec_get(wb + 2u * U));
  out[b * U + j] = z * h_get(b * U + j) + (1.0 - z) * candidate;
  gates[wb] = z;
  gates[wb + U] = r;
  gates[wb + 2u * U] = candidate;`,
  );
}

/** dx and dRec [B, 3U] and dh [B, U] from the saved gates, rec, h and dOut [B, U]. */
export function gruCellGradProgram(
  gates: View,
  rec: View,
  h: View,
  dOut: View,
  dx: GPUStorage,
  dRec: GPUStorage,
  dh: GPUStorage,
): Program {
  const [batch, units] = h.layout.shape as [number, number];
  const bindings = [
    output('dx', dx),
    output('d_rec', dRec),
    output('dh', dh),
    input('gates', gates),
    input('rec', rec),
    input('h', h),
    input('d_out', dOut),
  ];
  return cellProgram(
    'gru-cell-grad',
    batch,
    units,
    bindings,
    `
  let wb = b * 3u * U + j;
  let z = gates_get(wb);
  let r = gates_get(wb + U);
  let candidate = gates_get(wb + 2u * U);
  let d = d_out_get(b * U + j);
  let a = d * (h_get(b * U + j) - candidate) * z * (1.0 - z);
  let c = d * (1.0 - z) * (1.0 - candidate * candidate);
  let rb = c * rec_get(wb + 2u * U) * r * (1.0 - r);
  dx[wb] = a;
  dx[wb + U] = rb;
  dx[wb + 2u * U] = c;
  d_rec[wb] = a;
  d_rec[wb + U] = rb;
  d_rec[wb + 2u * U] = c * r;
  dh[b * U + j] = d * z;`,
  );
}
