/**
 * GEMM, the CPU backend's hot kernel: C = op(A)·op(B) (+ C), row-major, where op(X) is X or
 * Xᵀ as the transpose flag says. Operands are given BLAS-style as (array, offset, leading
 * dimension): element (r, c) of a stored matrix lies at `offset + r·ld + c`.
 *
 *   A is stored m×k (transA false) or k×m (transA true); B is stored k×n or n×k; C is m×n.
 *   Leading dimensions must be at least the stored row length; C must not overlap A or B.
 *
 * `sgemm` runs the native addon (native/, AVX2+FMA or generic C++, with its own thread pool)
 * when it was built and loads, else the portable TypeScript kernel below. `dgemm` (float64)
 * is TypeScript only: it serves gradient checks, where correctness matters, not speed.
 */
import { loadNativeKernels } from './native-loader.js';

export type GemmBackendName = 'native-avx2' | 'native-generic' | 'typescript';

export type GemmFn<T extends Float32Array | Float64Array> = (
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: T,
  aOffset: number,
  lda: number,
  b: T,
  bOffset: number,
  ldb: number,
  c: T,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
) => void;

const native = loadNativeKernels();

/** The native sgemm when the addon loaded, else null (for tests and benchmarks). */
export const sgemmNative: GemmFn<Float32Array> | null = native ? native.sgemm.bind(native) : null;

export function gemmBackendName(): GemmBackendName {
  return native ? native.kernel : 'typescript';
}

/**
 * Threads the native kernels use for large products (small ones always run on the calling
 * thread). 0 restores the default: `NNLAB_THREADS`, else the CPUs this process may use (at
 * most 8). Returns the count in effect; always 1 for the TypeScript kernels.
 */
export function setGemmThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 0)
    throw new RangeError('setGemmThreads: expected an integer >= 0');
  return native ? native.setThreads(threads) : 1;
}

export function getGemmThreads(): number {
  return native ? native.getThreads() : 1;
}

// ── argument checks (shared by the TypeScript kernels; the addon checks its own) ─────────────

