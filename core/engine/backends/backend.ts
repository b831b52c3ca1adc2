/**
 * The contract every compute backend implements: a small set of primitive kernels over
 * strided views. Everything else in the engine (relu's gradient, softmax cross-entropy, layer
 * norm, optimizers) is composed from these in backend-agnostic code.
 *
 * Conventions shared by every kernel:
 * - Inputs are `View`s: a storage plus a layout (shape, strides, offset). Strides may be 0
 *   (broadcast) or permuted (transpose); a kernel must honour them or copy first.
 * - Outputs are new, contiguous (row-major) storages owned by the caller, unless the kernel is
 *   documented as writing into a destination.
 * - Elementwise kernels receive operands already broadcast to the output shape.
 * - Kernels never read data back to the host; only `read`/`readSync` do.
 */
import type { DType, TypedArray } from '../tensor/dtype.js';
import type { Layout, Shape } from '../tensor/layout.js';

/** Backend-owned memory. Opaque to the engine apart from its element count and type. */
export interface Storage {
  readonly size: number;
  readonly dtype: DType;
}

export interface View {
  readonly storage: Storage;
  readonly layout: Layout;
}

export const unaryOps = [
  'neg',
  'abs',
  'sign',
  'square',
  'sqrt',
  'reciprocal',
  'exp',
  'log',
  'sin',
  'cos',
  'floor',
  'relu',
  'step', // 1 where x > 0, else 0
  'sigmoid',
  'tanh',
  'softplus', // log(1 + e^x), stable for large |x|
  'elu', // param: alpha
  'selu',
  'leakyRelu', // param: alpha
] as const;
export type UnaryOp = (typeof unaryOps)[number];

export const binaryOps = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  // comparisons give 1 or 0 in the operands' dtype
  'equal',
  'notEqual',
  'less',
  'lessEqual',
  'greater',
  'greaterEqual',
] as const;
export type BinaryOp = (typeof binaryOps)[number];

/** max and min propagate NaN (a NaN anywhere in the reduced slice gives NaN), as NumPy does. */
export const reduceOps = ['sum', 'max', 'min', 'prod'] as const;
export type ReduceOp = (typeof reduceOps)[number];

/**
 * Geometry of a 2-D sliding window over NHWC input, shared by im2col/col2im (convolution and
 * pooling). Output height = floor((inH + padTop + padBottom - dilationH·(kH-1) - 1) / strideH) + 1.
 */
export interface WindowGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

export interface AdapterInfo {
  readonly backend: string;
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly limits?: Record<string, number>;
}

export interface MemoryInfo {
  /** Storages allocated and not yet released. Must stay flat across training steps. */
  readonly liveStorages: number;
  readonly liveBytes: number;
}

/** Activations a fused dense kernel applies (their gradients follow from the output alone). */
export const denseActivations = ['linear', 'relu', 'sigmoid', 'tanh'] as const;
export type DenseActivation = (typeof denseActivations)[number];

/** One parameter of a multi-parameter Adam step: contiguous param and slots, any gradient view. */
export interface AdamItem {
  readonly param: Storage;
  readonly grad: View;
  readonly m: Storage;
  readonly v: Storage;
}

/** Where rows of bytes sit in a packed storage (see Backend.gatherBytes). */
export interface ByteRowLayout {
  /** The byte where row 0 starts. */
  readonly byteOffset: number;
  readonly rows: number;
  /** Bytes per row. */
  readonly rowLength: number;
}

/** Hyperparameters of one fused Adam/AdamW step (see Backend.adamUpdate). */
export interface AdamHyper {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Decoupled weight decay (AdamW); 0 for Adam. */
  readonly weightDecay: number;
  /** The 1-based step number, for bias correction. */
  readonly step: number;
}

/** What batchNormTraining gives: the output and the batch statistics, each [C] contiguous. */
export interface BatchNormOutputs {
  readonly y: Storage;
  readonly mean: Storage;
  readonly variance: Storage;
}

export interface BatchNormGrads {
  readonly dx: Storage;
  readonly dGamma: Storage;
  readonly dBeta: Storage;
}

/** What lstmCell gives: the packed output [B, 2U] (h | c′) and the saved activations [B, 5U]. */
export interface LstmCellOutputs {
  readonly out: Storage;
  /** i, f, g, o and tanh(c′), each [B, U] side by side, for the backward pass. */
  readonly gates: Storage;
}

export interface Backend {
  readonly name: 'cpu' | 'webgpu';
  /** float64 is optional (the CPU backend has it, for gradient checks). */
  readonly supportsFloat64: boolean;

