/**
 * The CPU's fused LSTM cell (Backend.lstmCell and lstmCellGrad): one pass over a step's
 * [B, U] values instead of the ten elementwise ops forward and about twenty backward the
 * composed cell takes — at an LSTM's sizes (B·U of a few thousand) each op costs more in
 * allocation and dispatch than in arithmetic. Float32 forward passes run in the native addon
 * when it was built (native/src/recurrent_cells.cc, vectorised sigmoid and tanh, where
 * JavaScript's Math.tanh and Math.exp made the cell most of an LSTM step); otherwise, and for
 * float64 (gradient checks), values are computed here in double and rounded once on store.
 */
import type { TypedArray } from '../../tensor/dtype.js';
import { allFloat32, at, sigmoid, viewArgs, type Matrix } from './cell-math.js';
import { loadNativeKernels } from './native-loader.js';

const native = loadNativeKernels();

/** out [B, 2U] = h | c′ and gates [B, 5U] = i | f | g | o | tanh(c′). */
export function lstmCellKernel(
  out: TypedArray,
  gates: TypedArray,
  z: Matrix,
  c: Matrix,
  batch: number,
  units: number,
): void {
  if (native && allFloat32(out, gates, z, c)) {
    native.lstmCellForward(
      out as Float32Array,
      gates as Float32Array,
      ...viewArgs(z),
      ...viewArgs(c),
      batch,
      units,
    );
  } else {
    lstmCellTypescript(out, gates, z, c, batch, units);
  }
}

/** The forward pass in double precision, for float64 and machines without the addon. */
export function lstmCellTypescript(
  out: TypedArray,
  gates: TypedArray,
  z: Matrix,
  c: Matrix,
  batch: number,
  units: number,
): void {
  const U = units;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < U; j++) {
      const i = sigmoid(at(z, b, j));
      const f = sigmoid(at(z, b, U + j));
      const g = Math.tanh(at(z, b, 2 * U + j));
      const o = sigmoid(at(z, b, 3 * U + j));
      const cNext = f * at(c, b, j) + i * g;
      const t = Math.tanh(cNext);
      out[b * 2 * U + j] = o * t;
      out[b * 2 * U + U + j] = cNext;
      const gb = b * 5 * U + j;
      gates[gb] = i;
      gates[gb + U] = f;
      gates[gb + 2 * U] = g;
      gates[gb + 3 * U] = o;
      gates[gb + 4 * U] = t;
    }
  }
}

/** dz [B, 4U] and dc [B, U] from the saved gates, the input state c and dOut = ∂h | ∂c′. */
export function lstmCellGradKernel(
  dz: TypedArray,
  dc: TypedArray,
  gates: Matrix,
  c: Matrix,
  dOut: Matrix,
  batch: number,
  units: number,
): void {
  const U = units;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < U; j++) {
      const i = at(gates, b, j);
      const f = at(gates, b, U + j);
      const g = at(gates, b, 2 * U + j);
      const o = at(gates, b, 3 * U + j);
      const t = at(gates, b, 4 * U + j);
      const dh = at(dOut, b, j);
      const d = at(dOut, b, U + j) + dh * o * (1 - t * t);
      const zb = b * 4 * U + j;
      dz[zb] = d * g * i * (1 - i);
      dz[zb + U] = d * at(c, b, j) * f * (1 - f);
      dz[zb + 2 * U] = d * i * (1 - g * g);
      dz[zb + 3 * U] = dh * t * o * (1 - o);
      dc[b * U + j] = d * f;
    }
  }
}
