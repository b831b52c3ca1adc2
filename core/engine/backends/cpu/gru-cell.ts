/**
 * The CPU's fused GRU step (Backend.gruCell and gruCellGrad, Keras's reset-after variant): one
 * pass over a step's [B, U] values instead of the dozen small elementwise ops forward and two
 * dozen backward the composed step takes. Float32 forward passes run in the native addon when
 * it was built (native/src/recurrent_cells.cc, vectorised sigmoid and tanh); otherwise, and for
 * float64 (gradient checks), values are computed here in double and rounded once on store.
 */
import type { TypedArray } from '../../tensor/dtype.js';
import { allFloat32, at, sigmoid, viewArgs, type Matrix } from './cell-math.js';
import { loadNativeKernels } from './native-loader.js';

const native = loadNativeKernels();

/** out [B, U] = h′ and gates [B, 3U] = z | r | h̃. */
export function gruCellKernel(
  out: TypedArray,
  gates: TypedArray,
  x: Matrix,
  rec: Matrix,
  h: Matrix,
  batch: number,
  units: number,
): void {
  if (native && allFloat32(out, gates, x, rec, h)) {
    const args = [...viewArgs(x), ...viewArgs(rec), ...viewArgs(h)] as const;
    native.gruCellForward(out as Float32Array, gates as Float32Array, ...args, batch, units);
  } else {
    gruCellTypescript(out, gates, x, rec, h, batch, units);
  }
}

/** The forward pass in double precision, for float64 and machines without the addon. */
export function gruCellTypescript(
  out: TypedArray,
  gates: TypedArray,
  x: Matrix,
  rec: Matrix,
  h: Matrix,
  batch: number,
  units: number,
): void {
  const U = units;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < U; j++) {
      const z = sigmoid(at(x, b, j) + at(rec, b, j));
      const r = sigmoid(at(x, b, U + j) + at(rec, b, U + j));
      const candidate = Math.tanh(at(x, b, 2 * U + j) + r * at(rec, b, 2 * U + j));
      out[b * U + j] = z * at(h, b, j) + (1 - z) * candidate;
      gates[b * 3 * U + j] = z;
      gates[b * 3 * U + U + j] = r;
      gates[b * 3 * U + 2 * U + j] = candidate;
    }
  }
}

/** dx and dRec [B, 3U] and dh [B, U] (see Backend.gruCellGrad). */
export function gruCellGradKernel(
  dx: TypedArray,
  dRec: TypedArray,
  dh: TypedArray,
  gates: Matrix,
  rec: Matrix,
  h: Matrix,
  dOut: Matrix,
  batch: number,
  units: number,
): void {
  const U = units;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < U; j++) {
      const z = at(gates, b, j);
      const r = at(gates, b, U + j);
      const candidate = at(gates, b, 2 * U + j);
      const d = at(dOut, b, j);
      const a = d * (at(h, b, j) - candidate) * z * (1 - z);
      const c = d * (1 - z) * (1 - candidate * candidate);
      const rb = c * at(rec, b, 2 * U + j) * r * (1 - r);
      const row = b * 3 * U;
      dx[row + j] = a;
      dx[row + U + j] = rb;
      dx[row + 2 * U + j] = c;
      dRec[row + j] = a;
      dRec[row + U + j] = rb;
      dRec[row + 2 * U + j] = c * r;
      dh[b * U + j] = d * z;
    }
  }
}
