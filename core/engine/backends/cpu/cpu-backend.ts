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
import {
  batchNormBackward,
  batchNormForward,
  gruCellBackward,
  gruCellForward,
  lstmCellBackward,
  lstmCellForward,
} from './fused-ops.js';

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
  private readonly allocateOverwritten = (size: number, dtype: DType): CpuStorage =>
    this.allocateFor(size, dtype, false);

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

  // Fused kernels (fused-ops.ts): batch normalization (and the ReLU after it) and the LSTM and
  // GRU cells; null where they cannot take a call, and the engine composes.
  batchNormTraining(
    x: View,
    gamma: View | null,
    beta: View | null,
    epsilon: number,
    relu = false,
  ): BatchNormOutputs | null {
    return batchNormForward(this.allocateOverwritten, x, gamma, beta, epsilon, relu);
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
    return batchNormBackward(this.allocateOverwritten, dy, x, mean, variance, gamma, epsilon, beta, relu);
  }

  lstmCell(z: View, c: View): LstmCellOutputs | null {
    return lstmCellForward(this.allocateOverwritten, z, c);
  }

  lstmCellGrad(gates: View, c: View, dOut: View): { dz: Storage; dc: Storage } | null {
    return lstmCellBackward(this.allocateOverwritten, gates, c, dOut);
  }

  gruCell(x: View, rec: View, h: View): { out: Storage; gates: Storage } | null {
    return gruCellForward(this.allocateOverwritten, x, rec, h);
  }

  gruCellGrad(
    gates: View,
    rec: View,
    h: View,
    dOut: View,
  ): { dx: Storage; dRec: Storage; dh: Storage } | null {
    return gruCellBackward(this.allocateOverwritten, gates, rec, h, dOut);
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
