/**
 * WebGPU reductions, argmax/argmin and softmax against float64 references. Sums of n random
 * values are compared with a relative tolerance of 1e-4 against Σ|x| (cancellation makes the
 * sum itself an unfair scale); everything else against the value itself.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { reduceOps, type ReduceOp } from '../../../core/engine/backends/backend.js';
import { gatherStrided, mismatch, openBackend, randomData, view } from './support.js';

const gpu = await openBackend('reduce.test.ts');
afterAll(() => gpu?.destroy());

/** Reference reduction of a row-major [..shape] array over `axes`; also Σ|x| per output. */
function reduceRef(op: ReduceOp, data: Float64Array, shape: number[], axes: number[]) {
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outSize = kept.reduce((n, d) => n * shape[d]!, 1);
  const init = { sum: 0, prod: 1, max: -Infinity, min: Infinity }[op];
  const out = new Float64Array(outSize).fill(init);
  const scale = new Float64Array(outSize);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < data.length; i++) {
    let o = 0;
    for (const d of kept) o = o * shape[d]! + index[d]!;
    const v = data[i]!;
    const acc = out[o]!;
    if (op === 'sum') out[o] = acc + v;
    else if (op === 'prod') out[o] = acc * v;
    else if (Number.isNaN(v) || Number.isNaN(acc)) out[o] = NaN;
    else out[o] = op === 'max' ? Math.max(acc, v) : Math.min(acc, v);
    scale[o] += Math.abs(v);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
  return { out, scale };
}

function sumMismatch(got: ArrayLike<number>, expected: Float64Array, scale: Float64Array): string | null {
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    if (Number.isNaN(e) !== Number.isNaN(got[i]!)) return `element ${i}: got ${got[i]}, expected ${e}`;
    if (Math.abs(got[i]! - e) > 1e-4 * Math.max(scale[i]!, 1e-3))
      return `element ${i}: got ${got[i]}, expected ${e}`;
  }
  return null;
}

