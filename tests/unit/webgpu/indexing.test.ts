/**
 * WebGPU gather, scatterAdd, im2col, col2im and the fused Adam step against float64
 * references written here. Tolerance 1e-4 relative (sums: relative to Σ|terms|).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { WindowGeometry } from '../../../core/engine/backends/backend.js';
import { gatherStrided, mismatch, openBackend, randomData, view } from './support.js';

const gpu = await openBackend('indexing.test.ts');
afterAll(() => gpu?.destroy());

function geometry(
  batch: number,
  inHeight: number,
  inWidth: number,
  channels: number,
  kernel: number,
  stride: number,
  dilation: number,
  pad: number,
): WindowGeometry {
  const out = (n: number) => Math.floor((n + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
  return {
    batch,
    inHeight,
    inWidth,
    channels,
    kernelHeight: kernel,
    kernelWidth: kernel,
    strideHeight: stride,
    strideWidth: stride,
    dilationHeight: dilation,
    dilationWidth: dilation,
    padTop: pad,
    padLeft: pad,
    outHeight: out(inHeight),
    outWidth: out(inWidth),
  };
}

/** Reference im2col over a dense NHWC image; `add` turns it into col2im's scatter. */
function walkPatches(g: WindowGeometry, visit: (colIndex: number, imageIndex: number | null) => void): void {
  let o = 0;
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < g.outHeight; oh++)
      for (let ow = 0; ow < g.outWidth; ow++)
        for (let kh = 0; kh < g.kernelHeight; kh++)
          for (let kw = 0; kw < g.kernelWidth; kw++)
            for (let c = 0; c < g.channels; c++, o++) {
              const ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight;
              const iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth;
              const inside = ih >= 0 && ih < g.inHeight && iw >= 0 && iw < g.inWidth;
              visit(o, inside ? ((n * g.inHeight + ih) * g.inWidth + iw) * g.channels + c : null);
            }
}

