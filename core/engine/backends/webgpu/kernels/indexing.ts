/**
 * gather and scatterAdd along one axis, over strided inputs.
 *
 * scatterAdd has no float atomics to lean on (WGSL has none), so it gathers instead: one
 * thread per output element walks the indices in order and adds the updates that land on it.
 * Indices are staged through workgroup memory, 256 at a time. The result is deterministic and
 * sums in the same order as the CPU backend; the cost is outputs × indices comparisons, fine
 * for the sizes the engine uses (embedding/gather gradients) but quadratic in the worst case.
 *
 * Out-of-range indices cannot throw on the GPU (that would need a read-back): gather yields 0
 * for them and scatterAdd skips them. The CPU backend throws a RangeError.
 */
import type { ByteRowLayout, View } from '../../backend.js';
import { collapseLayouts } from '../layouts.js';
import { wgslType, type Program } from '../program.js';
import type { GPUStorage } from '../storage.js';

function collapsed(view: View) {
  return collapseLayouts(view.layout.shape, [view.layout]).layouts[0]!;
}

export function gatherProgram(x: View, indices: View, axis: number, out: GPUStorage): Program {
  const shape = x.layout.shape;
  const outer = shape.slice(0, axis).reduce((n, d) => n * d, 1);
  const inner = shape.slice(axis + 1).reduce((n, d) => n * d, 1);
  const count = indices.layout.shape.reduce((n, d) => n * d, 1);
  const t = wgslType(x.storage.dtype);
  return {
    key: 'gather',
    workgroupSize: [256, 1, 1],
    dispatch: { threads: outer * count * inner },
    bindings: [
      { name: 'out', storage: out, access: 'read_write' },
      { name: 'x', storage: x.storage as GPUStorage, access: 'read', layout: collapsed(x) },
      { name: 'idx', storage: indices.storage as GPUStorage, access: 'read', layout: collapsed(indices) },
    ],
    uniforms: [
      { name: 'size', type: 'i32', value: shape[axis]! },
      { name: 'count', type: 'u32', value: count },
      { name: 'inner', type: 'u32', value: inner },
    ],
    body: `
fn kernel(inv: Invocation) {
  let o = inv.index;
  if (o >= u.threads) { return; }
  let j = o % u.inner;
  let k = (o / u.inner) % u.count;
  let a = o / (u.inner * u.count);
  let s = idx_get(k);
  var v = ${t}(0);
  if (s >= 0 && s < u.size) { v = x_get((a * u32(u.size) + u32(s)) * u.inner + j); }
  out[o] = v;
}`,
  };
}

const SCATTER_WG = 256;

export function scatterAddProgram(
  updates: View,
  indices: View,
  axis: number,
  outShape: readonly number[],
  out: GPUStorage,
): Program {
  const outer = outShape.slice(0, axis).reduce((n, d) => n * d, 1);
  const inner = outShape.slice(axis + 1).reduce((n, d) => n * d, 1);
  const size = outShape[axis]!;
  const count = indices.layout.shape.reduce((n, d) => n * d, 1);
  const t = wgslType(updates.storage.dtype);
  return {
    key: 'scatterAdd',
    workgroupSize: [SCATTER_WG, 1, 1],
    dispatch: { threads: outer * size * inner },
    bindings: [
      { name: 'out', storage: out, access: 'read_write' },
      { name: 'upd', storage: updates.storage as GPUStorage, access: 'read', layout: collapsed(updates) },
      { name: 'idx', storage: indices.storage as GPUStorage, access: 'read', layout: collapsed(indices) },
    ],
    uniforms: [
      { name: 'size', type: 'u32', value: size },
      { name: 'count', type: 'u32', value: count },
      { name: 'inner', type: 'u32', value: inner },
    ],
    body: `
var<workgroup> staged: array<i32, ${SCATTER_WG}>;
fn kernel(inv: Invocation) {
  // No early return: every thread takes part in the staging barriers.
  let o = inv.index;
  let inRange = o < u.threads;
  let j = o % u.inner;
  let s = i32((o / u.inner) % u.size);
  let a = o / (u.inner * u.size);
  var acc = ${t}(0);
  for (var k0 = 0u; k0 < u.count; k0 += ${SCATTER_WG}u) {
    let k = k0 + inv.local;
    staged[inv.local] = select(-1, idx_get(min(k, u.count - 1u)), k < u.count);
    workgroupBarrier();
    let n = min(${SCATTER_WG}u, u.count - k0);
    if (inRange) {
      for (var q = 0u; q < n; q++) {
        if (staged[q] == s) { acc += upd_get((a * u.count + k0 + q) * u.inner + j); }
      }
    }
    workgroupBarrier();
  }
  if (inRange) { out[o] = acc; }
}`,
  };
}

/**
 * Rows of a uint8 dataset packed four bytes per i32 (Backend.gatherBytes): one thread per
 * output value unpacks its byte and scales it, so images stay a quarter of their float size
 * on the device and a batch is gathered and converted in one pass.
 */
export function gatherBytesProgram(
  packed: GPUStorage,
  at: ByteRowLayout,
  indices: View,
  scale: number,
  shift: number,
  out: GPUStorage,
): Program {
  const count = indices.layout.shape.reduce((n, d) => n * d, 1);
  return {
    key: 'gather-bytes',
    workgroupSize: [256, 1, 1],
    dispatch: { threads: count * at.rowLength },
    bindings: [
      { name: 'out', storage: out, access: 'read_write' },
      { name: 'words', storage: packed, access: 'read' },
      { name: 'idx', storage: indices.storage as GPUStorage, access: 'read', layout: collapsed(indices) },
    ],
    uniforms: [
      { name: 'byteOffset', type: 'u32', value: at.byteOffset },
      { name: 'rows', type: 'i32', value: at.rows },
      { name: 'rowLength', type: 'u32', value: at.rowLength },
      { name: 'scale', type: 'f32', value: scale },
      { name: 'shift', type: 'f32', value: shift },
    ],
    body: `
fn kernel(inv: Invocation) {
  let o = inv.index;
  if (o >= u.threads) { return; }
  let row = idx_get(o / u.rowLength);
  var v = 0u;
  if (row >= 0 && row < u.rows) {
    let byte = u.byteOffset + u32(row) * u.rowLength + o % u.rowLength;
    v = (bitcast<u32>(words[byte / 4u]) >> ((byte % 4u) * 8u)) & 0xffu;
  }
  out[o] = f32(v) * u.scale + u.shift;
}`,
  };
}
