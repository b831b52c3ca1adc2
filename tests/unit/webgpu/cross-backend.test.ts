/**
 * The same random inputs through the CPU backend's kernels and the WebGPU backend's kernels,
 * over random strided layouts (permuted, offset, broadcast). The CPU backend is the reference;
 * float32 relative tolerance 1e-4 (sums against Σ|x|, via a looser 1e-3 floor).
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  binaryOps,
  reduceOps,
  unaryOps,
  type Backend,
  type Storage,
  type View,
} from '../../../core/engine/backends/backend.js';
import { createCpuBackend } from '../../../core/engine/backends/cpu/cpu-backend.js';
import type { Layout } from '../../../core/engine/tensor/layout.js';
import { mismatch, openBackend, rng } from './support.js';

const gpu = await openBackend('cross-backend.test.ts');
afterAll(() => gpu?.destroy());
const cpu = createCpuBackend();

/** A random layout of `shape` over a storage of `size` elements: permuted, offset, maybe broadcast. */
function randomLayout(
  shape: number[],
  next: () => number,
  broadcast: boolean,
): { layout: Layout; size: number } {
  const order = shape.map((_, i) => i).sort(() => next() - 0.5);
  const strides = new Array<number>(shape.length).fill(0);
  let s = 1;
  for (const d of [...order].reverse()) {
    strides[d] = broadcast && next() < 0.3 ? 0 : s;
    s *= strides[d] === 0 ? 1 : shape[d]!;
  }
  const offset = Math.floor(next() * 3);
  return { layout: { shape, strides, offset }, size: s + offset };
}

function randomShape(next: () => number): number[] {
  const rank = 1 + Math.floor(next() * 4);
  return Array.from({ length: rank }, () => 1 + Math.floor(next() * 9));
}

/** Uploads the same data to both backends and returns the two views. */
function pair(data: Float32Array | Int32Array, layout: Layout): [View, View] {
  const dtype = data instanceof Int32Array ? 'int32' : 'float32';
  return [
    { storage: cpu.upload(data, dtype), layout },
    { storage: gpu!.upload(data, dtype), layout },
  ];
}

function values(size: number, next: () => number): Float32Array {
  return Float32Array.from({ length: size }, () => (next() < 0.02 ? NaN : next() * 4 - 2));
}

async function compare(
  label: string,
  run: (b: Backend, views: View[]) => Storage,
  views: [View, View][],
  outSize: number,
  tol = 1e-4,
): Promise<void> {
  const c = run(
    cpu,
    views.map((v) => v[0]),
  );
  const g = run(
    gpu!,
    views.map((v) => v[1]),
  );
  const layout = { shape: [outSize], strides: [1], offset: 0 };
  const expected = await cpu.read({ storage: c, layout });
  const got = await gpu!.read({ storage: g, layout });
  expect(mismatch(got, expected, tol), label).toBeNull();
  gpu!.release(g);
}

