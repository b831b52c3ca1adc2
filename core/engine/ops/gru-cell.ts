/**
 * One GRU step as one recorded op, the reset gate applied after the recurrent product (Keras's
 * default `resetAfter`, the CuDNN variant): from x [B, 3U] (the input projection with its bias,
 * gates z, r, h̃), rec [B, 3U] (h·U plus the recurrent bias) and h [B, U],
 *   z = σ(x_z + rec_z), r = σ(x_r + rec_r), h̃ = tanh(x_h + r·rec_h), h′ = z·h + (1 − z)·h̃.
 * A backend with the fused kernels (Backend.gruCell; the CPU's) does a step in one pass each
 * way; elsewhere the same formula is composed from primitives.
 */
import { record } from '../autodiff/record.js';
import { formatShape, ShapeError } from '../tensor/layout.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, mul, sigmoid, sub, tanh } from './elementwise.js';
import { assertFloat, backendOf, wrap } from './operand.js';
import { slice } from './shape.js';

/** @example const hNext = gruCell(projectedStep, matmul(h, recurrentKernel), h) */
export function gruCell(x: Tensor, rec: Tensor, h: Tensor): Tensor {
  for (const t of [x, rec, h]) assertFloat('gruCell', t);
  const [batch, units] = h.shape as [number, number];
  const wide = [batch, 3 * units].join();
  if (
    h.rank !== 2 ||
    x.rank !== 2 ||
    rec.rank !== 2 ||
    x.shape.join() !== wide ||
    rec.shape.join() !== wide
  ) {
    throw new ShapeError(
      `gruCell: input ${formatShape(x.shape)}, recurrent ${formatShape(rec.shape)} and state ${formatShape(h.shape)}: expected [B, 3U], [B, 3U] and [B, U]`,
    );
  }
  const backend = backendOf('gruCell', x, rec, h);
  const fused = backend.gruCell?.(x.view('gruCell'), rec.view('gruCell'), h.view('gruCell'));
  if (!fused) return composed(x, rec, h);
  const gates = wrap(fused.gates, [batch, 3 * units], backend);
  const out = record('gruCell', wrap(fused.out, [batch, units], backend), [x, rec, h, gates], (dOut) => {
    const g = backend.gruCellGrad?.(
      gates.view('gruCell'),
      rec.view('gruCell'),
      h.view('gruCell'),
      dOut.view('gruCell'),
    );
    if (!g) throw new Error(`gruCell: the ${backend.name} backend has a forward kernel but no gradient`);
    return [
      wrap(g.dx, x.shape, backend),
      wrap(g.dRec, rec.shape, backend),
      wrap(g.dh, h.shape, backend),
      null,
    ];
  });
  gates.dispose(); // the graph keeps it while a backward pass may need it
  return out;
}

function composed(x: Tensor, rec: Tensor, h: Tensor): Tensor {
  const [batch, units] = h.shape as [number, number];
  return tidy(() => {
    const gate = (t: Tensor, k: number) => slice(t, [0, k * units], [batch, units]);
    const z = sigmoid(add(gate(x, 0), gate(rec, 0)));
    const r = sigmoid(add(gate(x, 1), gate(rec, 1)));
    const candidate = tanh(add(gate(x, 2), mul(r, gate(rec, 2))));
    return add(mul(z, h), mul(sub(1, z), candidate));
  });
}
