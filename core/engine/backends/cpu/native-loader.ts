/**
 * Loads NN Lab's optional native CPU kernels (native/, built by scripts/build-native.mjs at
 * `npm install`). Returns null when the addon was not built, does not load, or is stale, or
 * when `NNLAB_NO_NATIVE=1` asks for the portable TypeScript kernels. Never throws.
 *
 * This is the one engine module allowed to touch the file system (see eslint.config.js).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The ABI between this loader and native/src/addon.cc; bump both together. */
const ABI_VERSION = 4;

export interface NativeKernels {
  readonly abiVersion: number;
  /** Which compiled kernel the addon chose for this CPU at load time. */
  readonly kernel: 'native-avx2' | 'native-generic';
  /** See gemm.ts `sgemm`; validates its arguments and throws RangeError/TypeError. */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    aOffset: number,
    lda: number,
    b: Float32Array,
    bOffset: number,
    ldb: number,
    c: Float32Array,
    cOffset: number,
    ldc: number,
    accumulate: boolean,
  ): void;
  /** One Adam/AdamW step in place over equal-length arrays; see adam.ts `adamUpdate`. */
  adamUpdate(
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    step: number,
    weightDecay: number,
  ): void;
  /** The elementwise ops the addon has, by name; an op's index is its code. */
  readonly unaryOps: readonly string[];
  readonly binaryOps: readonly string[];
  /**
   * out[r·inner + j] = op(x[offsets[r] + j·stride]) for float32 over a row plan (strided.ts);
   * bit-identical to the TypeScript expression. Validates bounds and throws RangeError.
   */
  mapUnary(
    code: number,
    out: Float32Array,
    x: Float32Array,
    offsets: Int32Array,
    stride: number,
    rows: number,
    inner: number,
    param: number,
  ): void;
  /** out[r·inner + j] = op(a[aOffsets[r] + j·aStride], b[bOffsets[r] + j·bStride]), as mapUnary. */
  mapBinary(
    code: number,
    out: Float32Array,
    a: Float32Array,
    aOffsets: Int32Array,
    aStride: number,
    b: Float32Array,
    bOffsets: Int32Array,
    bStride: number,
    rows: number,
    inner: number,
  ): void;
  /** out[c] = Σ_r x[offset + r·width + c], accumulated in double in row order. */
  sumLeadingRows(out: Float32Array, x: Float32Array, offset: number, rows: number, width: number): void;
  /**
   * The window kernels of window.ts over contiguous NHWC float32 images, bit-identical to them;
   * `geometry` holds the 14 WindowGeometry fields in backend.ts order. col2im adds into `image`.
   */
  im2col(cols: Float32Array, x: Float32Array, geometry: Int32Array, padValue: number): void;
  col2im(image: Float32Array, cols: Float32Array, geometry: Int32Array): void;
  maxPool2d(values: Float32Array, argmax: Int32Array, x: Float32Array, geometry: Int32Array): void;
  /**
   * Batch normalization in training mode over x viewed as [rows, channels], bit-identical to
   * the composed ops of core/engine/ops/batch-norm.ts (see native/src/batch_norm.cc); with
   * `relu`, followed by a relu (forward) and its step mask (backward, which then needs beta).
   */
  batchNormForward(
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    x: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    rows: number,
    channels: number,
    epsilon: number,
    relu: boolean,
  ): void;
  batchNormBackward(
    dx: Float32Array,
    dGamma: Float32Array,
    dBeta: Float32Array,
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    rows: number,
    channels: number,
    epsilon: number,
    relu: boolean,
  ): void;
  /** The fused LSTM cell's forward pass in float32 (see native/src/lstm_cell.cc). */
  lstmCellForward(
    out: Float32Array,
    gates: Float32Array,
    z: Float32Array,
    zOffset: number,
    zRow: number,
    zCol: number,
    c: Float32Array,
    cOffset: number,
    cRow: number,
    cCol: number,
    batch: number,
    units: number,
  ): void;
  /** The fused GRU step's forward pass in float32 (see native/src/recurrent_cells.cc). */
  gruCellForward(
    out: Float32Array,
    gates: Float32Array,
    x: Float32Array,
    xOffset: number,
    xRow: number,
    xCol: number,
    rec: Float32Array,
    recOffset: number,
    recRow: number,
    recCol: number,
    h: Float32Array,
    hOffset: number,
    hRow: number,
    hCol: number,
    batch: number,
    units: number,
  ): void;
  /** Threads used for large products (0 = the default); returns the count in effect. */
  setThreads(threads: number): number;
  getThreads(): number;
}

let cached: NativeKernels | null | undefined;
let failure: string | undefined;

/** Why the last load returned null (not built, disabled, or the load error). */
export function nativeLoadFailure(): string | undefined {
  return failure;
}

/** Where the built addon is expected: native/build/Release relative to the package root. */
export function nativeAddonPath(): string {
  // This file is core/engine/backends/cpu/native-loader.ts: four levels below the root.
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', '..', '..', 'native', 'build', 'Release', 'nnlab_kernels.node');
}

/** The functions the addon must export; an addon missing one is a stale build. */
const FUNCTIONS = [
  'sgemm',
  'adamUpdate',
  'mapUnary',
  'mapBinary',
  'sumLeadingRows',
  'im2col',
  'col2im',
  'maxPool2d',
  'batchNormForward',
  'batchNormBackward',
  'lstmCellForward',
  'gruCellForward',
  'setThreads',
  'getThreads',
] as const satisfies readonly (keyof NativeKernels)[];

function isNativeKernels(value: unknown): value is NativeKernels {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.abiVersion === ABI_VERSION &&
    (v.kernel === 'native-avx2' || v.kernel === 'native-generic') &&
    Array.isArray(v.unaryOps) &&
    Array.isArray(v.binaryOps) &&
    FUNCTIONS.every((name) => typeof v[name] === 'function')
  );
}

export function loadNativeKernels(): NativeKernels | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (process.env.NNLAB_NO_NATIVE === '1') {
    failure = 'disabled by NNLAB_NO_NATIVE=1';
    return cached;
  }
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    failure = 'not built (run `node scripts/build-native.mjs`)';
    return cached;
  }
  try {
    const addon: unknown = createRequire(import.meta.url)(path);
    if (isNativeKernels(addon)) cached = addon;
    else failure = 'stale build (ABI mismatch; rebuild with `node scripts/build-native.mjs`)';
  } catch (error) {
    failure = `does not load: ${error instanceof Error ? error.message : String(error)}`;
  }
  return cached;
}
