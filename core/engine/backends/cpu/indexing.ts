/** CPU gather and scatter-add along one axis of contiguous data. */
import type { TypedArray } from '../../tensor/dtype.js';

function checkIndex(op: string, index: number, size: number, position: number): void {
  if (index < 0 || index >= size) {
    throw new RangeError(`${op}: index ${index} at position ${position} is out of range [0, ${size})`);
  }
}

/** x is contiguous [outer, size, inner]; out is [outer, indices.length, inner]. */
export function gatherKernel(
  out: TypedArray,
  x: TypedArray,
  indices: Int32Array,
  outer: number,
  size: number,
  inner: number,
): void {
  const count = indices.length;
  for (let k = 0; k < count; k++) checkIndex('gather', indices[k]!, size, k);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    const base = a * size * inner;
    for (let k = 0; k < count; k++) {
      const start = base + indices[k]! * inner;
      if (inner === 1) out[o++] = x[start]!;
      else {
        out.set(x.subarray(start, start + inner), o);
        o += inner;
      }
    }
  }
}

/** updates is contiguous [outer, indices.length, inner]; out (zeroed) is [outer, size, inner]. */
export function scatterAddKernel(
  out: TypedArray,
  updates: TypedArray,
  indices: Int32Array,
  outer: number,
  size: number,
  inner: number,
): void {
  const count = indices.length;
  for (let k = 0; k < count; k++) checkIndex('scatterAdd', indices[k]!, size, k);
  let u = 0;
  for (let a = 0; a < outer; a++) {
    const base = a * size * inner;
    for (let k = 0; k < count; k++) {
      const start = base + indices[k]! * inner;
      for (let j = 0; j < inner; j++) out[start + j] += updates[u++]!;
    }
  }
}

/**
 * Rows of bytes packed four to an int32 element (little-endian, the host's order on every
 * platform NN Lab runs on) as floats: out[k·L + j] = byte[start + indices[k]·L + j]·scale + shift.
 */
export function gatherBytesKernel(
  out: TypedArray,
  packed: Int32Array,
  byteOffset: number,
  rows: number,
  rowLength: number,
  indices: Int32Array,
  scale: number,
  shift: number,
): void {
  const bytes = new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength);
  for (let k = 0; k < indices.length; k++) {
    const row = indices[k]!;
    checkIndex('gatherBytes', row, rows, k);
    const start = byteOffset + row * rowLength;
    const o = k * rowLength;
    for (let j = 0; j < rowLength; j++) out[o + j] = bytes[start + j]! * scale + shift;
  }
}