  // ── memory ───────────────────────────────────────────────────────────────
  /** A new storage of `size` elements, every element set to `value`. */
  full(size: number, dtype: DType, value: number): Storage;
  /** A new storage holding a copy of `data`. */
  upload(data: TypedArray, dtype: DType): Storage;
  /** Copies the view out, contiguous, in the view's dtype. */
  read(view: View): Promise<TypedArray>;
  /** Synchronous read; only backends whose memory is host memory provide it. */
  readSync?(view: View): TypedArray;
  release(storage: Storage): void;
  memory(): MemoryInfo;
  adapterInfo(): AdapterInfo;
  /** Submits queued work (GPU); a no-op where kernels run eagerly. */
  flush(): void;
  /** Frees every resource; the backend is unusable afterwards. */
  destroy(): void;

  // ── layout ───────────────────────────────────────────────────────────────
  /** A contiguous copy of the view, converted to `dtype` (defaults to the view's own). */
  copy(x: View, dtype?: DType): Storage;
  /** Writes `src` (already broadcast to `dstLayout.shape`) into `dst` at `dstLayout`. */
  write(dst: Storage, dstLayout: Layout, src: View): void;

  // ── elementwise ──────────────────────────────────────────────────────────
  unary(op: UnaryOp, x: View, param?: number): Storage;
  /** Both operands have the output's shape (broadcast by strides); dtype is `a`'s. */
  binary(op: BinaryOp, a: View, b: View): Storage;
  /** cond != 0 ? a : b; all three views share the output shape. */
  where(cond: View, a: View, b: View): Storage;

  // ── reductions ───────────────────────────────────────────────────────────
  /** Reduces over `axes` (sorted, unique); the output shape drops them. */
  reduce(op: ReduceOp, x: View, axes: readonly number[]): Storage;
  /** int32 index of the first max (min) along `axis`; the output shape drops it. */
  argReduce(op: 'argmax' | 'argmin', x: View, axis: number): Storage;
  /** Softmax (or log-softmax) along the last axis, numerically stable (max subtracted). */
  softmax(x: View, log: boolean): Storage;

  // ── linear algebra ───────────────────────────────────────────────────────
  /**
   * Batched matrix product: a is [...batch, M, K], b is [...batch, K, N] (batch dims already
   * broadcast to the same shape, possibly with stride 0); out is contiguous [...batch, M, N].
   * A transposed operand arrives as a view with swapped strides and must run at full speed.
   */
  matmul(a: View, b: View): Storage;

  // ── indexing ─────────────────────────────────────────────────────────────
  /** out[..., i, ...] = x[..., indices[i], ...] along `axis`; indices int32 of any shape. */
  gather(x: View, indices: View, axis: number): Storage;
  /** out = zeros(outShape); out[..., indices[i], ...] += updates[..., i, ...] along `axis`. */
  scatterAdd(updates: View, indices: View, axis: number, outShape: Shape): Storage;

  // ── windows (convolution, pooling) ───────────────────────────────────────
  /** NHWC x → [batch·outH·outW, kH·kW·C] patches; out-of-image taps read `padValue`. */
  im2col(x: View, geometry: WindowGeometry, padValue: number): Storage;
  /** The adjoint of im2col: sums each patch entry back into an NHWC [batch, H, W, C] image. */
  col2im(cols: View, geometry: WindowGeometry): Storage;

