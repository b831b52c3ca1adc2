/**
 * The CPU backend's fused kernels: batch normalization in training (and the ReLU after it) and
 * the LSTM and GRU cells. Each takes the backend's allocator and returns null for a call it
 * cannot take (no addon, another dtype, a non-dense view), so the engine composes instead.
 * Batch normalization runs in the native addon only, over contiguous float32 data, so that its
 * sums run in the composed ops' order and it reproduces them bit for bit.
 */
import type { BatchNormGrads, BatchNormOutputs, LstmCellOutputs, Storage, View } from '../backend.js';
import type { DType } from '../../tensor/dtype.js';
import { isContiguous, sizeOf } from '../../tensor/layout.js';
import { gruCellGradKernel, gruCellKernel } from './gru-cell.js';
import { cellDims } from '../cell-shapes.js';
import { matrixOf } from './cell-math.js';
import { lstmCellGradKernel, lstmCellKernel } from './lstm-cell.js';
import { loadNativeKernels } from './native-loader.js';
import { cpuData, type CpuStorage } from './storage.js';

const native = loadNativeKernels();

/** The cells run in double precision here, so float64 (gradient checks) as well as float32. */
const FLOATS: readonly DType[] = ['float32', 'float64'];

/** The backend's allocator for outputs the kernel writes in full. */
export type Allocate = (size: number, dtype: DType) => CpuStorage;

/** The view's elements as a float32 subarray when they are contiguous in storage, else null. */
function float32InPlace(view: View): Float32Array | null {
  const data = cpuData(view.storage);
  if (!(data instanceof Float32Array) || !isContiguous(view.layout)) return null;
  return data.subarray(view.layout.offset, view.layout.offset + sizeOf(view.layout.shape));
}

const matrix = (view: View) => matrixOf(cpuData(view.storage), view.layout);

export function batchNormForward(
  allocate: Allocate,
  x: View,
  gamma: View | null,
  beta: View | null,
  epsilon: number,
  relu: boolean,
): BatchNormOutputs | null {
  const shape = x.layout.shape;
  const channels = shape[shape.length - 1] ?? 0;
  const size = sizeOf(shape);
  const xs = float32InPlace(x);
  const gs = gamma ? float32InPlace(gamma) : null;
  const bs = beta ? float32InPlace(beta) : null;
  if (!native || !xs || (gamma && !gs) || (beta && !bs) || channels === 0 || size === 0) return null;
  const y = allocate(size, 'float32');
  const mean = allocate(channels, 'float32');
  const variance = allocate(channels, 'float32');
  native.batchNormForward(
    y.data as Float32Array,
    mean.data as Float32Array,
    variance.data as Float32Array,
    xs,
    gs,
    bs,
    size / channels,
    channels,
    epsilon,
    relu,
  );
  return { y, mean, variance };
}

export function batchNormBackward(
  allocate: Allocate,
  dy: View,
  x: View,
  mean: View,
  variance: View,
  gamma: View | null,
  epsilon: number,
  beta: View | null,
  relu: boolean,
): BatchNormGrads | null {
  const shape = x.layout.shape;
  const channels = shape[shape.length - 1] ?? 0;
  const size = sizeOf(shape);
  const [dys, xs, ms, vs] = [dy, x, mean, variance].map(float32InPlace);
  const gs = gamma ? float32InPlace(gamma) : null;
  const bs = beta ? float32InPlace(beta) : null;
  if (!native || !dys || !xs || !ms || !vs || (gamma && !gs) || (beta && !bs) || channels === 0 || size === 0)
    return null;
  const dx = allocate(size, 'float32');
  const dGamma = allocate(channels, 'float32');
  const dBeta = allocate(channels, 'float32');
  native.batchNormBackward(
    dx.data as Float32Array,
    dGamma.data as Float32Array,
    dBeta.data as Float32Array,
    dys,
    xs,
    ms,
    vs,
    gs,
    bs,
    size / channels,
    channels,
    epsilon,
    relu,
  );
  return { dx, dGamma, dBeta };
}

export function lstmCellForward(allocate: Allocate, z: View, c: View): LstmCellOutputs | null {
  const dims = cellDims(c, [[z, 4]], FLOATS);
  if (!dims) return null;
  const { batch, units, dtype } = dims;
  const out = allocate(batch * 2 * units, dtype);
  const gates = allocate(batch * 5 * units, dtype);
  lstmCellKernel(out.data, gates.data, matrix(z), matrix(c), batch, units);
  return { out, gates };
}

export function lstmCellBackward(
  allocate: Allocate,
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
    FLOATS,
  );
  if (!dims) return null;
  const { batch, units, dtype } = dims;
  const dz = allocate(batch * 4 * units, dtype);
  const dc = allocate(batch * units, dtype);
  lstmCellGradKernel(dz.data, dc.data, matrix(gates), matrix(c), matrix(dOut), batch, units);
  return { dz, dc };
}

export function gruCellForward(
  allocate: Allocate,
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
    FLOATS,
  );
  if (!dims) return null;
  const { batch, units, dtype } = dims;
  const out = allocate(batch * units, dtype);
  const gates = allocate(batch * 3 * units, dtype);
  gruCellKernel(out.data, gates.data, matrix(x), matrix(rec), matrix(h), batch, units);
  return { out, gates };
}

export function gruCellBackward(
  allocate: Allocate,
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
    FLOATS,
  );
  if (!dims) return null;
  const { batch, units, dtype } = dims;
  const dx = allocate(batch * 3 * units, dtype);
  const dRec = allocate(batch * 3 * units, dtype);
  const dh = allocate(batch * units, dtype);
  gruCellGradKernel(
    dx.data,
    dRec.data,
    dh.data,
    matrix(gates),
    matrix(rec),
    matrix(h),
    matrix(dOut),
    batch,
    units,
  );
  return { dx, dRec, dh };
}
