/**
 * The CPU backend: the reference implementation of every primitive, over typed arrays in host
 * memory. Hot kernels (GEMM) use the native addon when it was built, else portable TypeScript.
 */
import type {
  AdamHyper,
  AdapterInfo,
  Backend,
  BatchNormGrads,
  BatchNormOutputs,
  LstmCellOutputs,
  ByteRowLayout,
  BinaryOp,
  ReduceOp,
  Storage,
  UnaryOp,
  View,
  WindowGeometry,
} from '../backend.js';
import { bytesPerElement, typedArrayFor, type DType, type TypedArray } from '../../tensor/dtype.js';
import { contiguousStrides, isContiguous, sizeOf, type Layout, type Shape } from '../../tensor/layout.js';
import { binaryKernel, copyStrided, mapWhere, unaryKernel } from './elementwise.js';
import { gatherBytesKernel, gatherKernel, scatterAddKernel } from './indexing.js';
import { matmulKernel } from './matmul.js';
import { argReduceKernel, reduceKernel, softmaxKernel } from './reduce.js';
import { CpuStorage, cpuData } from './storage.js';
import { StoragePool } from './storage-pool.js';
import { col2imKernel, im2colKernel, maxPoolKernel } from './window.js';
import { gemmBackendName } from './gemm.js';
import { adamUpdate as adamStep } from './adam.js';
import { softmaxCrossEntropyGradKernel, softmaxCrossEntropyKernel } from './crossentropy.js';
import { loadNativeKernels } from './native-loader.js';
import { lstmCellGradKernel, lstmCellKernel, matrixOf } from './lstm-cell.js';
import { gruCellGradKernel, gruCellKernel } from './gru-cell.js';

