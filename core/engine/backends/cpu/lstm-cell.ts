/**
 * The CPU's fused LSTM cell (Backend.lstmCell and lstmCellGrad): one pass over a step's
 * [B, U] values instead of the ten elementwise ops forward and about twenty backward the
 * composed cell takes — at an LSTM's sizes (B·U of a few thousand) each op costs more in
 * allocation and dispatch than in arithmetic. Float32 forward passes run in the native addon
 * when it was built (native/src/lstm_cell.cc: libm's expf and tanhf, where JavaScript's
 * Math.tanh and Math.exp made the cell most of an LSTM step); otherwise, and for float64
 * (gradient checks), values are computed here in double and rounded once on store.
 */
import type { TypedArray } from '../../tensor/dtype.js';
import type { Layout } from '../../tensor/layout.js';
import { loadNativeKernels } from './native-loader.js';

const native = loadNativeKernels();

/** A 2-D strided operand: element (b, j) is data[offset + b·row + j·col]. */
export interface Matrix {
  readonly data: TypedArray;
  readonly offset: number;
  readonly row: number;
  readonly col: number;
}

export function matrixOf(data: TypedArray, layout: Layout): Matrix {
  return { data, offset: layout.offset, row: layout.strides[0]!, col: layout.strides[1]! };
}

const sigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** out [B, 2U] = h | c′ and gates [B, 5U] = i | f | g | o | tanh(c′). */
export function lstmCellKernel(
  out: TypedArray,
  gates: TypedArray,
  z: Matrix,
  c: Matrix,
  batch: number,
  units: number,
): void {
  if (native && out instanceof Float32Array && gates instanceof Float32Array) {
    if (z.data instanceof Float32Array && c.data instanceof Float32Array) {
      native.lstmCellForward(
        out,
        gates,
        z.data,
        z.offset,
        z.row,
        z.col,
        c.data,
        c.offset,
        c.row,
        c.col,
        batch,
        units,
      );
      return;
    }
  }
  lstmCellTypescript(out, gates, z, c, batch, units);
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
    const zb = z.offset + b * z.row;
    const cb = c.offset + b * c.row;
    const ob = b * 2 * U;
    const gb = b * 5 * U;
    for (let j = 0; j < U; j++) {
      const i = sigmoid(z.data[zb + j * z.col]!);
      const f = sigmoid(z.data[zb + (U + j) * z.col]!);
      const g = Math.tanh(z.data[zb + (2 * U + j) * z.col]!);
      const o = sigmoid(z.data[zb + (3 * U + j) * z.col]!);
      const cNext = f * c.data[cb + j * c.col]! + i * g;
      const t = Math.tanh(cNext);
      out[ob + j] = o * t;
      out[ob + U + j] = cNext;
      gates[gb + j] = i;
      gates[gb + U + j] = f;
      gates[gb + 2 * U + j] = g;
      gates[gb + 3 * U + j] = o;
      gates[gb + 4 * U + j] = t;
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
    const gb = gates.offset + b * gates.row;
    const cb = c.offset + b * c.row;
    const db = dOut.offset + b * dOut.row;
    const zb = b * 4 * U;
    for (let j = 0; j < U; j++) {
      const i = gates.data[gb + j * gates.col]!;
      const f = gates.data[gb + (U + j) * gates.col]!;
      const g = gates.data[gb + (2 * U + j) * gates.col]!;
      const o = gates.data[gb + (3 * U + j) * gates.col]!;
      const t = gates.data[gb + (4 * U + j) * gates.col]!;
      const dh = dOut.data[db + j * dOut.col]!;
      const d = dOut.data[db + (U + j) * dOut.col]! + dh * o * (1 - t * t);
      dz[zb + j] = d * g * i * (1 - i);
      dz[zb + U + j] = d * c.data[cb + j * c.col]! * f * (1 - f);
      dz[zb + 2 * U + j] = d * i * (1 - g * g);
      dz[zb + 3 * U + j] = dh * t * o * (1 - o);
      dc[b * U + j] = d * f;
    }
  }
}
