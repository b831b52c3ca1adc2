/**
 * WebGPU elementwise kernels (unary, binary, where, copy with cast, strided write, full)
 * against float64 references computed here. float32 relative tolerance 1e-4 (values near 0 are
 * compared against an absolute floor of 1e-3·1e-4), except sin/cos: 1e-4 with an absolute
 * floor of 1e-2 (a float32 argument near a zero crossing has no better relative accuracy).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { binaryOps, unaryOps, type BinaryOp, type UnaryOp } from '../../../core/engine/backends/backend.js';
import { gatherStrided, mismatch, openBackend, randomData, SPECIALS, view } from './support.js';

const gpu = await openBackend('elementwise.test.ts');
afterAll(() => gpu?.destroy());

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const ALPHA = 0.3;

const unaryRef: Record<UnaryOp, (a: number) => number> = {
  neg: (a) => -a,
  abs: Math.abs,
  sign: (a) => (a > 0 ? 1 : a < 0 ? -1 : a),
  square: (a) => a * a,
  sqrt: Math.sqrt,
  reciprocal: (a) => 1 / a,
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  floor: Math.floor,
  relu: (a) => (a < 0 ? 0 : a),
  step: (a) => (a > 0 ? 1 : Number.isNaN(a) ? a : 0),
  sigmoid: (a) => 1 / (1 + Math.exp(-a)),
  tanh: Math.tanh,
  softplus: (a) => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a))),
  elu: (a) => (a > 0 ? a : ALPHA * Math.expm1(a)),
  selu: (a) => (a > 0 ? SELU_SCALE * a : SELU_SCALE * SELU_ALPHA * Math.expm1(a)),
  leakyRelu: (a) => (a > 0 ? a : ALPHA * a),
};

const nanAware = (f: (a: number, b: number) => number) => (a: number, b: number) =>
  Number.isNaN(a) || Number.isNaN(b) ? NaN : f(a, b);
const binaryRef: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: nanAware(Math.max),
  minimum: nanAware(Math.min),
  equal: (a, b) => +(a === b),
  notEqual: (a, b) => +(a !== b),
  less: (a, b) => +(a < b),
  lessEqual: (a, b) => +(a <= b),
  greater: (a, b) => +(a > b),
  greaterEqual: (a, b) => +(a >= b),
};

const floorFor = (op: string) => (op === 'sin' || op === 'cos' ? 1e-2 : 1e-3);

describe.skipIf(!gpu)('webgpu elementwise', () => {
  const be = gpu!;

  describe('unary', () => {
    for (const op of unaryOps) {
      it(`${op}: sizes 1, 7, 513 and special values`, async () => {
        for (const n of [1, 7, 513]) {
          const data = op === 'log' || op === 'sqrt' ? randomData(n, n, 0.05, 3) : randomData(n, n, -3, 3);
          const x = be.upload(Float32Array.from(data), 'float32');
          const out = be.unary(op, view(x, [n]), ALPHA);
          const got = await be.read(view(out, [n]));
          expect(mismatch(got, data.map(unaryRef[op]), 1e-4, floorFor(op)), `${op} n=${n}`).toBeNull();
          be.release(x);
          be.release(out);
        }
        const x = be.upload(Float32Array.from(SPECIALS), 'float32');
        const out = be.unary(op, view(x, [SPECIALS.length]), ALPHA);
        const got = await be.read(view(out, [SPECIALS.length]));
        const expected = SPECIALS.map((a) => Math.fround(unaryRef[op](a)));
        expect(mismatch(got, expected, 1e-4, floorFor(op)), `${op} specials`).toBeNull();
        be.release(x);
        be.release(out);
      });
    }

    it('follows strides: a transposed, offset view', async () => {
      const data = randomData(4 * 6, 3);
      const x = be.upload(Float32Array.from(data), 'float32');
      // [3, 4] view of columns 1..3 of a [4, 6] matrix, transposed.
      const out = be.unary('exp', view(x, [3, 4], [1, 6], 1));
      const got = await be.read(view(out, [3, 4]));
      expect(mismatch(got, gatherStrided(data, [3, 4], [1, 6], 1).map(Math.exp))).toBeNull();
    });

    it('int32: exact integer forms and truncating float forms', async () => {
      const ints = [0, 1, -1, 7, -7, 46340, -123456, 65537];
      const x = be.upload(Int32Array.from(ints), 'int32');
      for (const op of [
        'neg',
        'abs',
        'sign',
        'square',
        'floor',
        'relu',
        'step',
        'sqrt',
        'reciprocal',
      ] as const) {
        const out = be.unary(op, view(x, [ints.length]));
        const got = await be.read(view(out, [ints.length]));
        expect(got).toBeInstanceOf(Int32Array);
        const expected = Int32Array.from(ints.map((a) => unaryRef[op](a)));
        expect([...got], op).toEqual([...expected]);
      }
    });
  });

  describe('binary', () => {
    for (const op of binaryOps) {
      it(`${op}: broadcast, transposed and special operands`, async () => {
        const [m, n] = [7, 513];
        const positive = op === 'pow';
        const da = randomData(m * n, 11, positive ? 0.2 : -2, 2.5);
        const db = randomData(n, 12, positive ? -2 : -2, 2);
        // Exact ties for the comparisons.
        for (let i = 0; i < n; i += 5) da[i] = db[i]!;
        const a = be.upload(Float32Array.from(da), 'float32');
        const b = be.upload(Float32Array.from(db), 'float32');
        const out = be.binary(op, view(a, [m, n]), view(b, [m, n], [0, 1]));
        const got = await be.read(view(out, [m, n]));
        const expected = da.map((x, i) => binaryRef[op](x, db[i % n]!));
        expect(mismatch(got, expected), `${op} broadcast`).toBeNull();

        // a transposed: [n, m] view of a's [m, n] storage, b broadcast along the other axis.
        const outT = be.binary(op, view(a, [n, m], [1, n]), view(b, [n, m], [1, 0]));
        const gotT = await be.read(view(outT, [n, m]));
        const at = gatherStrided(da, [n, m], [1, n]);
        const expectedT = at.map((x, i) => binaryRef[op](x, db[Math.floor(i / m)]!));
        expect(mismatch(gotT, expectedT), `${op} transposed`).toBeNull();

        const k = SPECIALS.length;
        const sa = SPECIALS.flatMap((x) => SPECIALS.map(() => x));
        const sb = SPECIALS.flatMap(() => SPECIALS);
        const xa = be.upload(Float32Array.from(sa), 'float32');
        const xb = be.upload(Float32Array.from(sb), 'float32');
        const outS = be.binary(op, view(xa, [k * k]), view(xb, [k * k]));
        const gotS = await be.read(view(outS, [k * k]));
        const expectedS = sa.map((x, i) => Math.fround(binaryRef[op](x, sb[i]!)));
        expect(mismatch(gotS, expectedS), `${op} specials`).toBeNull();
        for (const s of [a, b, out, outT, xa, xb, outS]) be.release(s);
      });
    }

    it('int32: wrapping arithmetic, truncating division, x/0 = 0, integer powers', async () => {
      const as = [7, -7, 7, 0, 2147483647, 3, -2, 5, 1, -1];
      const bs = [2, 2, 0, 0, 1, 4, 3, -1, -3, -3];
      const a = be.upload(Int32Array.from(as), 'int32');
      const b = be.upload(Int32Array.from(bs), 'int32');
      for (const op of binaryOps) {
        const out = be.binary(op, view(a, [as.length]), view(b, [bs.length]));
        const got = await be.read(view(out, [as.length]));
        const expected = Int32Array.from(as.map((x, i) => binaryRef[op](x, bs[i]!)));
        expect([...got], op).toEqual([...expected]);
        be.release(out);
      }
    });

    it('mixed dtypes compute in float32 and store in the first operand’s dtype', async () => {
      const a = be.upload(Int32Array.from([3, -3, 10]), 'int32');
      const b = be.upload(Float32Array.from([0.5, 0.5, 0.25]), 'float32');
      const got = await be.read(view(be.binary('add', view(a, [3]), view(b, [3])), [3]));
      expect([...got]).toEqual([3, -2, 10]);
      const f = await be.read(view(be.binary('mul', view(b, [3]), view(a, [3])), [3]));
      expect([...f]).toEqual([1.5, -1.5, 2.5]);
    });
  });

  it('where: float and int conditions (NaN counts as true), broadcast branches', async () => {
    const n = 513;
    const dc = randomData(n, 21).map((v, i) => (i % 3 === 0 ? 0 : i % 7 === 0 ? NaN : v));
    const da = randomData(n, 22);
    const c = be.upload(Float32Array.from(dc), 'float32');
    const a = be.upload(Float32Array.from(da), 'float32');
    const b = be.upload(Float32Array.from([42]), 'float32');
    const out = be.where(view(c, [n]), view(a, [n]), view(b, [n], [0]));
    const got = await be.read(view(out, [n]));
    expect(
      mismatch(
        got,
        dc.map((v, i) => (v !== 0 ? da[i]! : 42)),
      ),
    ).toBeNull();
    const ci = be.upload(
      Int32Array.from({ length: n }, (_, i) => i % 2),
      'int32',
    );
    const gotI = await be.read(view(be.where(view(ci, [n]), view(a, [n]), view(b, [n], [0])), [n]));
    expect(
      mismatch(
        gotI,
        da.map((v, i) => (i % 2 ? v : 42)),
      ),
    ).toBeNull();
  });

  it('copy: strided to contiguous, float32 → int32 like an Int32Array store, int32 → float32', async () => {
    const values = [1.9, -1.9, NaN, Infinity, -Infinity, 0.4, -0.4, 1e6 + 0.5, 3];
    const x = be.upload(Float32Array.from(values), 'float32');
    const asInt = await be.read(view(be.copy(view(x, [9]), 'int32'), [9]));
    expect(asInt).toBeInstanceOf(Int32Array);
    expect([...asInt]).toEqual([...Int32Array.from(Float32Array.from(values))]);
    const i = be.upload(Int32Array.from([5, -6, 16777217]), 'int32');
    expect([...(await be.read(view(be.copy(view(i, [3]), 'float32'), [3])))]).toEqual([5, -6, 16777216]);
    const data = randomData(24, 5);
    const m = be.upload(Float32Array.from(data), 'float32');
    const t = await be.read(view(be.copy(view(m, [4, 3], [1, 4], 2)), [4, 3]));
    expect(mismatch(t, gatherStrided(data, [4, 3], [1, 4], 2))).toBeNull();
  });

  it('write: into a strided destination from a broadcast source, and from an aliased source', async () => {
    const dst = be.full(4 * 6, 'float32', -1);
    const src = be.upload(Float32Array.from([1, 2, 3]), 'float32');
    // Columns 1, 3, 5 of a [4, 6] matrix get [1, 2, 3] in every row.
    be.write(dst, { shape: [4, 3], strides: [6, 2], offset: 1 }, view(src, [4, 3], [0, 1]));
    const got = await be.read(view(dst, [24]));
    const expected = Array.from({ length: 24 }, (_, i) => (i % 2 === 1 ? ((i % 6) >> 1) + 1 : -1));
    expect([...got]).toEqual(expected);
    // Copy row 0 onto row 3 of the same storage.
    be.write(dst, { shape: [6], strides: [1], offset: 18 }, view(dst, [6], [1], 0));
    const after = await be.read(view(dst, [24]));
    expect([...after.slice(18)]).toEqual([...after.slice(0, 6)]);
  });

  it('full: zero, negative zero, values, int32, sizes 0, 1, 513', async () => {
    for (const n of [0, 1, 513]) {
      for (const [value, dtype] of [
        [0, 'float32'],
        [-0, 'float32'],
        [2.5, 'float32'],
        [-7, 'int32'],
      ] as const) {
        const s = be.full(n, dtype, value);
        const got = await be.read(view(s, [n]));
        expect(got.length).toBe(n);
        for (const v of got) expect(Object.is(v, value)).toBe(true);
        be.release(s);
      }
    }
  });

  it('spreads more than 65535 workgroups over a 2-D grid', async () => {
    const n = 65535 * 256 + 1000;
    const x = be.full(n, 'float32', 3);
    const out = be.unary('neg', view(x, [n]));
    const got = (await be.read(view(out, [n]))) as Float32Array;
    expect(got[0]).toBe(-3);
    expect(got[n - 1]).toBe(-3);
    expect(got.every((v) => v === -3)).toBe(true);
    be.release(x);
    be.release(out);
  });
});