function checkIndex(name: string, what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name}: ${what} must be a non-negative integer`);
}

function checkMatrix(
  name: string,
  what: string,
  length: number,
  offset: number,
  ld: number,
  rows: number,
  cols: number,
): void {
  if (rows === 0 || cols === 0) return;
  if (ld < cols) throw new RangeError(`${name}: leading dimension of ${what} is smaller than its row length`);
  if (offset + (rows - 1) * ld + cols > length)
    throw new RangeError(`${name}: ${what} is out of bounds of its array`);
}

/** Validates; returns false when there is nothing to multiply (C was cleared if needed). */
function prepare(
  name: string,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: ArrayLike<number>,
  aOffset: number,
  lda: number,
  b: ArrayLike<number>,
  bOffset: number,
  ldb: number,
  c: Float32Array | Float64Array,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
): boolean {
  checkIndex(name, 'm', m);
  checkIndex(name, 'n', n);
  checkIndex(name, 'k', k);
  for (const [what, v] of [
    ['aOffset', aOffset],
    ['lda', lda],
    ['bOffset', bOffset],
    ['ldb', ldb],
    ['cOffset', cOffset],
    ['ldc', ldc],
  ] as const) {
    checkIndex(name, what, v);
  }
  if (m === 0 || n === 0) return false;
  checkMatrix(name, 'c', c.length, cOffset, ldc, m, n);
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
    return false;
  }
  checkMatrix(name, 'a', a.length, aOffset, lda, transA ? k : m, transA ? m : k);
  checkMatrix(name, 'b', b.length, bOffset, ldb, transB ? n : k, transB ? k : n);
  return true;
}

// ── the portable float32 kernel ─────────────────────────────────────────────────────────────
//
// Goto-style blocking: for each KC slice of the shared dimension, op(B)'s KC×NC block is
// packed into 4-column panels and op(A)'s MC×KC block into 4-row panels (zero-padded), so the
// transposes cost only the packing; then a 4×4 register-blocked micro-kernel (16 local
// accumulators, 8 loads per 16 multiply-adds) walks the panels. Accumulation happens in
// float64 locals, rounded once per KC slice.

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 32;
const NC = 1024;

const packA32 = new Float32Array(MC * KC);
let packB32 = new Float32Array(KC * NC);

function packA(
  trans: boolean,
  a: Float32Array,
  origin: number,
  lda: number,
  mc: number,
  kc: number,
  dst: Float32Array,
): void {
  let d = 0;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = Math.min(MR, mc - i0);
    if (!trans) {
      for (let r = 0; r < MR; r++) {
        if (r < rows) {
          const s = origin + (i0 + r) * lda;
          for (let p = 0; p < kc; p++) dst[d + p * MR + r] = a[s + p]!;
        } else {
          for (let p = 0; p < kc; p++) dst[d + p * MR + r] = 0;
        }
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = origin + p * lda + i0;
        const o = d + p * MR;
        for (let r = 0; r < MR; r++) dst[o + r] = r < rows ? a[s + r]! : 0;
      }
    }
    d += MR * kc;
  }
}

function packB(
  trans: boolean,
  b: Float32Array,
  origin: number,
  ldb: number,
  kc: number,
  nc: number,
  dst: Float32Array,
): void {
  let d = 0;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = Math.min(NR, nc - j0);
    if (!trans) {
      for (let p = 0; p < kc; p++) {
        const s = origin + p * ldb + j0;
        const o = d + p * NR;
        for (let c = 0; c < NR; c++) dst[o + c] = c < cols ? b[s + c]! : 0;
      }
    } else {
      for (let c = 0; c < NR; c++) {
        if (c < cols) {
          const s = origin + (j0 + c) * ldb;
          for (let p = 0; p < kc; p++) dst[d + p * NR + c] = b[s + p]!;
        } else {
          for (let p = 0; p < kc; p++) dst[d + p * NR + c] = 0;
        }
      }
    }
    d += NR * kc;
  }
}

/** The 4×4 tile of C at `ci` from packed panels at `ai` and `bi`; `rows`/`cols` clip edges. */
function tile32(
  kc: number,
  pa: Float32Array,
  ai: number,
  pb: Float32Array,
  bi: number,
  c: Float32Array,
  ci: number,
  ldc: number,
  rows: number,
  cols: number,
  add: boolean,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  const end = ai + kc * MR;
  for (; ai < end; ai += MR, bi += NR) {
    const a0 = pa[ai]!,
      a1 = pa[ai + 1]!,
      a2 = pa[ai + 2]!,
      a3 = pa[ai + 3]!;
    const b0 = pb[bi]!,
      b1 = pb[bi + 1]!,
      b2 = pb[bi + 2]!,
      b3 = pb[bi + 3]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  if (rows === MR && cols === NR) {
    if (add) {
      c[ci] += c00;
      c[ci + 1] += c01;
      c[ci + 2] += c02;
      c[ci + 3] += c03;
      ci += ldc;
      c[ci] += c10;
      c[ci + 1] += c11;
      c[ci + 2] += c12;
      c[ci + 3] += c13;
      ci += ldc;
      c[ci] += c20;
      c[ci + 1] += c21;
      c[ci + 2] += c22;
      c[ci + 3] += c23;
      ci += ldc;
      c[ci] += c30;
      c[ci + 1] += c31;
      c[ci + 2] += c32;
      c[ci + 3] += c33;
    } else {
      c[ci] = c00;
      c[ci + 1] = c01;
      c[ci + 2] = c02;
      c[ci + 3] = c03;
      ci += ldc;
      c[ci] = c10;
      c[ci + 1] = c11;
      c[ci + 2] = c12;
      c[ci + 3] = c13;
      ci += ldc;
      c[ci] = c20;
      c[ci + 1] = c21;
      c[ci + 2] = c22;
      c[ci + 3] = c23;
      ci += ldc;
      c[ci] = c30;
      c[ci + 1] = c31;
      c[ci + 2] = c32;
      c[ci + 3] = c33;
    }
    return;
  }
  const t = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const v = t[r * NR + j]!;
      c[ci + r * ldc + j] = add ? c[ci + r * ldc + j]! + v : v;
    }
  }
}

/**
 * The portable TypeScript sgemm (what `sgemm` runs without the addon); exported so tests and
 * benchmarks can call it directly.
 */
export const sgemmTypescript: GemmFn<Float32Array> = (
  transA,
  transB,
  m,
  n,
  k,
  a,
  aOffset,
  lda,
  b,
  bOffset,
  ldb,
  c,
  cOffset,
  ldc,
  accumulate,
) => {
  if (
    !prepare('sgemm', transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate)
  )
    return;
  const kcMax = Math.ceil(k / Math.ceil(k / KC));
  const ncMax = Math.min(NC, Math.ceil(n / NR) * NR);
  if (packB32.length < kcMax * ncMax) packB32 = new Float32Array(kcMax * ncMax);
  const pa = packA32;
  const pb = packB32;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = Math.min(kcMax, k - pc);
      const add = accumulate || pc > 0;
      packB(transB, b, transB ? bOffset + jc * ldb + pc : bOffset + pc * ldb + jc, ldb, kc, nc, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(transA, a, transA ? aOffset + pc * lda + ic : aOffset + ic * lda + pc, lda, mc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            tile32(
              kc,
              pa,
              ir * kc,
              pb,
              jr * kc,
              c,
              cOffset + (ic + ir) * ldc + jc + jr,
              ldc,
              rows,
              cols,
              add,
            );
          }
        }
      }
    }
  }
};

/** C = op(A)·op(B) (+ C when accumulate), float32: native when available, else TypeScript. */
export const sgemm: GemmFn<Float32Array> = sgemmNative ?? sgemmTypescript;

// ── float64 (TypeScript only) ───────────────────────────────────────────────────────────────

/**
 * C = op(A)·op(B) (+ C when accumulate), float64, for gradient checks. Transposed operands
 * are copied row-major first; the product is a blocked i-k-j loop over contiguous rows, every
 * element of C summed in a fixed order.
 */
export const dgemm: GemmFn<Float64Array> = (
  transA,
  transB,
  m,
  n,
  k,
  a,
  aOffset,
  lda,
  b,
  bOffset,
  ldb,
  c,
  cOffset,
  ldc,
  accumulate,
) => {
  if (
    !prepare('dgemm', transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate)
  )
    return;
  // op(A) as m×k row-major at (A, ao, la); op(B) as k×n at (B, bo, lb).
  let A = a,
    ao = aOffset,
    la = lda;
  if (transA) {
    A = new Float64Array(m * k);
    for (let p = 0; p < k; p++) for (let i = 0; i < m; i++) A[i * k + p] = a[aOffset + p * lda + i]!;
    ao = 0;
    la = k;
  }
  let B = b,
    bo = bOffset,
    lb = ldb;
  if (transB) {
    B = new Float64Array(k * n);
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) B[p * n + j] = b[bOffset + j * ldb + p]!;
    bo = 0;
    lb = n;
  }
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const ci = cOffset + i * ldc;
    if (accumulate) for (let j = 0; j < n; j++) row[j] = c[ci + j]!;
    else row.fill(0);
    const ai = ao + i * la;
    for (let p = 0; p < k; p++) {
      const av = A[ai + p]!;
      const bi = bo + p * lb;
      for (let j = 0; j < n; j++) row[j] += av * B[bi + j]!;
    }
    for (let j = 0; j < n; j++) c[ci + j] = row[j]!;
  }
};
