/**
 * The native elementwise kernels and leading-row sum (native/src/elementwise.cc) against the
 * TypeScript loops they replace: every op the addon has, over values that include NaN, ±∞,
 * ±0 and subnormals, in every row-plan shape (contiguous, a broadcast row, a broadcast column,
 * a scalar, transposed, offset views, lengths off the vector width). The claim is bit-identity
 * (Object.is per element, so −0 and NaN count), which is what keeps CPU trajectories the same
 * with and without the addon — except for sigmoid and tanh, which use vectorised single-precision
 * approximations (native/src/fast_math.h): within four float32 ulps, values under 2^-126 possibly
 * flushed to 0, with the same NaN, ±0 and ±1 at the specials.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binaryOps, unaryOps, type BinaryOp, type UnaryOp } from '../../../core/engine/backends/backend.js';
import {
  binaryExpressions,
  mapBinary,
  mapUnary,
  unaryExpressions,
} from '../../../core/engine/backends/cpu/elementwise.js';
import {
  hasNativeElementwise,
  nativeBinary,
  nativeSumLeadingRows,
  nativeUnary,
} from '../../../core/engine/backends/cpu/native-elementwise.js';
import { loadNativeKernels, nativeAddonPath } from '../../../core/engine/backends/cpu/native-loader.js';
import { planRows } from '../../../core/engine/backends/cpu/strided.js';
import { contiguousStrides, type Layout } from '../../../core/engine/tensor/layout.js';

const native = loadNativeKernels();
const nativeExpected = existsSync(nativeAddonPath()) && process.env.NNLAB_NO_NATIVE !== '1';

function random(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const specials = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 1e-40, -1e-40, 3.4e38, -3.4e38, 0.5, 2];

/** Random float32 values with specials and repeats (so comparisons see equal pairs). */
function values(n: number, seed: number): Float32Array {
  const next = random(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = next();
    if (u < 0.15) out[i] = specials[Math.floor(next() * specials.length)]!;
    else if (u < 0.25) out[i] = Math.round(next() * 4 - 2);
    else out[i] = (next() * 2 - 1) * 10 ** (next() * 6 - 3);
  }
  return out;
}

function layout(shape: number[], strides = contiguousStrides(shape), offset = 0): Layout {
  return { shape, strides, offset };
}

/** First index where the two differ as Object.is sees them, or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** The ops computed with libm's float functions, not bit for bit as the TypeScript. */
const approximate = new Set<string>(['sigmoid', 'tanh']);

/** First index where they differ by more than four float32 ulps (or in NaN or sign), or -1. */
function firstApproximateDifference(expected: Float32Array, actual: Float32Array): number {
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (Number.isNaN(e) || Number.isNaN(a) || !Number.isFinite(e)) {
      if (!Object.is(e, a)) return i;
      continue;
    }
    // Four ulps, and results below the smallest normal float (2^-126) may be flushed to 0.
    if (Math.abs(e) >= 2 ** -126 && Math.sign(e) !== Math.sign(a)) return i;
    if (Math.abs(a - e) > Math.max(2 ** -21 * Math.abs(e), 2 ** -126)) return i;
  }
  return -1;
}

// Pairs of operand views over one output shape: [shape, a layout, b layout].
const binaryCases: [string, number[], Layout, Layout][] = [
  ['contiguous 1031', [1031], layout([1031]), layout([1031])],
  ['contiguous [7, 513]', [7, 513], layout([7, 513]), layout([7, 513])],
  ['broadcast row [129, 33] + [1, 33]', [129, 33], layout([129, 33]), layout([129, 33], [0, 1])],
  ['broadcast column [129, 33] + [129, 1]', [129, 33], layout([129, 33]), layout([129, 33], [1, 0])],
  ['scalar first', [5, 211], layout([5, 211], [0, 0], 3), layout([5, 211])],
  ['transposed b', [40, 37], layout([40, 37]), layout([40, 37], [1, 40])],
  ['offset views', [9, 100], layout([9, 100], [110, 1], 7), layout([9, 100], [100, 1], 13)],
  [
    'NHWC batch norm [4, 6, 6, 24] − [1, 1, 1, 24]',
    [4, 6, 6, 24],
    layout([4, 6, 6, 24]),
    layout([4, 6, 6, 24], [0, 0, 0, 1]),
  ],
];

const unaryCases: [string, Layout][] = [
  ['contiguous 1031', layout([1031])],
  ['contiguous [3, 7, 61]', layout([3, 7, 61])],
  ['transposed [50, 23]', layout([50, 23], [1, 50])],
  ['broadcast row [64, 17]', layout([64, 17], [0, 1])],
  ['broadcast column [17, 64]', layout([17, 64], [1, 0], 5)],
  ['offset, stride 2', layout([700], [2], 11)],
];

function storageLength(l: Layout): number {
  let last = l.offset;
  l.shape.forEach((d, i) => (last += (d - 1) * Math.max(0, l.strides[i]!)));
  return last + 1;
}

