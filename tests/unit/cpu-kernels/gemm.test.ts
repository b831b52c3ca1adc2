/**
 * GEMM kernels against a float64 naive reference: all four transpose combinations, odd sizes
 * (none a multiple of any block size), non-zero offsets, leading dimensions longer than the
 * rows, accumulate on and off, for the native addon (when built) and the TypeScript kernel.
 *
 * Error bound. Every element of C is a sum of k products (plus C's old value when
 * accumulating), each product rounded at most once, summed in some order in float32 (or
 * better). The classic worst-case bound for any summation order (Higham, Accuracy and
 * Stability of Numerical Algorithms, §3.1) is
 *     |ĉ − c| ≤ γ(k+1) · (|C₀| + |A|·|B|),   γ(n) = n·u / (1 − n·u),  u = 2⁻²⁴,
 * elementwise, with the reference computed in float64 (its own error is ~2⁻⁵³·k, negligible).
 * A wrong index or a missed block gives errors of order |A|·|B| itself, far above this.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  dgemm,
  gemmBackendName,
  getGemmThreads,
  setGemmThreads,
  sgemm,
  sgemmNative,
  sgemmTypescript,
  type GemmFn,
} from '../../../core/engine/backends/cpu/gemm.js';
import { nativeAddonPath, nativeLoadFailure } from '../../../core/engine/backends/cpu/native-loader.js';

const U32 = 2 ** -24;
const gamma = (n: number, u: number) => (n * u) / (1 - n * u);

/** Deterministic values in [-1, 1). */
function random(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 31 - 1;
  };
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
  /** Extra elements before each operand and at the end of each stored row. */
  pad: number;
}

interface Operands<T> {
  a: T;
  aOffset: number;
  lda: number;
  b: T;
  bOffset: number;
  ldb: number;
  c: T;
  cOffset: number;
  ldc: number;
}

const SENTINEL = 12345.5;

function makeOperands<T extends Float32Array | Float64Array>(
  Ctor: { new (n: number): T },
  c: Case,
  seed: number,
): Operands<T> {
  const next = random(seed);
  const fill = (rows: number, cols: number, offset: number, ld: number, filler: () => number) => {
    const data = new Ctor(offset + Math.max(0, rows - 1) * ld + cols + c.pad);
    data.fill(SENTINEL);
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) data[offset + r * ld + j] = filler();
    return data;
  };
  const aRows = c.transA ? c.k : c.m;
  const aCols = c.transA ? c.m : c.k;
  const bRows = c.transB ? c.n : c.k;
  const bCols = c.transB ? c.k : c.n;
  const aOffset = c.pad * 3;
  const bOffset = c.pad * 5;
  const cOffset = c.pad * 7;
  const lda = aCols + c.pad;
  const ldb = bCols + c.pad;
  const ldc = c.n + c.pad;
  return {
    a: fill(aRows, aCols, aOffset, lda, next),
    aOffset,
    lda,
    b: fill(bRows, bCols, bOffset, ldb, next),
    bOffset,
    ldb,
    c: fill(c.m, c.n, cOffset, ldc, c.accumulate ? next : () => Number.NaN), // NaN: must be overwritten
    cOffset,
    ldc,
  };
}

/** The exact (float64) product and |C₀| + |A|·|B|, both m×n contiguous. */
function reference(
  c: Case,
  o: Operands<Float32Array | Float64Array>,
): { value: Float64Array; scale: Float64Array } {
  const value = new Float64Array(c.m * c.n);
  const scale = new Float64Array(c.m * c.n);
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < c.k; p++) {
        const av = o.a[o.aOffset + (c.transA ? p * o.lda + i : i * o.lda + p)]!;
        const bv = o.b[o.bOffset + (c.transB ? j * o.ldb + p : p * o.ldb + j)]!;
        s += av * bv;
        t += Math.abs(av * bv);
      }
      if (c.accumulate) {
        const c0 = o.c[o.cOffset + i * o.ldc + j]!;
        s += c0;
        t += Math.abs(c0);
      }
      value[i * c.n + j] = s;
      scale[i * c.n + j] = t;
    }
  }
  return { value, scale };
}

function multiply<T extends Float32Array | Float64Array>(gemm: GemmFn<T>, c: Case, o: Operands<T>): void {
  gemm(
    c.transA,
    c.transB,
    c.m,
    c.n,
    c.k,
    o.a,
    o.aOffset,
    o.lda,
    o.b,
    o.bOffset,
    o.ldb,
    o.c,
    o.cOffset,
    o.ldc,
    c.accumulate,
  );
}

