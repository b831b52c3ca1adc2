/**
 * WebGPU matmul against a float64 reference: odd sizes (1, 7, 65, 130), every load path
 * (vec4 and scalar, plain and transposed operands), batches with stride-0 broadcast, int32.
 * Tolerance: 1e-4 relative to Σ|a·b| over K (float32 accumulation of K products).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { View } from '../../../core/engine/backends/backend.js';
import { gatherStrided, openBackend, randomData, view } from './support.js';

const gpu = await openBackend('matmul.test.ts');
afterAll(() => gpu?.destroy());

/** Dense float64 [batch, M, N] product of dense [batch, M, K] and [batch, K, N], plus Σ|ab|. */
function matmulRef(a: Float64Array, b: Float64Array, batch: number, M: number, K: number, N: number) {
  const out = new Float64Array(batch * M * N);
  const scale = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        let t = 0;
        for (let k = 0; k < K; k++) {
          const p = a[(z * M + i) * K + k]! * b[(z * K + k) * N + j]!;
          s += p;
          t += Math.abs(p);
        }
        out[(z * M + i) * N + j] = s;
        scale[(z * M + i) * N + j] = t;
      }
  return { out, scale };
}

function check(got: ArrayLike<number>, ref: { out: Float64Array; scale: Float64Array }): string | null {
  for (let i = 0; i < ref.out.length; i++) {
    if (Math.abs(got[i]! - ref.out[i]!) > 1e-4 * Math.max(ref.scale[i]!, 1e-3)) {
      return `element ${i}: got ${got[i]}, expected ${ref.out[i]}`;
    }
  }
  return null;
}

describe.skipIf(!gpu)('webgpu matmul', () => {
  const be = gpu!;

  /** A [M, K] operand stored plainly (row-major) or transposed (as [K, M], swapped strides). */
  function operand(data: Float64Array, rows: number, cols: number, transposed: boolean, pad = 0): View {
    const stored = transposed
      ? gatherStrided(data, [cols, rows], [1, cols]) // column-major copy
      : data;
    const s = be.upload(Float32Array.from([...new Array<number>(pad).fill(9), ...stored]), 'float32');
    return transposed ? view(s, [rows, cols], [1, rows], pad) : view(s, [rows, cols], [cols, 1], pad);
  }

  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [7, 7, 7],
    [1, 513, 7],
    [65, 33, 130],
    [64, 64, 64],
    [128, 20, 68],
  ];
  for (const [M, K, N] of sizes) {
    it(`[${M}×${K}]·[${K}×${N}], plain and transposed operands, aligned and offset`, async () => {
      const da = randomData(M * K, M + K);
      const db = randomData(K * N, K + N);
      const ref = matmulRef(da, db, 1, M, K, N);
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          for (const pad of [0, 1]) {
            const a = operand(da, M, K, ta, pad);
            const b = operand(db, K, N, tb, pad);
            const out = be.matmul(a, b);
            const got = await be.read(view(out, [M, N]));
            expect(check(got, ref), `ta=${ta} tb=${tb} pad=${pad}`).toBeNull();
            for (const s of [a.storage, b.storage, out]) be.release(s);
          }
        }
      }
    });
  }

  it('batched, with a stride-0 (broadcast) batch dimension on one side', async () => {
    const [B1, B2, M, K, N] = [2, 3, 9, 17, 12];
    const da = randomData(B1 * B2 * M * K, 1);
    const db = randomData(K * N, 2);
    const a = be.upload(Float32Array.from(da), 'float32');
    const b = be.upload(Float32Array.from(db), 'float32');
    const out = be.matmul(
      view(a, [B1, B2, M, K]),
      view(b, [B1, B2, K, N], [0, 0, N, 1]), // one B shared by every batch
    );
    const got = await be.read(view(out, [B1 * B2 * M * N]));
    const bRepeated = new Float64Array(B1 * B2 * K * N);
    for (let z = 0; z < B1 * B2; z++) bRepeated.set(db, z * K * N);
    expect(check(got, matmulRef(da, bRepeated, B1 * B2, M, K, N))).toBeNull();
  });

  it('int32 products are exact', async () => {
    const [M, K, N] = [5, 6, 7];
    const ia = Int32Array.from({ length: M * K }, (_, i) => (i % 11) - 5);
    const ib = Int32Array.from({ length: K * N }, (_, i) => (i % 7) - 3);
    const a = be.upload(ia, 'int32');
    const b = be.upload(ib, 'int32');
    const got = await be.read(view(be.matmul(view(a, [M, K]), view(b, [K, N])), [M, N]));
    expect(got).toBeInstanceOf(Int32Array);
    const { out } = matmulRef(Float64Array.from(ia), Float64Array.from(ib), 1, M, K, N);
    expect([...got]).toEqual([...out]);
  });

  it('K = 0 gives zeros; NaN and Inf propagate', async () => {
    const a = be.full(0, 'float32', 0);
    const got = await be.read(view(be.matmul(view(a, [3, 0]), view(a, [0, 2])), [3, 2]));
    expect([...got]).toEqual([0, 0, 0, 0, 0, 0]);
    const x = be.upload(Float32Array.from([1, NaN, 2, 3]), 'float32');
    const y = be.upload(Float32Array.from([1, 0, Infinity, 1]), 'float32');
    const r = await be.read(view(be.matmul(view(x, [2, 2]), view(y, [2, 2])), [2, 2]));
    expect([...r]).toEqual([NaN, NaN, Infinity, 3]);
  });
});