describe.skipIf(!gpu)('CPU and WebGPU kernels agree on random strided inputs', () => {
  it('unary, binary and where', async () => {
    const next = rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const shape = randomShape(next);
      const n = shape.reduce((a, d) => a * d, 1);
      const a = randomLayout(shape, next, true);
      const b = randomLayout(shape, next, true);
      const va = pair(values(a.size, next), a.layout);
      const vb = pair(values(b.size, next), b.layout);
      const op = unaryOps[trial % unaryOps.length]!;
      await compare(`${op} ${JSON.stringify(a.layout)}`, (be, [x]) => be.unary(op, x!, 0.2), [va], n);
      const bop = binaryOps[trial % binaryOps.length]!;
      await compare(
        `${bop} ${JSON.stringify([a.layout, b.layout])}`,
        (be, [x, y]) => be.binary(bop, x!, y!),
        [va, vb],
        n,
      );
      await compare('where', (be, [x, y]) => be.where(x!, y!, x!), [va, vb], n);
      await compare('copy to int32', (be, [x]) => be.copy(x!, 'int32'), [va], n);
    }
  });

  it('reduce, argReduce and softmax', async () => {
    const next = rng(8);
    for (let trial = 0; trial < 16; trial++) {
      const shape = randomShape(next);
      const { layout, size } = randomLayout(shape, next, true);
      const data = values(size, next).map((v) => (Number.isNaN(v) && trial % 2 ? 0.5 : v));
      const v = pair(data, layout);
      const axes = shape.map((_, i) => i).filter(() => next() < 0.5);
      const kept = shape.filter((_, i) => !axes.includes(i)).reduce((a, d) => a * d, 1);
      for (const op of reduceOps) {
        await compare(
          `${op} ${JSON.stringify(layout)} over ${axes}`,
          (be, [x]) => be.reduce(op, x!, axes),
          [v],
          kept,
          1e-3,
        );
      }
      const axis = Math.floor(next() * shape.length);
      const argKept = shape.filter((_, i) => i !== axis).reduce((a, d) => a * d, 1);
      await compare('argmax', (be, [x]) => be.argReduce('argmax', x!, axis), [v], argKept, 0);
      await compare('argmin', (be, [x]) => be.argReduce('argmin', x!, axis), [v], argKept, 0);
      const n = shape.reduce((a, d) => a * d, 1);
      await compare('softmax', (be, [x]) => be.softmax(x!, false), [v], n);
      await compare('logSoftmax', (be, [x]) => be.softmax(x!, true), [v], n);
    }
  });

  it('matmul, gather, scatterAdd, im2col and col2im', async () => {
    const next = rng(9);
    for (let trial = 0; trial < 8; trial++) {
      const [B, M, K, N] = [
        1 + Math.floor(next() * 3),
        1 + Math.floor(next() * 70),
        1 + Math.floor(next() * 40),
        1 + Math.floor(next() * 70),
      ];
      const a = randomLayout([B, M, K], next, true);
      const b = randomLayout([B, K, N], next, true);
      const fa = Float32Array.from({ length: a.size }, () => next() * 2 - 1);
      const fb = Float32Array.from({ length: b.size }, () => next() * 2 - 1);
      await compare(
        `matmul ${JSON.stringify([a.layout, b.layout])}`,
        (be, [x, y]) => be.matmul(x!, y!),
        [pair(fa, a.layout), pair(fb, b.layout)],
        B * M * N,
        1e-3,
      );

      const x = randomLayout([4, 6, 3], next, false);
      const vx = pair(values(x.size, next), x.layout);
      const idx = pair(
        Int32Array.from({ length: 10 }, () => Math.floor(next() * 6)),
        { shape: [10], strides: [1], offset: 0 },
      );
      await compare('gather', (be, [p, q]) => be.gather(p!, q!, 1), [vx, idx], 4 * 10 * 3);
      const u = randomLayout([4, 10, 3], next, false);
      const vu = pair(values(u.size, next), u.layout);
      await compare('scatterAdd', (be, [p, q]) => be.scatterAdd(p!, q!, 1, [4, 6, 3]), [vu, idx], 4 * 6 * 3);

      const g = {
        batch: 2,
        inHeight: 5,
        inWidth: 6,
        channels: 3,
        kernelHeight: 3,
        kernelWidth: 2,
        strideHeight: 2,
        strideWidth: 1,
        dilationHeight: 1,
        dilationWidth: 2,
        padTop: 1,
        padLeft: 1,
        outHeight: 3,
        outWidth: 4,
      };
      const img = randomLayout([2, 5, 6, 3], next, false);
      const vimg = pair(values(img.size, next), img.layout);
      const colSize = 2 * 3 * 4 * 3 * 2 * 3;
      await compare('im2col', (be, [p]) => be.im2col(p!, g, 0), [vimg], colSize);
      const cols = pair(values(colSize, next), { shape: [colSize], strides: [1], offset: 0 });
      await compare('col2im', (be, [p]) => be.col2im(p!, g), [cols], 2 * 5 * 6 * 3);
    }
  });
});