describe.skipIf(!gpu)('webgpu indexing and windows', () => {
  const be = gpu!;

  it('gather along each axis of a strided view, with 2-D indices', async () => {
    const shape = [4, 5, 6];
    const data = randomData(4 * 6 * 5, 1);
    const x = be.upload(Float32Array.from(data), 'float32');
    // A transposed view: shape [4, 5, 6] over storage laid out [4, 6, 5].
    const strides = [30, 1, 5];
    const dense = gatherStrided(data, shape, strides);
    for (let axis = 0; axis < 3; axis++) {
      const indexValues = Int32Array.from([0, shape[axis]! - 1, 1, 1, 0, 2]);
      const idx = be.upload(indexValues, 'int32');
      const out = be.gather(view(x, shape, strides), view(idx, [2, 3]), axis);
      const outer = shape.slice(0, axis).reduce((a, d) => a * d, 1);
      const inner = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
      const expected: number[] = [];
      for (let a = 0; a < outer; a++)
        for (const k of indexValues)
          for (let j = 0; j < inner; j++) expected.push(dense[(a * shape[axis]! + k) * inner + j]!);
      const got = await be.read(view(out, [expected.length]));
      expect(mismatch(got, expected, 0), `axis ${axis}`).toBeNull();
    }
  });

  it('gather: int32 values, out-of-range indices give 0', async () => {
    const x = be.upload(Int32Array.from([10, 20, 30]), 'int32');
    const idx = be.upload(Int32Array.from([2, -1, 3, 0]), 'int32');
    expect([...(await be.read(view(be.gather(view(x, [3]), view(idx, [4]), 0), [4])))]).toEqual([
      30, 0, 0, 10,
    ]);
  });

  it('scatterAdd: repeated indices sum in order, strided updates, 513 indices over 7 rows', async () => {
    for (const [outer, size, inner, count] of [
      [1, 7, 1, 513],
      [3, 7, 5, 9],
      [2, 1, 3, 300],
    ] as const) {
      const indices = Int32Array.from({ length: count }, (_, i) => (i * 5 + (i >> 2)) % size);
      const upd = randomData(outer * count * inner, count + inner);
      // Updates stored [outer, inner, count] and viewed as [outer, count, inner].
      const stored = new Float64Array(upd.length);
      for (let a = 0; a < outer; a++)
        for (let k = 0; k < count; k++)
          for (let j = 0; j < inner; j++)
            stored[(a * inner + j) * count + k] = upd[(a * count + k) * inner + j]!;
      const u = be.upload(Float32Array.from(stored), 'float32');
      const idx = be.upload(indices, 'int32');
      const uView = view(u, [outer, count, inner], [inner * count, 1, count]);
      const out = be.scatterAdd(uView, view(idx, [count]), 1, [outer, size, inner]);
      const expected = new Float64Array(outer * size * inner);
      const scale = new Float64Array(outer * size * inner);
      for (let a = 0; a < outer; a++)
        for (let k = 0; k < count; k++)
          for (let j = 0; j < inner; j++) {
            const v = upd[(a * count + k) * inner + j]!;
            expected[(a * size + indices[k]!) * inner + j] += v;
            scale[(a * size + indices[k]!) * inner + j] += Math.abs(v);
          }
      const got = await be.read(view(out, [expected.length]));
      for (let i = 0; i < expected.length; i++) {
        expect(Math.abs(got[i]! - expected[i]!), `element ${i}`).toBeLessThanOrEqual(
          1e-4 * Math.max(scale[i]!, 1e-3),
        );
      }
    }
  });

  it('scatterAdd is deterministic and skips out-of-range indices', async () => {
    const u = be.upload(Float32Array.from(randomData(1000, 3)), 'float32');
    const idx = be.upload(
      Int32Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 99 : i % 2)),
      'int32',
    );
    const first = await be.read(view(be.scatterAdd(view(u, [1000]), view(idx, [1000]), 0, [2]), [2]));
    const second = await be.read(view(be.scatterAdd(view(u, [1000]), view(idx, [1000]), 0, [2]), [2]));
    expect([...first]).toEqual([...second]);
  });

  const geometries: [string, WindowGeometry][] = [
    ['3×3 same padding', geometry(2, 7, 7, 3, 3, 1, 1, 1)],
    ['stride 2, no padding', geometry(1, 9, 8, 2, 3, 2, 1, 0)],
    ['dilation 2, padding 2', geometry(1, 6, 5, 1, 3, 1, 2, 2)],
    ['1×1 kernel', geometry(3, 4, 4, 5, 1, 1, 1, 0)],
    ['kernel larger than stride with padding 1, stride 3', geometry(1, 10, 10, 2, 4, 3, 1, 1)],
  ];
  for (const [label, g] of geometries) {
    it(`im2col and col2im: ${label}`, async () => {
      const imageSize = g.batch * g.inHeight * g.inWidth * g.channels;
      const data = randomData(imageSize, imageSize);
      const x = be.upload(Float32Array.from(data), 'float32');
      const cols = be.im2col(view(x, [g.batch, g.inHeight, g.inWidth, g.channels]), g, -Infinity);
      const colSize = g.batch * g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth * g.channels;
      const expected = new Float64Array(colSize);
      walkPatches(g, (o, i) => (expected[o] = i === null ? -Infinity : data[i]!));
      expect(mismatch(await be.read(view(cols, [colSize])), expected, 0)).toBeNull();

      const colData = randomData(colSize, colSize + 1);
      const c = be.upload(Float32Array.from(colData), 'float32');
      const image = be.col2im(view(c, [colSize]), g);
      const back = new Float64Array(imageSize);
      const scale = new Float64Array(imageSize);
      walkPatches(g, (o, i) => {
        if (i !== null) {
          back[i] += colData[o]!;
          scale[i] += Math.abs(colData[o]!);
        }
      });
      const got = await be.read(view(image, [imageSize]));
      for (let i = 0; i < imageSize; i++) {
        expect(Math.abs(got[i]! - back[i]!), `element ${i}`).toBeLessThanOrEqual(
          1e-5 * Math.max(scale[i]!, 1),
        );
      }
    });
  }

  it('im2col reads a strided (channels-first storage) image', async () => {
    const g = geometry(1, 5, 4, 3, 2, 1, 1, 0);
    const data = randomData(60, 8);
    const x = be.upload(Float32Array.from(data), 'float32');
    // NHWC view over NCHW storage.
    const strides = [60, 4, 1, 20];
    const cols = be.im2col(view(x, [1, 5, 4, 3], strides), g, 0);
    const dense = gatherStrided(data, [1, 5, 4, 3], strides);
    const colSize = g.outHeight * g.outWidth * 4 * 3;
    const expected = new Float64Array(colSize);
    walkPatches(g, (o, i) => (expected[o] = i === null ? 0 : dense[i]!));
    expect(mismatch(await be.read(view(cols, [colSize])), expected, 0)).toBeNull();
  });

  it('adamUpdate matches the textbook AdamW step', async () => {
    const n = 513;
    const p0 = randomData(n, 1);
    const g = randomData(n, 2);
    const m0 = randomData(n, 3, -0.1, 0.1);
    const v0 = randomData(n, 4, 0, 0.1);
    const [p, m, v] = [p0, m0, v0].map((d) => be.upload(Float32Array.from(d), 'float32'));
    const gs = be.upload(Float32Array.from(g), 'float32');
    const h = { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.01, step: 3 };
    be.adamUpdate(p!, view(gs, [n]), m!, v!, h);
    const expectedM = m0.map((mi, i) => h.beta1 * mi + (1 - h.beta1) * g[i]!);
    const expectedV = v0.map((vi, i) => h.beta2 * vi + (1 - h.beta2) * g[i]! ** 2);
    const expectedP = p0.map((pi, i) => {
      const mHat = expectedM[i]! / (1 - h.beta1 ** h.step);
      const vHat = expectedV[i]! / (1 - h.beta2 ** h.step);
      return (
        pi - h.learningRate * (mHat / (Math.sqrt(vHat) + h.epsilon)) - h.learningRate * h.weightDecay * pi
      );
    });
    expect(mismatch(await be.read(view(m!, [n])), expectedM)).toBeNull();
    expect(mismatch(await be.read(view(v!, [n])), expectedV)).toBeNull();
    expect(mismatch(await be.read(view(p!, [n])), expectedP)).toBeNull();
  });
});
