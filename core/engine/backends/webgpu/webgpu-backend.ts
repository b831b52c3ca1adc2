/**
 * The WebGPU backend: every primitive of the Backend contract as a WGSL compute program (see
 * program.ts for the one program shape, kernels/ for the programs). Kernels are recorded and
 * submitted in batches (runner.ts); buffers come from size-bucketed pools (buffer-pool.ts);
 * nothing is read back to the host except in `read`.
 */
import type {
  AdamHyper,
  AdamItem,
  AdapterInfo,
  Backend,
  BatchNormGrads,
  BatchNormOutputs,
  LstmCellOutputs,
  BinaryOp,
  ByteRowLayout,
  DenseActivation,
  MemoryInfo,
  ReduceOp,
  Storage,
  UnaryOp,
  View,
  WindowGeometry,
} from '../backend.js';
import { typedArrayFor, type DType, type TypedArray } from '../../tensor/dtype.js';
import { contiguousLayout, isContiguous, sizeOf, type Layout, type Shape } from '../../tensor/layout.js';
import { BufferPool, type PoolStats } from './buffer-pool.js';
import { binaryCompute, convert, elementwiseProgram, unaryCompute } from './kernels/elementwise.js';
import { gatherBytesProgram, gatherProgram, scatterAddProgram } from './kernels/indexing.js';
import { matmulProgram } from './kernels/matmul.js';
import { adamManyPrograms, adamProgram } from './kernels/optimizer.js';
import {
  argReduceProgram,
  emptyReductionValue,
  planReduction,
  reducePrograms,
  softmaxProgram,
} from './kernels/reduce.js';
import { col2imProgram, im2colProgram } from './kernels/window.js';
import { softmaxCrossEntropyProgram } from './kernels/crossentropy.js';
import { batchNormBackward, batchNormForward } from './batch-norm-ops.js';
import type { KernelHost } from './kernel-host.js';
import { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward } from './recurrent-ops.js';
import { wgslType, type Program } from './program.js';
import { Runner } from './runner.js';
import { GPUStorage } from './storage.js';
import { Readback } from './readback.js';

export interface WebGPUBackendOptions {
  /** Bytes of released buffers kept for reuse; beyond it they are destroyed. Defaults to 1 GiB. */
  readonly maxPooledBytes?: number;
  /** Kernels recorded before a batch is submitted on its own; defaults to 512. */
  readonly maxDispatchesPerBatch?: number;
}

