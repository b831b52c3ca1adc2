/**
 * The CPU's fused GRU step (Backend.gruCell and gruCellGrad, Keras's reset-after variant): one
 * pass over a step's [B, U] values instead of the dozen small elementwise ops forward and two
 * dozen backward the composed step takes. Float32 forward passes run in the native addon when
 * it was built (native/src/recurrent_cells.cc, libm's expf and tanhf); otherwise, and for
 * float64 (gradient checks), values are computed here in double and rounded once on store.
 */
import type { TypedArray } from '../../tensor/dtype.js';
import type { Matrix } from './lstm-cell.js';
import { loadNativeKernels } from './native-loader.js';

const native = loadNativeKernels();

const sigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

const at = (m: Matrix, b: number, j: number) => m.data[m.offset + b * m.row + j * m.col]!;

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
  const f32 = (m: Matrix) => m.data instanceof Float32Array;
  if (
    native &&
    out instanceof Float32Array &&
    gates instanceof Float32Array &&
    f32(x) &&
    f32(rec) &&
    f32(h)
  ) {
    const [xd, rd, hd] = [x, rec, h].map((m) => m.data as Float32Array) as [
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    native.gruCellForward(
      out,
      gates,
      xd,
      x.offset,
      x.row,
      x.col,
      rd,
      rec.offset,
      rec.row,
      rec.col,
      hd,
      h.offset,
      h.row,
      h.col,
      batch,
      units,
    );
    return;
  }
  gruCellTypescript(out, gates, x, rec, h, batch, units);
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
