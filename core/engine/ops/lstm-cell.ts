/**
 * One LSTM cell step as one recorded op: from the gate pre-activations z [B, 4U] (Keras order
 * i, f, g, o) and the cell state c [B, U],
 *   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o),  c′ = f·c + i·g,  h = o·tanh(c′).
 * The result packs [h | c′] as [B, 2U]; slice it for each. A backend with the fused kernels
 * (Backend.lstmCell; the CPU's) does a step in one pass each way; elsewhere the same formula is
 * composed from primitives, and autodiff differentiates it.
 */
import { record } from '../autodiff/record.js';
import { formatShape, ShapeError } from '../tensor/layout.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, mul, sigmoid, tanh } from './elementwise.js';
import { assertFloat, backendOf, wrap } from './operand.js';
import { concat, slice } from './shape.js';

/**
 * @example const hc = lstmCell(z, c); const h = slice(hc, [0, 0], [b, u]); const c2 = slice(hc, [0, u], [b, u]);
 */
export function lstmCell(z: Tensor, c: Tensor): Tensor {
  assertFloat('lstmCell', z);
  assertFloat('lstmCell', c);
  if (z.rank !== 2 || c.rank !== 2 || z.shape[0] !== c.shape[0] || z.shape[1] !== 4 * c.shape[1]!) {
    throw new ShapeError(
      `lstmCell: gates ${formatShape(z.shape)} and state ${formatShape(c.shape)}: expected [B, 4U] and [B, U]`,
    );
  }
  const backend = backendOf('lstmCell', z, c);
  const fused = backend.lstmCell?.(z.view('lstmCell'), c.view('lstmCell'));
  if (!fused) return composed(z, c);
  const [batch, units] = c.shape as [number, number];
  const gates = wrap(fused.gates, [batch, 5 * units], backend);
  const out = record('lstmCell', wrap(fused.out, [batch, 2 * units], backend), [z, c, gates], (dOut) => {
    const grads = backend.lstmCellGrad?.(gates.view('lstmCell'), c.view('lstmCell'), dOut.view('lstmCell'));
    if (!grads) throw new Error(`lstmCell: the ${backend.name} backend has a forward kernel but no gradient`);
    return [wrap(grads.dz, z.shape, backend), wrap(grads.dc, c.shape, backend), null];
  });
  gates.dispose(); // the graph keeps it while a backward pass may need it
  return out;
}

function composed(z: Tensor, c: Tensor): Tensor {
  const [batch, units] = c.shape as [number, number];
  return tidy(() => {
    const gate = (k: number) => slice(z, [0, k * units], [batch, units]);
    const i = sigmoid(gate(0));
    const f = sigmoid(gate(1));
    const g = tanh(gate(2));
    const o = sigmoid(gate(3));
    const cNext = add(mul(f, c), mul(i, g));
    return concat([mul(o, tanh(cNext)), cNext], 1);
  });
}
