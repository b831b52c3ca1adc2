/**
 * The CPU backend: the reference implementation of every primitive, over typed arrays in host
 * memory. Hot kernels (GEMM) use the native addon when it was built, else portable TypeScript.
 */
import type {
  AdamHyper,
  AdapterInfo,
  Backend,
  ByteRowLayout,
  BinaryOp,
  ReduceOp,
  Storage,
  UnaryOp,
  View,
  WindowGeometry,
} from '../backend.js';
import { bytesPerElement, typedArrayFor, type DType, type TypedArray } from '../../tensor/dtype.js';
import { contiguousStrides, sizeOf, type Layout, type Shape } from '../../tensor/layout.js';
import {
  binaryExpressions,
  copyStrided,
  mapBinary,
  mapUnary,
  mapWhere,
  unaryExpressions,
} from './elementwise.js';
import { gatherBytesKernel, gatherKernel, scatterAddKernel } from './indexing.js';
import { matmulKernel } from './matmul.js';
import { argReduceKernel, reduceKernel, softmaxKernel } from './reduce.js';
import { CpuStorage, cpuData } from './storage.js';
import { StoragePool } from './storage-pool.js';
import { col2imKernel, im2colKernel, maxPoolKernel } from './window.js';
import { gemmBackendName } from './gemm.js';
import { adamUpdate as adamStep } from './adam.js';
import { softmaxCrossEntropyGradKernel, softmaxCrossEntropyKernel } from './crossentropy.js';

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly supportsFloat64 = true;
  private liveStorages = 0;
  private liveBytes = 0;
  /** Released buffers for reuse (see storage-pool.ts: new arrays cost page faults). */
  private readonly pool = new StoragePool();

  private allocate(size: number, dtype: DType): CpuStorage {
    this.liveStorages++;
    this.liveBytes += size * bytesPerElement[dtype];
    return new CpuStorage(this.pool.take(dtype, size), dtype);
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
    const out = this.allocate(sizeOf(x.layout.shape), dtype);
    copyStrided(out.data, contiguousLayoutOf(x.layout.shape), cpuData(x.storage), x.layout);
    return out;
  }

  write(dst: Storage, dstLayout: Layout, src: View): void {
    copyStrided(cpuData(dst), dstLayout, cpuData(src.storage), src.layout);
  }

  unary(op: UnaryOp, x: View, param = 0): Storage {
    const out = this.allocate(sizeOf(x.layout.shape), x.storage.dtype);
    mapUnary(unaryExpressions[op], out.data, cpuData(x.storage), x.layout, param);
    return out;
  }

  binary(op: BinaryOp, a: View, b: View): Storage {
    const out = this.allocate(sizeOf(a.layout.shape), a.storage.dtype);
    mapBinary(binaryExpressions[op], out.data, cpuData(a.storage), a.layout, cpuData(b.storage), b.layout);
    return out;
  }

  where(cond: View, a: View, b: View): Storage {
    const out = this.allocate(sizeOf(a.layout.shape), a.storage.dtype);
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
    const out = this.allocate(
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
    const values = this.allocate(size, x.storage.dtype);
    const argmax = this.allocate(size, 'int32');
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

  /** The view's values as a contiguous array: the storage itself when already laid out so. */
  private contiguousData(view: View): TypedArray {
    const data = cpuData(view.storage);
    const { shape, strides, offset } = view.layout;
    const size = sizeOf(shape);
    const expected = contiguousStrides(shape);
    if (shape.every((d, i) => d === 1 || strides[i] === expected[i]))
      return data.subarray(offset, offset + size);
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