describe.skipIf(!gpu)('webgpu reductions', () => {
  const be = gpu!;
  const cases: { shape: number[]; axes: number[] }[] = [
    { shape: [1], axes: [0] },
    { shape: [7], axes: [0] },
    { shape: [513], axes: [0] },
    { shape: [7, 513], axes: [1] },
    { shape: [513, 7], axes: [0] },
    { shape: [3, 5, 7], axes: [0, 2] },
    { shape: [3, 5, 7], axes: [1] },
    { shape: [2, 3, 4, 5], axes: [0, 1, 2, 3] },
    { shape: [4, 70001], axes: [1] }, // workgroup tree
    { shape: [300001], axes: [0] }, // chunked two-pass
  ];
  for (const op of reduceOps) {
    it(`${op} over any axes, sizes 1, 7, 513, 70001, 300001`, async () => {
      for (const { shape, axes } of cases) {
        const n = shape.reduce((a, d) => a * d, 1);
        // Products of many values under/overflow: keep them near 1.
        const data = op === 'prod' ? randomData(n, n, 0.9, 1.1) : randomData(n, n);
        const x = be.upload(Float32Array.from(data), 'float32');
        const out = be.reduce(op, view(x, shape), axes);
        const { out: expected, scale } = reduceRef(op, data, shape, axes);
        const got = await be.read(view(out, [expected.length]));
        const bad = op === 'sum' ? sumMismatch(got, expected, scale) : mismatch(got, expected, 1e-4);
        expect(bad, `${op} ${JSON.stringify(shape)} over ${axes}`).toBeNull();
        be.release(x);
        be.release(out);
      }
    });
  }

  it('strided, broadcast and offset inputs', async () => {
    const data = randomData(6 * 8, 9);
    const x = be.upload(Float32Array.from(data), 'float32');
    // A transposed [8, 5] view starting at column 1, reduced over its rows.
    const layouts = [
      { shape: [8, 5], strides: [1, 8], offset: 1, axes: [0] },
      { shape: [8, 5], strides: [1, 8], offset: 1, axes: [1] },
      { shape: [4, 6], strides: [0, 8], offset: 2, axes: [0] }, // broadcast rows
    ];
    for (const l of layouts) {
      const dense = gatherStrided(data, l.shape, l.strides, l.offset);
      for (const op of reduceOps) {
        const out = be.reduce(op, view(x, l.shape, l.strides, l.offset), l.axes);
        const { out: expected } = reduceRef(op, dense, l.shape, l.axes);
        expect(
          mismatch(await be.read(view(out, [expected.length])), expected),
          `${op} ${JSON.stringify(l)}`,
        ).toBeNull();
      }
    }
  });

  it('max/min propagate NaN (short and long rows); empty reductions give 0, 1, NaN', async () => {
    for (const n of [5, 5000]) {
      const data = randomData(2 * n, 3);
      data[n + 3] = NaN;
      const x = be.upload(Float32Array.from(data), 'float32');
      for (const op of ['max', 'min', 'sum'] as const) {
        const got = await be.read(view(be.reduce(op, view(x, [2, n]), [1]), [2]));
        expect(Number.isNaN(got[0]!), `${op} n=${n}`).toBe(false);
        expect(Number.isNaN(got[1]!), `${op} n=${n}`).toBe(true);
      }
    }
    const empty = be.full(0, 'float32', 0);
    for (const [op, value] of [
      ['sum', 0],
      ['prod', 1],
      ['max', NaN],
    ] as const) {
      const got = await be.read(view(be.reduce(op, view(empty, [3, 0]), [1]), [3]));
      expect([...got]).toEqual([value, value, value]);
    }
  });

  it('int32 reductions are exact', async () => {
    const ints = Int32Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 2001) - 1000);
    const x = be.upload(ints, 'int32');
    const sum = await be.read(view(be.reduce('sum', view(x, [1000]), [0]), [1]));
    const max = await be.read(view(be.reduce('max', view(x, [10, 100]), [1]), [10]));
    expect(sum[0]).toBe(ints.reduce((a, b) => a + b, 0));
    expect([...max]).toEqual(
      Array.from({ length: 10 }, (_, r) => Math.max(...ints.slice(r * 100, r * 100 + 100))),
    );
  });

  it('argmax/argmin: first best index, NaN wins, any axis and strides', async () => {
    const data = randomData(5 * 7 * 9, 4);
    data[10] = data[12]!; // a tie
    data[100] = NaN;
    const x = be.upload(Float32Array.from(data), 'float32');
    const shape = [5, 7, 9];
    for (const op of ['argmax', 'argmin'] as const) {
      for (let axis = 0; axis < 3; axis++) {
        const out = be.argReduce(op, view(x, shape), axis);
        const kept = shape.filter((_, i) => i !== axis);
        const got = await be.read(view(out, kept));
        expect(got).toBeInstanceOf(Int32Array);
        const strides = [63, 9, 1];
        const expected: number[] = [];
        for (let a = 0; a < kept[0]!; a++) {
          for (let b = 0; b < kept[1]!; b++) {
            const keptDims = [0, 1, 2].filter((d) => d !== axis);
            const base = a * strides[keptDims[0]!]! + b * strides[keptDims[1]!]!;
            let best = 0;
            for (let j = 0; j < shape[axis]!; j++) {
              const v = data[base + j * strides[axis]!]!;
              const bv = data[base + best * strides[axis]!]!;
              if (Number.isNaN(bv)) break;
              if (Number.isNaN(v) || (op === 'argmax' ? v > bv : v < bv)) best = j;
            }
            expected.push(best);
          }
        }
        expect([...got], `${op} axis ${axis}`).toEqual(expected);
      }
    }
  });

  it('softmax and log-softmax along the last axis: stable, strided, NaN rows, sizes 1, 7, 513, 3000', async () => {
    for (const [rows, n] of [
      [1, 1],
      [3, 7],
      [5, 513],
      [2, 3000],
    ] as const) {
      const data = randomData(rows * n, n, -30, 30);
      data[0] = 80; // exp(80) overflows float32 without the max subtracted
      const x = be.upload(Float32Array.from(data), 'float32');
      for (const log of [false, true]) {
        const got = await be.read(view(be.softmax(view(x, [rows, n]), log), [rows, n]));
        const expected = new Float64Array(rows * n);
        for (let r = 0; r < rows; r++) {
          const row = data.subarray(r * n, r * n + n);
          const m = Math.max(...row);
          const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
          row.forEach((v, j) => (expected[r * n + j] = log ? v - lse : Math.exp(v - lse)));
        }
        // Probabilities far below the largest are compared on an absolute 1e-7 floor.
        expect(mismatch(got, expected, 1e-4, log ? 1e-3 : 1e-3), `rows ${rows} n ${n} log ${log}`).toBeNull();
      }
    }
    const t = be.upload(Float32Array.from([1, 2, 3, 4, 5, 6, NaN, 0]), 'float32');
    // Transposed [4, 2] view of a [2, 4] matrix; the last row of the view holds the NaN.
    const got = await be.read(view(be.softmax(view(t, [4, 2], [1, 4]), false), [4, 2]));
    const e = (a: number, b: number) => [
      Math.exp(a) / (Math.exp(a) + Math.exp(b)),
      Math.exp(b) / (Math.exp(a) + Math.exp(b)),
    ];
    expect(mismatch(got.slice(0, 4), [...e(1, 5), ...e(2, 6)])).toBeNull();
    expect(Number.isNaN(got[4]!) && Number.isNaN(got[5]!)).toBe(true);
    expect(mismatch(got.slice(6), e(4, 0))).toBeNull();
  });
});