export interface WebGPUMemoryInfo extends MemoryInfo {
  readonly pool: PoolStats;
  readonly submits: number;
  readonly dispatches: number;
  readonly pipelines: number;
}

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly supportsFloat64 = false;
  private readonly storagePool: BufferPool;
  private readonly readback: Readback;
  private readonly runner: Runner;
  private readonly maxBindingBytes: number;
  private liveStorages = 0;
  private liveBytes = 0;
  private destroyed = false;
  /** The services op modules (batch-norm-ops.ts) use, bound to this backend. */
  private readonly host: KernelHost = {
    allocate: (op, size, dtype) => this.allocate(op, size, dtype),
    run: (p, ...made) => this.run(p, ...made),
    release: (s) => this.release(s),
    check: (...views) => this.check(...views),
  };

  constructor(
    readonly device: GPUDevice,
    private readonly info: AdapterInfo,
    options: WebGPUBackendOptions = {},
  ) {
    const pooled = options.maxPooledBytes ?? 2 ** 30;
    this.storagePool = new BufferPool(
      device,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      'storage',
      pooled,
    );
    this.runner = new Runner(device, [this.storagePool], options);
    this.readback = new Readback(device, this.runner, pooled / 4);
    this.maxBindingBytes = device.limits.maxStorageBufferBindingSize;
  }

  // ── memory ───────────────────────────────────────────────────────────────

  /**
   * A new storage for `op` (named in the error when it is past the adapter's limit). `user`:
   * who writes it first (see BufferPool.acquire).
   */
  private allocate(op: string, size: number, dtype: DType, user: 'kernel' | 'queue' = 'kernel'): GPUStorage {
    this.checkAlive();
    wgslType(dtype); // float64 and unknown dtypes are refused by name
    const bytes = size * 4;
    if (bytes > this.maxBindingBytes) {
      const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
      throw new RangeError(
        `webgpu: ${op}: a ${dtype} storage of ${size} elements (${mib(bytes)}) exceeds this adapter's ` +
          `maxStorageBufferBindingSize (${mib(this.maxBindingBytes)}); use smaller batches or device 'cpu'`,
      );
    }
    const buffer = this.storagePool.acquire(bytes, user);
    this.liveStorages++;
    this.liveBytes += bytes;
    return new GPUStorage(size, dtype, buffer, this);
  }

  private own(storage: Storage): GPUStorage {
    if (!(storage instanceof GPUStorage) || storage.owner !== this) {
      throw new Error(
        'webgpu: this storage belongs to another backend; move tensors between backends explicitly',
      );
    }
    if (storage.released) throw new Error('webgpu: storage used after release');
    return storage;
  }

  private check(...views: View[]): void {
    for (const v of views) this.own(v.storage);
  }

  full(size: number, dtype: DType, value: number): Storage {
    const out = this.allocate('full', size, dtype);
    if (size === 0) return out;
    if (Object.is(value, 0)) {
      this.runner.clearBuffer(out.buffer, 0, out.byteLength);
      return out;
    }
    const t = wgslType(dtype);
    this.run(
      elementwiseProgram('fill', out, [size], [], '  let result = u.value;', {
        uniforms: [{ name: 'value', type: t, value }],
      }),
      out,
    );
    return out;
  }

  upload(data: TypedArray, dtype: DType): Storage {
    const out = this.allocate('upload', data.length, dtype, 'queue');
    if (data.length === 0) return out;
    const typed = dtype === 'int32' ? toInt32Array(data) : toFloat32Array(data);
    this.device.queue.writeBuffer(out.buffer, 0, typed.buffer, typed.byteOffset, typed.byteLength);
    return out;
  }

  async read(view: View): Promise<TypedArray> {
    const storage = this.own(view.storage);
    const size = sizeOf(view.layout.shape);
    const result = typedArrayFor(storage.dtype, size);
    if (size === 0) {
      this.runner.flush();
      await this.runner.checkErrors();
      return result;
    }
    let source = storage;
    let offset = view.layout.offset;
    let temporary: GPUStorage | null = null;
    if (!isContiguous(view.layout)) {
      temporary = source = this.copy(view) as GPUStorage;
      offset = 0;
    }
    const bytes = size * 4;
    try {
      const done = this.readback.read(source.buffer, offset * 4, bytes, (mapped) => {
        if (storage.dtype === 'int32') (result as Int32Array).set(new Int32Array(mapped));
        else (result as Float32Array).set(new Float32Array(mapped));
      });
      // The copy is recorded: a temporary source can go back to the pool already.
      if (temporary) this.release(temporary);
      await done;
    } finally {
      await this.runner.checkErrors();
    }
    return result;
  }

  release(storage: Storage): void {
    const s = this.own(storage);
    s.released = true;
    this.liveStorages--;
    this.liveBytes -= s.byteLength;
    if (!this.destroyed) this.storagePool.release(s.buffer);
  }

  memory(): WebGPUMemoryInfo {
    return {
      liveStorages: this.liveStorages,
      liveBytes: this.liveBytes,
      pool: this.storagePool.stats(),
      submits: this.runner.submits,
      dispatches: this.runner.totalDispatches,
      pipelines: this.runner.pipelineCount,
    };
  }

  adapterInfo(): AdapterInfo {
    return this.info;
  }

  flush(): void {
    this.checkAlive();
    this.runner.flush();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.runner.destroy();
    this.storagePool.destroy();
    this.readback.destroy();
    this.device.destroy();
  }

  private checkAlive(): void {
    if (this.destroyed) throw new Error('webgpu: the backend was destroyed');
  }

  /** Records `p`; when it cannot run (a limit), releases `made` (what the op allocated for it) first. */
  private run(p: Program, ...made: GPUStorage[]): void {
    try {
      this.checkAlive();
      this.runner.run(p);
    } catch (error) {
      for (const s of made) if (!s.released) this.release(s);
      throw error;
    }
  }

  // ── layout ───────────────────────────────────────────────────────────────

  copy(x: View, dtype: DType = x.storage.dtype): Storage {
    const src = this.own(x.storage);
    const size = sizeOf(x.layout.shape);
    const out = this.allocate('copy', size, dtype);
    if (size === 0) return out;
    if (dtype === src.dtype && isContiguous(x.layout)) {
      this.runner.copyBuffer(src.buffer, x.layout.offset * 4, out.buffer, 0, size * 4);
      return out;
    }
    const compute = `  let result = ${convert('x', wgslType(src.dtype), wgslType(dtype))};`;
    this.run(elementwiseProgram('copy', out, x.layout.shape, [{ name: 'x', view: x }], compute), out);
    return out;
  }

  write(dst: Storage, dstLayout: Layout, src: View): void {
    const target = this.own(dst);
    this.check(src);
    if (sizeOf(dstLayout.shape) === 0) return;
    // A buffer cannot be bound for reading and writing in one dispatch: copy an aliased source.
    const aliased = src.storage === dst;
    const source: View = aliased
      ? { storage: this.copy(src), layout: contiguousLayout(src.layout.shape) }
      : src;
    const compute = `  let result = ${convert('x', wgslType(source.storage.dtype), wgslType(target.dtype))};`;
    try {
      this.run(
        elementwiseProgram('write', target, dstLayout.shape, [{ name: 'x', view: source }], compute, {
          outLayout: dstLayout,
        }),
      );
    } finally {
      if (aliased) this.release(source.storage);
    }
  }

  // ── elementwise ──────────────────────────────────────────────────────────

  unary(op: UnaryOp, x: View, param = 0): Storage {
    this.check(x);
    const out = this.allocate(op, sizeOf(x.layout.shape), x.storage.dtype);
    this.run(
      elementwiseProgram(
        `unary:${op}`,
        out,
        x.layout.shape,
        [{ name: 'x', view: x }],
        unaryCompute(op, x.storage.dtype),
        {
          uniforms: [{ name: 'param', type: 'f32', value: param }],
        },
      ),
      out,
    );
    return out;
  }

  binary(op: BinaryOp, a: View, b: View): Storage {
    this.check(a, b);
    const out = this.allocate(op, sizeOf(a.layout.shape), a.storage.dtype);
    const inputs = [
      { name: 'x', view: a },
      { name: 'y', view: b },
    ];
    this.run(
      elementwiseProgram(
        `binary:${op}`,
        out,
        a.layout.shape,
        inputs,
        binaryCompute(op, a.storage.dtype, b.storage.dtype),
      ),
      out,
    );
    return out;
  }

  where(cond: View, a: View, b: View): Storage {
    this.check(cond, a, b);
    const t = wgslType(a.storage.dtype);
    const out = this.allocate('where', sizeOf(a.layout.shape), a.storage.dtype);
    const truth = wgslType(cond.storage.dtype) === 'f32' ? 'c != 0.0 || is_nan(c)' : 'c != 0';
    const compute = `  let result = select(${convert('y', wgslType(b.storage.dtype), t)}, x, ${truth});`;
    const inputs = [
      { name: 'c', view: cond },
      { name: 'x', view: a },
      { name: 'y', view: b },
    ];
    this.run(elementwiseProgram('where', out, a.layout.shape, inputs, compute), out);
    return out;
  }

  // ── reductions ───────────────────────────────────────────────────────────

  reduce(op: ReduceOp, x: View, axes: readonly number[]): Storage {
    this.check(x);
    const plan = planReduction(x.layout, axes);
    const dtype = x.storage.dtype;
    if (plan.outputs > 0 && plan.reducedSize === 0)
      return this.full(plan.outputs, dtype, emptyReductionValue(op, dtype));
    const out = this.allocate(op, plan.outputs, dtype);
    if (plan.outputs === 0) return out;
    const temporaries: GPUStorage[] = [];
    const temporary = (n: number) => {
      const t = this.allocate(op, n, dtype);
      temporaries.push(t);
      return t;
    };
    try {
      const { programs } = reducePrograms(op, x, plan, out, temporary);
      for (const p of programs) this.run(p, out);
    } finally {
      for (const t of temporaries) this.release(t);
    }
    return out;
  }

  argReduce(op: 'argmax' | 'argmin', x: View, axis: number): Storage {
    this.check(x);
    const out = this.allocate(op, sizeOf(x.layout.shape.filter((_, i) => i !== axis)), 'int32');
    this.run(argReduceProgram(op, x, axis, out), out);
    return out;
  }

  softmax(x: View, log: boolean): Storage {
    this.check(x);
    if (x.storage.dtype !== 'float32')
      throw new TypeError(`webgpu: softmax needs float32, got ${x.storage.dtype}`);
    const out = this.allocate(log ? 'logSoftmax' : 'softmax', sizeOf(x.layout.shape), 'float32');
    this.run(softmaxProgram(x, log, out), out);
    return out;
  }

  // ── linear algebra ───────────────────────────────────────────────────────

  matmul(a: View, b: View): Storage {
    this.check(a, b);
    const rank = a.layout.shape.length;
    const shape = [...a.layout.shape.slice(0, -1), b.layout.shape[rank - 1]!];
    const out = this.allocate('matmul', sizeOf(shape), a.storage.dtype);
    if (sizeOf(shape) === 0) return out;
    this.run(matmulProgram(a, b, out), out);
    return out;
  }

  matmulBiasActivation(a: View, b: View, bias: View | null, activation: DenseActivation): Storage {
    this.check(a, b, ...(bias ? [bias] : []));
    if (a.storage.dtype !== 'float32') {
      throw new TypeError(`webgpu: matmulBiasActivation needs float32, got ${a.storage.dtype}`);
    }
    const [m, n] = [a.layout.shape[0]!, b.layout.shape[1]!];
    const out = this.allocate('matmulBiasActivation', m * n, 'float32');
    if (m * n === 0) return out;
    this.run(matmulProgram(a, b, out, { bias, activation }), out);
    return out;
  }

  // ── indexing ─────────────────────────────────────────────────────────────

  gather(x: View, indices: View, axis: number): Storage {
    this.check(x, indices);
    const shape = x.layout.shape;
    const outer = sizeOf(shape.slice(0, axis));
    const inner = sizeOf(shape.slice(axis + 1));
    const out = this.allocate('gather', outer * sizeOf(indices.layout.shape) * inner, x.storage.dtype);
    this.run(gatherProgram(x, indices, axis, out), out);
    return out;
  }

  gatherBytes(packed: Storage, at: ByteRowLayout, indices: View, scale: number, shift: number): Storage {
    const words = this.own(packed);
    this.check(indices);
    if (words.dtype !== 'int32')
      throw new TypeError(`webgpu: gatherBytes needs int32 words, got ${words.dtype}`);
    const count = sizeOf(indices.layout.shape);
    const out = this.allocate('gatherBytes', count * at.rowLength, 'float32');
    this.run(gatherBytesProgram(words, at, indices, scale, shift, out), out);
    return out;
  }

  scatterAdd(updates: View, indices: View, axis: number, outShape: Shape): Storage {
    this.check(updates, indices);
    const out = this.allocate('scatterAdd', sizeOf(outShape), updates.storage.dtype);
    this.run(scatterAddProgram(updates, indices, axis, outShape, out), out);
    return out;
  }

  // ── windows ──────────────────────────────────────────────────────────────

  im2col(x: View, g: WindowGeometry, padValue: number): Storage {
    this.check(x);
    const size = g.batch * g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth * g.channels;
    const out = this.allocate('im2col', size, x.storage.dtype);
    this.run(im2colProgram(x, g, padValue, out), out);
    return out;
  }

  col2im(cols: View, g: WindowGeometry): Storage {
    this.check(cols);
    const out = this.allocate('col2im', g.batch * g.inHeight * g.inWidth * g.channels, cols.storage.dtype);
    this.run(col2imProgram(cols, g, out), out);
    return out;
  }

  // ── fused ────────────────────────────────────────────────────────────────

  adamUpdate(param: Storage, grad: View, m: Storage, v: Storage, hyper: AdamHyper): void {
    const [p, ms, vs] = [this.own(param), this.own(m), this.own(v)];
    this.check(grad);
    this.run(adamProgram(p, grad, ms, vs, hyper));
  }

  adamUpdateMany(items: readonly AdamItem[], hyper: AdamHyper): void {
    const owned = items.map((it) => {
      this.check(it.grad);
      return { param: this.own(it.param), grad: it.grad, m: this.own(it.m), v: this.own(it.v) };
    });
    // Four storage buffers per parameter, within the adapter's per-shader limit.
    const perDispatch = Math.max(1, Math.floor(this.device.limits.maxStorageBuffersPerShaderStage / 4));
    for (const p of adamManyPrograms(owned, hyper, perDispatch)) this.run(p);
  }

  softmaxCrossEntropy(logits: View, targets: View, sparse: boolean): Storage {
    this.check(logits, targets);
    this.checkCrossEntropy(logits, targets, sparse);
    const out = this.allocate('softmaxCrossEntropy', sizeOf(logits.layout.shape.slice(0, -1)), 'float32');
    this.run(softmaxCrossEntropyProgram(logits, targets, sparse, out), out);
    return out;
  }

  softmaxCrossEntropyGrad(logits: View, targets: View, sparse: boolean, dy: View): Storage {
    this.check(logits, targets, dy);
    this.checkCrossEntropy(logits, targets, sparse);
    const out = this.allocate('softmaxCrossEntropyGrad', sizeOf(logits.layout.shape), 'float32');
    this.run(softmaxCrossEntropyProgram(logits, targets, sparse, out, dy), out);
    return out;
  }

  // Fused batch normalization (batch-norm-ops.ts) for dense float32 views; else null and the
  // engine composes.
  batchNormTraining(
    x: View,
    gamma: View | null,
    beta: View | null,
    epsilon: number,
    relu = false,
  ): BatchNormOutputs | null {
    return batchNormForward(this.host, x, gamma, beta, epsilon, relu);
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
    return batchNormBackward(this.host, dy, x, mean, variance, gamma, epsilon, beta, relu);
  }

  // Fused recurrent cells (recurrent-ops.ts): one dispatch per step each way.
  lstmCell(z: View, c: View): LstmCellOutputs | null {
    return lstmCellForward(this.host, z, c);
  }

  lstmCellGrad(gates: View, c: View, dOut: View): { dz: Storage; dc: Storage } | null {
    return lstmCellBackward(this.host, gates, c, dOut);
  }

  gruCell(x: View, rec: View, h: View): { out: Storage; gates: Storage } | null {
    return gruCellForward(this.host, x, rec, h);
  }

  gruCellGrad(
    gates: View,
    rec: View,
    h: View,
    dOut: View,
  ): { dx: Storage; dRec: Storage; dh: Storage } | null {
    return gruCellBackward(this.host, gates, rec, h, dOut);
  }

  private checkCrossEntropy(logits: View, targets: View, sparse: boolean): void {
    const want = sparse ? 'int32' : 'float32';
    if (logits.storage.dtype !== 'float32' || targets.storage.dtype !== want) {
      throw new TypeError(
        `webgpu: softmaxCrossEntropy needs float32 logits and ${want} targets, got ${logits.storage.dtype} and ${targets.storage.dtype}`,
      );
    }
  }
}

function toFloat32Array(data: TypedArray): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

function toInt32Array(data: TypedArray): Int32Array {
  return data instanceof Int32Array ? data : Int32Array.from(data, (v) => v | 0);
}
