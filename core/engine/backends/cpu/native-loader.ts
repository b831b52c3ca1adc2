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
const ABI_VERSION = 2;

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

function isNativeKernels(value: unknown): value is NativeKernels {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.abiVersion === ABI_VERSION &&
    (v.kernel === 'native-avx2' || v.kernel === 'native-generic') &&
    typeof v.sgemm === 'function' &&
    typeof v.adamUpdate === 'function' &&
    typeof v.setThreads === 'function' &&
    typeof v.getThreads === 'function'
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