  // ── optional fused kernels (the engine composes primitives where one is absent) ──
  /**
   * One Adam/AdamW step for one parameter, in place on contiguous `param`, `m` and `v`:
   * m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
   * p ← p − lr·(m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε) − lr·wd·p
   */
  adamUpdate?(param: Storage, grad: View, m: Storage, v: Storage, hyper: AdamHyper): void;
  /**
   * adamUpdate for several parameters with the same hyperparameters, in as few kernels as the
   * backend can bind (a GPU: one dispatch per few parameters instead of one each).
   */
  adamUpdateMany?(items: readonly AdamItem[], hyper: AdamHyper): void;
  /**
   * Max pooling of NHWC `x` without a patch matrix: `values` [batch·outH·outW·C] holds each
   * window's maximum (NaN when the window holds one), `argmax` (int32, same length) the flat
   * index into x of the element chosen (the first maximum). Every window must hold at least
   * one tap inside the image. The backward pass scatters dy to `argmax`.
   */
  maxPool2d?(x: View, geometry: WindowGeometry): { values: Storage; argmax: Storage };
  /**
   * Softmax cross-entropy along the last axis of `logits` [..., C], one value per row:
   *   loss = Σ_c z_c·(log Σ_k e^{x_k} − x_c)
   * `targets` holds float probabilities z of the logits' shape, or (`sparse`) int32 class
   * indices of the logits' shape without its last axis (z one-hot; an index outside [0, C)
   * gives NaN). Out: contiguous, the logits' shape without the last axis.
   */
  softmaxCrossEntropy?(logits: View, targets: View, sparse: boolean): Storage;
  /**
   * The gradient of softmaxCrossEntropy with respect to the logits, each row scaled by `dy`
   * (a view of the loss's shape): dx = dy·(softmax(x)·Σ_c z_c − z). Out: the logits' shape.
   */
  softmaxCrossEntropyGrad?(logits: View, targets: View, sparse: boolean, dy: View): Storage;
  /**
   * A dense layer's forward pass in one kernel: activation(a·b + bias), a [M, K], b [K, N],
   * bias [N] (or null); out contiguous [M, N]. Each activation as `unary` computes it.
   */
  matmulBiasActivation?(a: View, b: View, bias: View | null, activation: DenseActivation): Storage;
  /**
   * Rows of a uint8 dataset kept packed, four bytes per int32 element (little-endian), as
   * float32: out[k, j] = byte[byteOffset + indices[k]·rowLength + j]·scale + shift, where row
   * indices run over [0, rows). Out [count, rowLength]. An index out of range throws on the
   * CPU and gives a row of `shift` on a GPU (no read-back to check it).
   */
  gatherBytes?(packed: Storage, layout: ByteRowLayout, indices: View, scale: number, shift: number): Storage;
  /**
   * Batch normalization in training mode with statistics over every axis but the last: x is
   * read as [rows, C]; `gamma` and `beta` hold C values (or are null). With the composed
   * ops' roundings (ops/batch-norm.ts): μ = Σx / rows, σ² = Σ(x − μ)² / rows (biased),
   * s = 1 / √(σ² + ε), y = (x − μ)·(s·γ) + β, and with `relu` y = relu of that (a BatchNormalization
   * layer and the ReLU after it in one pass). Out: y of x's shape, mean and variance [C].
   * Returns null when it cannot take the call (dtype, layout, relu); the engine then composes.
   */
  batchNormTraining?(
    x: View,
    gamma: View | null,
    beta: View | null,
    epsilon: number,
    relu?: boolean,
  ): BatchNormOutputs | null;
  /**
   * The gradients of batchNormTraining from dy (x's shape) and the forward's x, mean and
   * variance: ∂β = Σ dy, ∂γ = s·Σ dy·(x − μ), ∂x = dy·f − (x − μ)·f·s²·Σdy(x − μ)/rows − f·∂β/rows
   * with f = s·γ. With `relu`, dy is the gradient of the relu'd output and is first multiplied
   * by step of the pre-relu value, recomputed from x and the statistics (hence `beta`).
   * Returns null when it cannot take the call.
   */
  batchNormTrainingGrad?(
    dy: View,
    x: View,
    mean: View,
    variance: View,
    gamma: View | null,
    epsilon: number,
    beta?: View | null,
    relu?: boolean,
  ): BatchNormGrads | null;
  /**
   * One LSTM cell step from the gate pre-activations z [B, 4U] (Keras order i, f, g, o) and the
   * cell state c [B, U], views of any 2-D strides: i = σ(z_i), f = σ(z_f), g = tanh(z_g),
   * o = σ(z_o), c′ = f·c + i·g, h = o·tanh(c′). Out: contiguous [B, 2U] holding h then c′.
   * Returns null when it cannot take the call; the engine then composes.
   */
  lstmCell?(z: View, c: View): LstmCellOutputs | null;
  /**
   * The cell's gradients from the saved activations [B, 5U], the input state c and dOut [B, 2U]
   * (∂h then ∂c′): with d = ∂c′ + ∂h·o·(1 − tanh²c′), ∂z = [d·g·i(1−i), d·c·f(1−f), d·i·(1−g²),
   * ∂h·tanh(c′)·o(1−o)] and ∂c = d·f. Out: dz contiguous [B, 4U], dc contiguous [B, U].
   */
  lstmCellGrad?(gates: View, c: View, dOut: View): { dz: Storage; dc: Storage } | null;
  /**
   * One GRU step with the reset gate applied after the recurrent product (Keras's default,
   * `resetAfter`), from x [B, 3U] (the input projection with its bias, gates z, r, h̃), rec
   * [B, 3U] (h·U plus the recurrent bias) and h [B, U], views of any 2-D strides:
   * z = σ(x_z + rec_z), r = σ(x_r + rec_r), h̃ = tanh(x_h + r·rec_h), h′ = z·h + (1 − z)·h̃.
   * Out: h′ contiguous [B, U] and the saved z | r | h̃ [B, 3U]. Null when it cannot take the call.
   */
  gruCell?(x: View, rec: View, h: View): { out: Storage; gates: Storage } | null;
  /**
   * The GRU step's gradients from the saved gates, rec, h and dOut [B, U]: with
   * a = dOut·(h − h̃)·z(1−z), c = dOut·(1 − z)·(1 − h̃²), b = c·rec_h·r(1−r):
   * ∂x = [a, b, c], ∂rec = [a, b, c·r], ∂h = dOut·z. Out contiguous.
   */
  gruCellGrad?(
    gates: View,
    rec: View,
    h: View,
    dOut: View,
  ): { dx: Storage; dRec: Storage; dh: Storage } | null;
}