/** Runs one case; returns the worst error as a fraction of the bound (must be ≤ 1). */
function check<T extends Float32Array | Float64Array>(
  gemm: GemmFn<T>,
  Ctor: { new (n: number): T },
  c: Case,
  u: number,
  seed = 1,
): number {
  const o = makeOperands(Ctor, c, seed);
  const before = o.c.slice();
  const ref = reference(c, o);
  gemm(
    c.transA,
    c.transB,
    c.m,
    c.n,
    c.k,
    o.a,
    o.aOffset,
    o.lda,
    o.b,
    o.bOffset,
    o.ldb,
    o.c,
    o.cOffset,
    o.ldc,
    c.accumulate,
  );
  const g = gamma(c.k + 1, u);
  let worst = 0;
  const inside = new Uint8Array(o.c.length);
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      const at = o.cOffset + i * o.ldc + j;
      inside[at] = 1;
      const got = o.c[at]!;
      const err = Math.abs(got - ref.value[i * c.n + j]!);
      const bound = g * ref.scale[i * c.n + j]!;
      if (!(err <= bound)) {
        throw new Error(
          `C[${i}, ${j}] = ${got}, expected ${ref.value[i * c.n + j]} (error ${err} > bound ${bound}) in ${JSON.stringify(c)}`,
        );
      }
      if (bound > 0) worst = Math.max(worst, err / bound);
    }
  }
  // Nothing outside C's m×n window (padding, gaps between rows) may change.
  for (let x = 0; x < o.c.length; x++) {
    if (!inside[x] && !Object.is(o.c[x], before[x])) throw new Error(`C outside the window changed at ${x}`);
  }
  return worst;
}

const transposes = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/** Shapes [m, n, k]: 1, 7, 13, 513 and sizes straddling every block edge of both kernels. */
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 13],
  [7, 1, 13],
  [13, 7, 1],
  [7, 13, 5],
  [13, 13, 13],
  [513, 7, 13],
  [7, 513, 13],
  [13, 7, 513],
  [65, 97, 300],
  [150, 35, 257],
  [7, 3100, 9], // more columns than one native NC block
];

function cases(list: [number, number, number][]): Case[] {
  const out: Case[] = [];
  let pad = 0;
  for (const [m, n, k] of list) {
    for (const [transA, transB] of transposes) {
      for (const accumulate of [false, true]) {
        out.push({ m, n, k, transA, transB, accumulate, pad: pad % 3 === 0 ? 0 : (pad % 7) + 1 });
        pad++;
      }
    }
  }
  return out;
}

const nativeBuilt = existsSync(nativeAddonPath());
const nativeDisabled = process.env.NNLAB_NO_NATIVE === '1';

describe('gemm backend selection', () => {
  it('uses the native addon whenever it was built (unless NNLAB_NO_NATIVE=1)', () => {
    if (nativeBuilt && !nativeDisabled) {
      expect(nativeLoadFailure()).toBeUndefined();
      expect(gemmBackendName()).toMatch(/^native-/);
      expect(sgemm).toBe(sgemmNative);
      if (process.env.NNLAB_NATIVE_GENERIC === '1') expect(gemmBackendName()).toBe('native-generic');
    } else {
      expect(gemmBackendName()).toBe('typescript');
      expect(sgemm).toBe(sgemmTypescript);
    }
  });

  describe('NNLAB_NO_NATIVE=1', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.resetModules();
    });
    it('forces the TypeScript kernels', async () => {
      vi.stubEnv('NNLAB_NO_NATIVE', '1');
      vi.resetModules();
      const fresh = await import('../../../core/engine/backends/cpu/gemm.js');
      expect(fresh.gemmBackendName()).toBe('typescript');
      expect(fresh.sgemmNative).toBeNull();
      expect(fresh.sgemm).toBe(fresh.sgemmTypescript);
      expect(fresh.getGemmThreads()).toBe(1);
    });
  });
});

const implementations: [string, GemmFn<Float32Array> | null][] = [
  ['native', sgemmNative],
  ['typescript', sgemmTypescript],
];