const native = loadNativeKernels();

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly supportsFloat64 = true;
  private liveStorages = 0;
  private liveBytes = 0;
  /** Released buffers for reuse (see storage-pool.ts: new arrays cost page faults). */
  private readonly pool = new StoragePool();

  /** A zeroed storage (kernels that accumulate or write sparsely rely on the zeros). */
  private allocate(size: number, dtype: DType): CpuStorage {
    return this.allocateFor(size, dtype, true);
  }

  /** A storage with arbitrary contents, for kernels that write every element. */
  private allocateOverwritten(size: number, dtype: DType): CpuStorage {
    return this.allocateFor(size, dtype, false);
  }

  private allocateFor(size: number, dtype: DType, zeroed: boolean): CpuStorage {
    this.liveStorages++;
    this.liveBytes += size * bytesPerElement[dtype];
    return new CpuStorage(this.pool.take(dtype, size, zeroed), dtype);
  }

  full(size: number, dtype: DType, value: number): Storage {
    const s = this.allocate(size, dtype);
    if (value !== 0) s.data.fill(value);
    return s;
  }

  upload(data: TypedArray, dtype: DType): Storage {
    const s = this.allocate(data.length, dtype);
    s.data.set(data);
    return s;
  }

  async read(view: View): Promise<TypedArray> {
    return this.readSync(view);
  }

  readSync(view: View): TypedArray {
    const out = typedArrayFor(view.storage.dtype, sizeOf(view.layout.shape));
    copyStrided(out, contiguousLayoutOf(view.layout.shape), cpuData(view.storage), view.layout);
    return out;
  }

  release(storage: Storage): void {
    this.liveStorages--;
    this.liveBytes -= storage.size * bytesPerElement[storage.dtype];
    this.pool.give(cpuData(storage), storage.dtype);
  }

  memory() {
    return { liveStorages: this.liveStorages, liveBytes: this.liveBytes };
  }

  adapterInfo(): AdapterInfo {
    return { backend: 'cpu', description: `CPU (${gemmBackendName()} GEMM)` };
  }

  flush(): void {}

  destroy(): void {
    this.pool.clear();
  }

  copy(x: View, dtype: DType = x.storage.dtype): Storage {
    const out = this.allocateOverwritten(sizeOf(x.layout.shape), dtype);
    copyStrided(out.data, contiguousLayoutOf(x.layout.shape), cpuData(x.storage), x.layout);
    return out;
  }

  write(dst: Storage, dstLayout: Layout, src: View): void {
    copyStrided(cpuData(dst), dstLayout, cpuData(src.storage), src.layout);
  }

  unary(op: UnaryOp, x: View, param = 0): Storage {
    const out = this.allocateOverwritten(sizeOf(x.layout.shape), x.storage.dtype);
    unaryKernel(op, out.data, cpuData(x.storage), x.layout, param);
    return out;
  }

  binary(op: BinaryOp, a: View, b: View): Storage {
    const out = this.allocateOverwritten(sizeOf(a.layout.shape), a.storage.dtype);
    binaryKernel(op, out.data, cpuData(a.storage), a.layout, cpuData(b.storage), b.layout);
    return out;
  }

  where(cond: View, a: View, b: View): Storage {
    const out = this.allocateOverwritten(sizeOf(a.layout.shape), a.storage.dtype);
    mapWhere(
      out.data,
      cpuData(cond.storage),
      cond.layout,
      cpuData(a.storage),
      a.layout,
      cpuData(b.storage),
      b.layout,
    );
    return out;
  }

  reduce(op: ReduceOp, x: View, axes: readonly number[]): Storage {
    const shape = x.layout.shape.filter((_, i) => !axes.includes(i));
    const out = this.allocate(sizeOf(shape), x.storage.dtype);
    reduceKernel(op, out.data, cpuData(x.storage), x.layout, axes);
    return out;
  }

  argReduce(op: 'argmax' | 'argmin', x: View, axis: number): Storage {
    const shape = x.layout.shape.filter((_, i) => i !== axis);
    const out = this.allocate(sizeOf(shape), 'int32');
    argReduceKernel(op, out.data as Int32Array, cpuData(x.storage), x.layout, axis);
    return out;
  }

  softmax(x: View, log: boolean): Storage {
    const out = this.allocate(sizeOf(x.layout.shape), x.storage.dtype);
    softmaxKernel(out.data, cpuData(x.storage), x.layout, log);
    return out;
  }

  matmul(a: View, b: View): Storage {
    const rank = a.layout.shape.length;
    const shape = [...a.layout.shape.slice(0, -1), b.layout.shape[rank - 1]!];
    const out = this.allocate(sizeOf(shape), a.storage.dtype);
    matmulKernel(out.data, cpuData(a.storage), a.layout, cpuData(b.storage), b.layout);
    return out;
  }

  gather(x: View, indices: View, axis: number): Storage {
    const shape = x.layout.shape;
    const outer = sizeOf(shape.slice(0, axis));
    const inner = sizeOf(shape.slice(axis + 1));
    const idx = this.contiguousData(indices) as Int32Array;
    const out = this.allocate(outer * idx.length * inner, x.storage.dtype);
    gatherKernel(out.data, this.contiguousData(x), idx, outer, shape[axis]!, inner);
    return out;
  }

  gatherBytes(packed: Storage, at: ByteRowLayout, indices: View, scale: number, shift: number): Storage {
    if (packed.dtype !== 'int32')
      throw new TypeError(`gatherBytes: packed bytes must be int32, got ${packed.dtype}`);
    const idx = this.contiguousData(indices) as Int32Array;
    const out = this.allocate(idx.length * at.rowLength, 'float32');
    gatherBytesKernel(
      out.data,
      cpuData(packed) as Int32Array,
      at.byteOffset,
      at.rows,
      at.rowLength,
      idx,
      scale,
      shift,
    );
    return out;
  }

  scatterAdd(updates: View, indices: View, axis: number, outShape: Shape): Storage {
    const outer = sizeOf(outShape.slice(0, axis));
    const inner = sizeOf(outShape.slice(axis + 1));
    const out = this.allocate(sizeOf(outShape), updates.storage.dtype);
    scatterAddKernel(
      out.data,
      this.contiguousData(updates),
      this.contiguousData(indices) as Int32Array,
      outer,
      outShape[axis]!,
      inner,
    );
    return out;
  }

  im2col(x: View, g: WindowGeometry, padValue: number): Storage {
    const out = this.allocateOverwritten(
      g.batch * g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth * g.channels,
      x.storage.dtype,
    );
    im2colKernel(out.data, this.contiguousData(x), g, padValue);
    return out;
  }

  col2im(cols: View, g: WindowGeometry): Storage {
    const out = this.allocate(g.batch * g.inHeight * g.inWidth * g.channels, cols.storage.dtype);
    col2imKernel(out.data, this.contiguousData(cols), g);
    return out;
  }

  maxPool2d(x: View, g: WindowGeometry): { values: Storage; argmax: Storage } {
    const size = g.batch * g.outHeight * g.outWidth * g.channels;
    const values = this.allocateOverwritten(size, x.storage.dtype);
    const argmax = this.allocateOverwritten(size, 'int32');
    maxPoolKernel(values.data, argmax.data as Int32Array, this.contiguousData(x), g);
    return { values, argmax };
  }

  adamUpdate(param: Storage, grad: View, m: Storage, v: Storage, h: AdamHyper): void {
    // Native AVX2/generic kernel for float32 when the addon loaded, else the TypeScript one.
    const p = cpuData(param) as Float32Array | Float64Array;
    const g = this.contiguousData(grad) as Float32Array | Float64Array;
    adamStep(
      p,
      g,
      cpuData(m) as typeof p,
      cpuData(v) as typeof p,
      h.learningRate,
      h.beta1,
      h.beta2,
      h.epsilon,
      h.step,
      h.weightDecay,
    );
  }

  softmaxCrossEntropy(logits: View, targets: View, sparse: boolean): Storage {
    const out = this.allocate(sizeOf(logits.layout.shape.slice(0, -1)), logits.storage.dtype);
    softmaxCrossEntropyKernel(out.data, logits, targets, sparse);
    return out;
  }

  softmaxCrossEntropyGrad(logits: View, targets: View, sparse: boolean, dy: View): Storage {
    const out = this.allocate(sizeOf(logits.layout.shape), logits.storage.dtype);
    softmaxCrossEntropyGradKernel(out.data, logits, targets, sparse, dy);
    return out;
  }

  // Fused batch normalization (and the ReLU after it): native float32 over contiguous data only,
  // so that its sums run in the same order as the composed ops' (which it reproduces bit for
  // bit); else null.
  batchNormTraining(
    x: View,
    gamma: View | null,
    beta: View | null,
    epsilon: number,
    relu = false,
  ): BatchNormOutputs | null {
    const shape = x.layout.shape;
    const channels = shape[shape.length - 1] ?? 0;
    const size = sizeOf(shape);
    const xs = this.float32InPlace(x);
    const gs = gamma ? this.float32InPlace(gamma) : null;
    const bs = beta ? this.float32InPlace(beta) : null;
    if (!native || !xs || (gamma && !gs) || (beta && !bs) || channels === 0 || size === 0) return null;
    const y = this.allocateOverwritten(size, 'float32');
    const mean = this.allocateOverwritten(channels, 'float32');
    const variance = this.allocateOverwritten(channels, 'float32');
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

  batchNormTrainingGrad(
    dy: View,
    x: View,
    mean: View,
    variance: View,
    gamma: View | null,
    epsilon: number,
    beta: View | null = null,
    relu = false,
  ): BatchNormGrads | null {
    const shape = x.layout.shape;
    const channels = shape[shape.length - 1] ?? 0;
    const size = sizeOf(shape);
    const [dys, xs, ms, vs] = [dy, x, mean, variance].map((v) => this.float32InPlace(v));
    const gs = gamma ? this.float32InPlace(gamma) : null;
    const bs = beta ? this.float32InPlace(beta) : null;
    if (
      !native ||
      !dys ||
      !xs ||
      !ms ||
      !vs ||
      (gamma && !gs) ||
      (beta && !bs) ||
      channels === 0 ||
      size === 0
    )
      return null;
    const dx = this.allocateOverwritten(size, 'float32');
    const dGamma = this.allocateOverwritten(channels, 'float32');
    const dBeta = this.allocateOverwritten(channels, 'float32');
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

  // The fused LSTM cell (lstm-cell.ts) for float32 and float64 [B, 4U] / [B, U] views.
  lstmCell(z: View, c: View): LstmCellOutputs | null {
    const dims = lstmDims(z, c);
    if (!dims) return null;
    const { batch, units } = dims;
    const dtype = z.storage.dtype;
    const out = this.allocateOverwritten(batch * 2 * units, dtype);
    const gates = this.allocateOverwritten(batch * 5 * units, dtype);
    lstmCellKernel(
      out.data,
      gates.data,
      matrixOf(cpuData(z.storage), z.layout),
      matrixOf(cpuData(c.storage), c.layout),
      batch,
      units,
    );
    return { out, gates };
  }

  lstmCellGrad(gates: View, c: View, dOut: View): { dz: Storage; dc: Storage } | null {
    const [batch, units] = c.layout.shape as [number, number];
    const dtype = c.storage.dtype;
    const shapes = [gates, dOut].map((v) => v.layout.shape.join(','));
    if (
      c.layout.shape.length !== 2 ||
      (dtype !== 'float32' && dtype !== 'float64') ||
      gates.storage.dtype !== dtype ||
      dOut.storage.dtype !== dtype ||
      shapes[0] !== `${batch},${5 * units}` ||
      shapes[1] !== `${batch},${2 * units}`
    )
      return null;
    const dz = this.allocateOverwritten(batch * 4 * units, dtype);
    const dc = this.allocateOverwritten(batch * units, dtype);
    lstmCellGradKernel(
      dz.data,
      dc.data,
      matrixOf(cpuData(gates.storage), gates.layout),
      matrixOf(cpuData(c.storage), c.layout),
      matrixOf(cpuData(dOut.storage), dOut.layout),
      batch,
      units,
    );
    return { dz, dc };
  }

  // The fused GRU step (gru-cell.ts) for float32 and float64 views.
  gruCell(x: View, rec: View, h: View): { out: Storage; gates: Storage } | null {
    const dims = gruDims(x, rec, h);
    if (!dims) return null;
    const { batch, units, dtype } = dims;
    const out = this.allocateOverwritten(batch * units, dtype);
    const gates = this.allocateOverwritten(batch * 3 * units, dtype);
    gruCellKernel(out.data, gates.data, this.matrix(x), this.matrix(rec), this.matrix(h), batch, units);
    return { out, gates };
  }

  gruCellGrad(
    gates: View,
    rec: View,
    h: View,
    dOut: View,
  ): { dx: Storage; dRec: Storage; dh: Storage } | null {
    const dims = gruDims(gates, rec, h);
    if (!dims || dOut.storage.dtype !== dims.dtype || dOut.layout.shape.join() !== h.layout.shape.join())
      return null;
    const { batch, units, dtype } = dims;
    const dx = this.allocateOverwritten(batch * 3 * units, dtype);
    const dRec = this.allocateOverwritten(batch * 3 * units, dtype);
    const dh = this.allocateOverwritten(batch * units, dtype);
    gruCellGradKernel(
      dx.data,
      dRec.data,
      dh.data,
      this.matrix(gates),
      this.matrix(rec),
      this.matrix(h),
      this.matrix(dOut),
      batch,
      units,
    );
    return { dx, dRec, dh };
  }

  private matrix(view: View) {
    return matrixOf(cpuData(view.storage), view.layout);
  }

  /** The view's elements as a float32 subarray when they are contiguous in storage, else null. */
  private float32InPlace(view: View): Float32Array | null {
    const data = cpuData(view.storage);
    if (!(data instanceof Float32Array) || !isContiguous(view.layout)) return null;
    return data.subarray(view.layout.offset, view.layout.offset + sizeOf(view.layout.shape));
  }

  private contiguousData(view: View): TypedArray {
    const data = cpuData(view.storage);
    const { shape, offset } = view.layout;
    const size = sizeOf(shape);
    if (isContiguous(view.layout)) return data.subarray(offset, offset + size);
    const out = typedArrayFor(view.storage.dtype, size);
    copyStrided(out, contiguousLayoutOf(shape), data, view.layout);
    return out;
  }
}

function contiguousLayoutOf(shape: Shape): Layout {
  return { shape, strides: contiguousStrides(shape), offset: 0 };
}

export function createCpuBackend(): CpuBackend {
  return new CpuBackend();
}

/** Batch and units of an LSTM cell call (z [B, 4U], c [B, U], one float dtype), else null. */
function lstmDims(z: View, c: View): { batch: number; units: number } | null {
  const dtype = z.storage.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || c.storage.dtype !== dtype) return null;
  if (z.layout.shape.length !== 2 || c.layout.shape.length !== 2) return null;
  const [batch, width] = z.layout.shape as [number, number];
  const [cBatch, units] = c.layout.shape as [number, number];
  return cBatch === batch && width === 4 * units ? { batch, units } : null;
}

/** Batch, units and dtype of a GRU step (a [B, 3U], b [B, 3U], h [B, U], one float dtype). */
function gruDims(a: View, b: View, h: View): { batch: number; units: number; dtype: DType } | null {
  const dtype = a.storage.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || b.storage.dtype !== dtype || h.storage.dtype !== dtype)
    return null;
  if ([a, b, h].some((v) => v.layout.shape.length !== 2)) return null;
  const [batch, units] = h.layout.shape as [number, number];
  const wide = `${batch},${3 * units}`;
  return a.layout.shape.join() === wide && b.layout.shape.join() === wide ? { batch, units, dtype } : null;
}
