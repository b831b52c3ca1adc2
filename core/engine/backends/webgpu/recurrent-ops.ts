/**
 * The WebGPU backend's fused recurrent cells: shape checks, outputs and the one program each
 * (kernels/recurrent-cells.ts). Null for a call they cannot take (dtype, shapes): the engine
 * then composes the cell from primitives.
 */
import type { LstmCellOutputs, Storage, View } from '../backend.js';
import type { DType } from '../../tensor/dtype.js';
import { cellDims } from '../cell-shapes.js';
import type { KernelHost } from './kernel-host.js';
import {
  gruCellGradProgram,
  gruCellProgram,
  lstmCellGradProgram,
  lstmCellProgram,
} from './kernels/recurrent-cells.js';

const FLOAT32: readonly DType[] = ['float32'];

export function lstmCellForward(host: KernelHost, z: View, c: View): LstmCellOutputs | null {
  const dims = cellDims(c, [[z, 4]], FLOAT32);
  if (!dims) return null;
  host.check(z, c);
  const { batch, units } = dims;
  const out = host.allocate('lstmCell', batch * 2 * units, 'float32');
  const gates = host.allocate('lstmCell', batch * 5 * units, 'float32');
  host.run(lstmCellProgram(z, c, out, gates), out, gates);
  return { out, gates };
}

export function lstmCellBackward(
  host: KernelHost,
  gates: View,
  c: View,
  dOut: View,
): { dz: Storage; dc: Storage } | null {
  const dims = cellDims(
    c,
    [
      [gates, 5],
      [dOut, 2],
    ],
    FLOAT32,
  );
  if (!dims) return null;
  host.check(gates, c, dOut);
  const { batch, units } = dims;
  const dz = host.allocate('lstmCellGrad', batch * 4 * units, 'float32');
  const dc = host.allocate('lstmCellGrad', batch * units, 'float32');
  host.run(lstmCellGradProgram(gates, c, dOut, dz, dc), dz, dc);
  return { dz, dc };
}

export function gruCellForward(
  host: KernelHost,
  x: View,
  rec: View,
  h: View,
): { out: Storage; gates: Storage } | null {
  const dims = cellDims(
    h,
    [
      [x, 3],
      [rec, 3],
    ],
    FLOAT32,
  );
  if (!dims) return null;
  host.check(x, rec, h);
  const { batch, units } = dims;
  const out = host.allocate('gruCell', batch * units, 'float32');
  const gates = host.allocate('gruCell', batch * 3 * units, 'float32');
  host.run(gruCellProgram(x, rec, h, out, gates), out, gates);
  return { out, gates };
}

export function gruCellBackward(
  host: KernelHost,
  gates: View,
  rec: View,
  h: View,
  dOut: View,
): { dx: Storage; dRec: Storage; dh: Storage } | null {
  const dims = cellDims(
    h,
    [
      [gates, 3],
      [rec, 3],
      [dOut, 1],
    ],
    FLOAT32,
  );
  if (!dims) return null;
  host.check(gates, rec, h, dOut);
  const { batch, units } = dims;
  const dx = host.allocate('gruCellGrad', batch * 3 * units, 'float32');
  const dRec = host.allocate('gruCellGrad', batch * 3 * units, 'float32');
  const dh = host.allocate('gruCellGrad', batch * units, 'float32');
  host.run(gruCellGradProgram(gates, rec, h, dOut, dx, dRec, dh), dx, dRec, dh);
  return { dx, dRec, dh };
}