for (const [label, impl] of implementations) {
  describe.skipIf(impl === null)(`sgemm (${label})`, () => {
    const gemm = impl!;

    it.each(cases(shapes))('%j', (c) => {
      expect(check(gemm, Float32Array, c, U32)).toBeLessThanOrEqual(1);
    });

    it('handles products large enough to run on several threads', () => {
      // 25 M multiply-adds: above the native kernels' threshold for using the thread pool.
      for (const [transA, transB] of transposes) {
        const c = { m: 241, n: 333, k: 313, transA, transB, accumulate: transA, pad: 3 };
        expect(check(gemm, Float32Array, c, U32, 7)).toBeLessThanOrEqual(1);
      }
    });

    it('clears or keeps C when k = 0, and does nothing when m or n is 0', () => {
      const c = new Float32Array([1, 2, 3, 4]);
      gemm(false, false, 2, 2, 0, new Float32Array(0), 0, 0, new Float32Array(0), 0, 2, c, 0, 2, true);
      expect([...c]).toEqual([1, 2, 3, 4]);
      gemm(false, false, 1, 2, 0, new Float32Array(0), 0, 0, new Float32Array(0), 0, 2, c, 2, 2, false);
      expect([...c]).toEqual([1, 2, 0, 0]);
      gemm(false, false, 0, 2, 3, new Float32Array(0), 0, 3, new Float32Array(6), 0, 2, c, 0, 2, false);
      gemm(false, false, 2, 0, 3, new Float32Array(6), 0, 3, new Float32Array(0), 0, 0, c, 0, 0, false);
      expect([...c]).toEqual([1, 2, 0, 0]);
    });

    it('propagates NaN and infinities', () => {
      const a = new Float32Array([Number.NaN, 1, 0, 1]); // [[NaN, 1], [0, 1]]
      const b = new Float32Array([1, 0, Number.POSITIVE_INFINITY, 1]); // [[1, 0], [inf, 1]]
      const c = new Float32Array(4);
      gemm(false, false, 2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2, false);
      expect(Number.isNaN(c[0])).toBe(true);
      expect(Number.isNaN(c[1])).toBe(true); // NaN·0
      expect(c[2]).toBe(Number.POSITIVE_INFINITY);
      expect(c[3]).toBe(1);
    });

    it('rejects operands that do not fit their arrays', () => {
      const a = new Float32Array(6);
      const b = new Float32Array(6);
      const c = new Float32Array(4);
      expect(() => gemm(false, false, 2, 2, 3, a, 1, 3, b, 0, 2, c, 0, 2, false)).toThrow(RangeError);
      expect(() => gemm(false, false, 2, 2, 3, a, 0, 2, b, 0, 2, c, 0, 2, false)).toThrow(RangeError); // lda < k
      expect(() => gemm(false, true, 2, 2, 3, a, 0, 3, b, 0, 3, c, 1, 2, false)).toThrow(RangeError);
      expect(() => gemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2.5, false)).toThrow(RangeError);
      expect(() => gemm(false, false, -1, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, false)).toThrow(RangeError);
      expect(c.every((v) => v === 0)).toBe(true);
    });
  });
}

describe.skipIf(sgemmNative === null)('native sgemm threads', () => {
  afterEach(() => {
    setGemmThreads(0);
  });

  it('gives bit-identical results on one thread and on several, call after call', () => {
    // Three k blocks accumulate into each C tile: a race between them (or on the shared
    // packed B) shows up as a mismatch in some call, so repeat.
    const c: Case = { m: 301, n: 290, k: 700, transA: false, transB: true, accumulate: false, pad: 1 };
    const one = makeOperands(Float32Array, c, 3);
    expect(setGemmThreads(1)).toBe(1);
    multiply(sgemmNative!, c, one);
    const expected = Buffer.from(one.c.buffer);
    for (const threads of [2, 3]) {
      expect(setGemmThreads(threads)).toBe(threads);
      const many = makeOperands(Float32Array, c, 3);
      for (let rep = 0; rep < 15; rep++) {
        many.c.fill(Number.NaN, many.cOffset, many.cOffset + (c.m - 1) * many.ldc + c.n);
        multiply(sgemmNative!, c, many);
        many.c.fill(SENTINEL, 0, many.cOffset); // (the fill above only touched C's window and gaps)
        for (let i = 0; i < c.m - 1; i++) {
          many.c.fill(SENTINEL, many.cOffset + i * many.ldc + c.n, many.cOffset + (i + 1) * many.ldc);
        }
        expect(Buffer.from(many.c.buffer).equals(expected)).toBe(true);
      }
    }
    expect(setGemmThreads(0)).toBe(getGemmThreads());
  });

  it('rejects a negative thread count', () => {
    expect(() => setGemmThreads(-1)).toThrow(RangeError);
  });
});

describe('dgemm (float64, TypeScript)', () => {
  const U64 = 2 ** -53;
  it.each(cases(shapes.filter(([m, n, k]) => m * n * k < 2_000_000)))('%j', (c) => {
    expect(check(dgemm, Float64Array, c, U64)).toBeLessThanOrEqual(1);
  });
});