describe('native elementwise kernels', () => {
  it('are loaded whenever the addon was built (unless NNLAB_NO_NATIVE=1)', () => {
    expect(native !== null).toBe(nativeExpected);
    if (native) {
      // The addon names its ops; each must be one the engine knows.
      for (const op of native.unaryOps) expect(unaryOps).toContain(op);
      for (const op of native.binaryOps) expect(binaryOps).toContain(op);
      expect(hasNativeElementwise('relu')).toBe(true);
      expect(hasNativeElementwise('exp')).toBe(false);
    }
  });

  describe.skipIf(native === null)('bit-identical to the TypeScript loops', () => {
    const nativeUnaryOps = (native?.unaryOps ?? []) as UnaryOp[];
    const nativeBinaryOps = (native?.binaryOps ?? []) as BinaryOp[];

    it.each(nativeUnaryOps)('%s', (op) => {
      for (const [name, l] of unaryCases) {
        const x = values(storageLength(l), name.length * 31 + op.length);
        const n = l.shape.reduce((a, b) => a * b, 1);
        const expected = new Float32Array(n);
        const actual = new Float32Array(n).fill(12345);
        const param = 0.2;
        mapUnary(unaryExpressions[op], expected, x, l, param);
        expect(nativeUnary(op, actual, x, planRows(l.shape, [l]), param, 0)).toBe(true);
        const at = approximate.has(op)
          ? firstApproximateDifference(expected, actual)
          : firstDifference(expected, actual);
        expect(at, `${op} ${name}: at ${at}, ${expected[at]} vs ${actual[at]}`).toBe(-1);
      }
    });

    it.each(nativeBinaryOps)('%s', (op) => {
      for (const [name, shape, la, lb] of binaryCases) {
        const a = values(storageLength(la), name.length * 17 + 1);
        const b = values(storageLength(lb), name.length * 17 + 2);
        // Equal operands somewhere, so comparisons and max/min see ties.
        b.set(a.subarray(0, Math.min(a.length, b.length, 50)));
        const n = shape.reduce((x, y) => x * y, 1);
        const expected = new Float32Array(n);
        const actual = new Float32Array(n).fill(12345);
        mapBinary(binaryExpressions[op], expected, a, la, b, lb);
        expect(nativeBinary(op, actual, a, b, planRows(shape, [la, lb]), 0)).toBe(true);
        const at = firstDifference(expected, actual);
        expect(at, `${op} ${name}: at ${at}, ${expected[at]} vs ${actual[at]}`).toBe(-1);
      }
    });

    it('sums leading rows in the TypeScript order (float64 accumulators)', () => {
      for (const [rows, width, offset] of [
        [1, 1, 0],
        [513, 7, 3],
        [1000, 64, 0],
        [33, 1031, 5],
      ] as const) {
        const x = values(offset + rows * width, rows + width);
        // Finite values only: with an ∞ in a column both give ∞ or NaN, which says little.
        for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!) || Math.abs(x[i]!) > 1e30) x[i] = 0.25;
        const expected = new Float64Array(width);
        for (let r = 0; r < rows; r++)
          for (let c = 0; c < width; c++) expected[c] += x[offset + r * width + c]!;
        const actual = new Float32Array(width);
        expect(nativeSumLeadingRows(actual, x, offset, rows, width, 0)).toBe(true);
        const at = firstDifference(Float32Array.from(expected), actual);
        expect(at, `rows ${rows} width ${width}: column ${at}`).toBe(-1);
      }
    });

    it('declines float64, small tensors and ops it lacks, so the caller runs TypeScript', () => {
      const l = layout([1000]);
      const plan = planRows(l.shape, [l]);
      expect(nativeUnary('relu', new Float64Array(1000), new Float64Array(1000), plan, 0, 0)).toBe(false);
      expect(nativeUnary('exp', new Float32Array(1000), new Float32Array(1000), plan, 0, 0)).toBe(false);
      expect(nativeUnary('relu', new Float32Array(1000), new Float32Array(1000), plan, 0, 2000)).toBe(false);
    });

    it('refuses out-of-bounds plans with a RangeError instead of reading past an array', () => {
      const x = new Float32Array(10);
      const out = new Float32Array(20);
      expect(() => native!.mapUnary(0, out, x, Int32Array.of(0, 5), 1, 2, 10, 0)).toThrow(
        /mapUnary: x row 1 is out of bounds/,
      );
      expect(() => native!.mapUnary(0, new Float32Array(5), x, Int32Array.of(0), 1, 1, 10, 0)).toThrow(
        /out is shorter/,
      );
      expect(() => native!.mapBinary(99, out, x, Int32Array.of(0), 1, x, Int32Array.of(0), 1, 1, 10)).toThrow(
        /unknown op code/,
      );
      expect(() => native!.sumLeadingRows(new Float32Array(4), x, 1, 3, 4)).toThrow(/out of bounds of x/);
      expect(() => native!.mapBinary(0, out, x, Int32Array.of(0), -1, x, Int32Array.of(0), 1, 1, 2)).toThrow(
        /a row 0 is out of bounds/,
      );
    });
  });
});
