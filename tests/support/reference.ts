/**
 * Independent float64 reference implementations for the op-test table: plain index
 * arithmetic, no engine code, so a bug in the engine cannot hide in its own reference.
 */
export interface Ref {
  data: Float64Array;
  shape: number[];
}

export function size(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Calls fn(index, flat) for every multi-index of `shape` in row-major order. */
export function forEachIndex(shape: readonly number[], fn: (index: number[], flat: number) => void): void {
  const n = size(shape);
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    fn(index, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]!++;
      if (index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
}

export function at(x: Ref, index: readonly number[]): number {
  const s = strides(x.shape);
  let o = 0;
  for (let i = 0; i < index.length; i++) o += index[i]! * s[i]!;
  return x.data[o]!;
}

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    return da === 1 ? db : da;
  });
}

/** Reads x at an index of a larger broadcast shape. */
export function atBroadcast(x: Ref, index: readonly number[]): number {
  const lead = index.length - x.shape.length;
  const own = x.shape.map((d, i) => (d === 1 ? 0 : index[i + lead]!));
  return at(x, own);
}

export function map(x: Ref, fn: (v: number) => number): Ref {
  return { data: x.data.map(fn), shape: [...x.shape] };
}

export function zip(xs: readonly Ref[], fn: (...v: number[]) => number): Ref {
  const shape = xs.map((x) => x.shape).reduce((s, t) => broadcastShape(s, t));
  const out = new Float64Array(size(shape));
  forEachIndex(shape, (index, flat) => (out[flat] = fn(...xs.map((x) => atBroadcast(x, index)))));
  return { data: out, shape };
}

export function reduce(
  x: Ref,
  axes: readonly number[] | undefined,
  fn: (values: number[]) => number,
  keepDims = false,
): Ref {
  const ax = (axes ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + x.shape.length : a));
  const keptShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  const ks = strides(keptShape);
  forEachIndex(x.shape, (index, flat) => {
    let k = 0;
    index.forEach((v, i) => (k += (ax.includes(i) ? 0 : v) * ks[i]!));
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(x.data[flat]!);
  });
  const out = new Float64Array(size(keptShape));
  for (let k = 0; k < out.length; k++) out[k] = fn(groups.get(k) ?? []);
  return { data: out, shape: keepDims ? keptShape : x.shape.filter((_, i) => !ax.includes(i)) };
}

export const sumOf = (v: number[]) => v.reduce((s, x) => s + x, 0);
export const maxOf = (v: number[]) => (v.some(Number.isNaN) ? NaN : Math.max(...v));
export const minOf = (v: number[]) => (v.some(Number.isNaN) ? NaN : Math.min(...v));

/** out[index] = x[source(index)] for every index of `shape`. */
export function remap(
  x: Ref,
  shape: readonly number[],
  source: (index: number[]) => number[] | null,
  fill = 0,
): Ref {
  const out = new Float64Array(size(shape));
  forEachIndex(shape, (index, flat) => {
    const s = source(index);
    out[flat] = s ? at(x, s) : fill;
  });
  return { data: out, shape: [...shape] };
}

export function matmul(a: Ref, b: Ref): Ref {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[ra - 2]!;
  const k = a.shape[ra - 1]!;
  const n = b.shape[rb - 1]!;
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, m, n];
  const out = new Float64Array(size(shape));
  forEachIndex(shape, (index, flat) => {
    const bi = index.slice(0, -2);
    const i = index[index.length - 2]!;
    const j = index[index.length - 1]!;
    let s = 0;
    for (let p = 0; p < k; p++) s += atBroadcast(a, [...bi, i, p]) * atBroadcast(b, [...bi, p, j]);
    out[flat] = s;
  });
  return { data: out, shape };
}

export function softmax(x: Ref, log: boolean): Ref {
  const n = x.shape[x.shape.length - 1]!;
  const out = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / n; r++) {
    const row = Array.from(x.data.subarray(r * n, r * n + n));
    const m = maxOf(row);
    const total = sumOf(row.map((v) => Math.exp(v - m)));
    row.forEach((v, j) => (out[r * n + j] = log ? v - m - Math.log(total) : Math.exp(v - m) / total));
  }
  return { data: out, shape: [...x.shape] };
}

export interface Window {
  kh: number;
  kw: number;
  stride: [number, number];
  pad: [number, number, number, number];
  dilation: [number, number];
}

function outSize(n: number, k: number, s: number, p0: number, p1: number, d: number): number {
  return Math.floor((n + p0 + p1 - (k - 1) * d - 1) / s) + 1;
}

/** Direct NHWC convolution with filter [kh, kw, c, f]. */
export function conv2d(x: Ref, filter: Ref, w: Window): Ref {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const F = filter.shape[3]!;
  const OH = outSize(H, w.kh, w.stride[0], w.pad[0], w.pad[1], w.dilation[0]);
  const OW = outSize(W, w.kw, w.stride[1], w.pad[2], w.pad[3], w.dilation[1]);
  const shape = [N, OH, OW, F];
  const out = new Float64Array(size(shape));
  forEachIndex(shape, ([n, oh, ow, f], flat) => {
    let s = 0;
    for (let i = 0; i < w.kh; i++)
      for (let j = 0; j < w.kw; j++) {
        const ih = oh! * w.stride[0] - w.pad[0] + i * w.dilation[0];
        const iw = ow! * w.stride[1] - w.pad[2] + j * w.dilation[1];
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        for (let c = 0; c < C; c++) s += at(x, [n!, ih, iw, c]) * at(filter, [i, j, c, f!]);
      }
    out[flat] = s;
  });
  return { data: out, shape };
}

/** Max or average pooling (average over taps inside the image). */
export function pool(x: Ref, w: Window, kind: 'max' | 'avg'): Ref {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const OH = outSize(H, w.kh, w.stride[0], w.pad[0], w.pad[1], 1);
  const OW = outSize(W, w.kw, w.stride[1], w.pad[2], w.pad[3], 1);
  const shape = [N, OH, OW, C];
  const out = new Float64Array(size(shape));
  forEachIndex(shape, ([n, oh, ow, c], flat) => {
    const taps: number[] = [];
    for (let i = 0; i < w.kh; i++)
      for (let j = 0; j < w.kw; j++) {
        const ih = oh! * w.stride[0] - w.pad[0] + i;
        const iw = ow! * w.stride[1] - w.pad[2] + j;
        if (ih >= 0 && ih < H && iw >= 0 && iw < W) taps.push(at(x, [n!, ih, iw, c!]));
      }
    out[flat] = kind === 'max' ? maxOf(taps) : sumOf(taps) / taps.length;
  });
  return { data: out, shape };
}
