/**
 * The shared op-test table: every engine op, its input shapes (sizes 1, 7, 513, empty,
 * broadcasting and strided views), the values it is fed, and an independent float64
 * reference. `op-runner.ts` runs the table on any backend.
 */
import type * as Engine from '../../core/engine/index.js';
import type { Tensor } from '../../core/engine/index.js';
import * as R from './reference.js';
import { crossEntropyOpCases, denseOpCases, gruCellOpCases, lstmCellOpCases } from './op-cases-fused.js';

type NN = typeof Engine;

/** How an input's values are drawn. */
export type InputKind = 'float' | 'positive' | 'awayFromZero' | { int: number };

export interface OpVariant {
  shapes: number[][];
  args?: unknown;
}

// Variant arguments differ per op (axes, options, modes); the table is test data, so `any` is deliberate.
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface OpCase {
  name: string;
  variants: OpVariant[];
  kinds?: InputKind[];
  run: (nn: NN, xs: Tensor[], args: any) => Tensor;
  reference: (xs: R.Ref[], args: any) => R.Ref;
  /** false: the op has no gradient (comparisons, argmax, floor …). Defaults to true. */
  differentiable?: boolean;
  /** Also feed NaN, ±Inf, ±0 and check the outputs match the reference exactly (NaN = NaN). */
  special?: boolean;
  /** float32 relative tolerance against the reference; defaults to 1e-4. */
  tolerance?: number;
  /** float32 relative tolerance between two backends' gradients; defaults to `tolerance`. */
  gradientTolerance?: number;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const unaryShapes: OpVariant[] = [
  { shapes: [[1]] },
  { shapes: [[7]] },
  { shapes: [[513]] },
  { shapes: [[2, 3, 5]] },
  { shapes: [[0]] },
  { shapes: [[]] },
];

function unary(
  name: keyof NN & string,
  fn: (v: number) => number,
  kind: InputKind = 'float',
  extra: Partial<OpCase> = {},
): OpCase {
  return {
    name,
    variants: unaryShapes,
    kinds: [kind],
    run: (nn, [x]) => (nn[name] as (t: Tensor) => Tensor)(x!),
    reference: ([x]) => R.map(x!, fn),
    special: true,
    ...extra,
  };
}

const sigmoid = (a: number) => 1 / (1 + Math.exp(-a));
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

const binaryShapes: OpVariant[] = [
  { shapes: [[7], [7]] },
  { shapes: [[513], [513]] },
  {
    shapes: [
      [3, 1],
      [1, 4],
    ],
  },
  { shapes: [[2, 3, 4], [4]] },
  {
    shapes: [
      [5, 1, 3],
      [4, 1],
    ],
  },
  { shapes: [[1], [6]] },
  { shapes: [[4], []] },
  { shapes: [[0, 3], [3]] },
  // The second input's gradient sums 257 rows: a workgroup reduction with a ragged last group.
  { shapes: [[257, 3], [3]] },
];

function binary(
  name: keyof NN & string,
  fn: (a: number, b: number) => number,
  kinds: InputKind[] = ['float', 'float'],
  extra: Partial<OpCase> = {},
): OpCase {
  return {
    name,
    variants: binaryShapes,
    kinds,
    run: (nn, [a, b]) => (nn[name] as (x: Tensor, y: Tensor) => Tensor)(a!, b!),
    reference: (xs) => R.zip(xs, fn),
    special: true,
    ...extra,
  };
}

const reduceVariants: OpVariant[] = [
  { shapes: [[513]], args: { axes: undefined } },
  { shapes: [[1]], args: { axes: [0] } },
  { shapes: [[3, 4, 5]], args: { axes: [1] } },
  { shapes: [[3, 4, 5]], args: { axes: [0, 2] } },
  { shapes: [[3, 4, 5]], args: { axes: [-1], keepDims: true } },
  { shapes: [[6, 7]], args: { axes: [0] } },
  { shapes: [[2, 3, 4]], args: { axes: [0, 1] } },
];

function reduction(
  name: 'sum' | 'mean' | 'max' | 'min' | 'prod',
  fn: (v: number[]) => number,
  kind: InputKind = 'float',
): OpCase {
  return {
    name,
    variants: name === 'prod' ? reduceVariants.filter((v) => (v.shapes[0]![0] ?? 0) < 100) : reduceVariants,
    kinds: [kind],
    run: (nn, [x], a) => nn[name](x!, a.axes, { keepDims: a.keepDims }),
    reference: ([x], a) => R.reduce(x!, a.axes, fn, a.keepDims),
    special: name !== 'prod',
  };
}

function transpose2(x: R.Ref): R.Ref {
  const [r, c] = x.shape as [number, number];
  return R.remap(x, [c, r], ([i, j]) => [j!, i!]);
}

const windowCase = (kh: number, kw: number, stride: number, pad: number[], dilation = 1): R.Window => ({
  kh,
  kw,
  stride: [stride, stride],
  pad: pad as [number, number, number, number],
  dilation: [dilation, dilation],
});

export const opCases: OpCase[] = [
  // ── unary elementwise ─────────────────────────────────────────────────
  unary('neg', (a) => -a),
  unary('abs', Math.abs, 'awayFromZero'),
  unary('sign', Math.sign, 'awayFromZero', { differentiable: false }),
  unary('square', (a) => a * a),
  unary('sqrt', Math.sqrt, 'positive'),
  unary('reciprocal', (a) => 1 / a, 'awayFromZero'),
  unary('exp', Math.exp),
  unary('log', Math.log, 'positive'),
  unary('sin', Math.sin),
  unary('cos', Math.cos),
  unary('floor', Math.floor, 'float', { differentiable: false }),
  unary('relu', (a) => (Number.isNaN(a) ? NaN : Math.max(a, 0)), 'awayFromZero'),
  unary('step', (a) => (Number.isNaN(a) ? NaN : a > 0 ? 1 : 0), 'awayFromZero', { differentiable: false }),
  unary('sigmoid', sigmoid),
  unary('tanh', Math.tanh),
  unary('softplus', (a) => (a > 30 ? a : Math.log1p(Math.exp(a)))),
  unary('elu', (a) => (a > 0 ? a : Math.exp(a) - 1), 'awayFromZero'),
  unary('selu', (a) => SELU_SCALE * (a > 0 ? a : SELU_ALPHA * (Math.exp(a) - 1)), 'awayFromZero'),
  unary('leakyRelu', (a) => (a > 0 ? a : 0.2 * a), 'awayFromZero'),
  {
    name: 'elu(alpha=0.5) of a transposed view',
    variants: [{ shapes: [[4, 6]] }, { shapes: [[1, 7]] }],
    kinds: ['awayFromZero'],
    run: (nn, [x]) => nn.elu(nn.transpose(x!), 0.5),
    reference: ([x]) => R.map(transpose2(x!), (a) => (a > 0 ? a : 0.5 * (Math.exp(a) - 1))),
  },
  {
    name: 'clamp',
    variants: [{ shapes: [[7]] }, { shapes: [[513]] }],
    kinds: ['awayFromZero'],
    run: (nn, [x]) => nn.clamp(x!, -0.5, 0.75),
    reference: ([x]) => R.map(x!, (a) => Math.min(Math.max(a, -0.5), 0.75)),
  },
  // ── binary elementwise ────────────────────────────────────────────────
  binary('add', (a, b) => a + b),
  binary('sub', (a, b) => a - b),
  binary('mul', (a, b) => a * b),
  binary('div', (a, b) => a / b, ['float', 'awayFromZero']),
  binary('pow', Math.pow, ['positive', 'float']),
  binary('maximum', (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b))),
  binary('minimum', (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b))),
  binary('equal', (a, b) => Number(a === b), undefined, { differentiable: false }),
  binary('notEqual', (a, b) => Number(a !== b), undefined, { differentiable: false }),
  binary('less', (a, b) => Number(a < b), undefined, { differentiable: false }),
  binary('lessEqual', (a, b) => Number(a <= b), undefined, { differentiable: false }),
  binary('greater', (a, b) => Number(a > b), undefined, { differentiable: false }),
  binary('greaterEqual', (a, b) => Number(a >= b), undefined, { differentiable: false }),
  {
    name: 'add with a scalar number',
    variants: [{ shapes: [[7]] }],
    run: (nn, [x]) => nn.mul(nn.add(x!, 2.5), 3),
    reference: ([x]) => R.map(x!, (a) => (a + 2.5) * 3),
  },
  {
    name: 'where',
    variants: [
      { shapes: [[4, 3], [4, 3], [3]] },
      { shapes: [[513], [513], [513]] },
      {
        shapes: [
          [2, 1],
          [1, 5],
          [2, 5],
        ],
      },
    ],
    run: (nn, [c, a, b]) => nn.where(nn.greater(c!, 0), a!, b!),
    reference: (xs) => R.zip(xs, (c, a, b) => (c > 0 ? a : b)),
  },
  // ── reductions ────────────────────────────────────────────────────────
  reduction('sum', R.sumOf),
  reduction('mean', (v) => R.sumOf(v) / v.length),
  reduction('max', R.maxOf),
  reduction('min', R.minOf),
  reduction('prod', (v) => v.reduce((p, x) => p * x, 1), 'awayFromZero'),
  {
    name: 'sum of a transposed view',
    variants: [
      { shapes: [[5, 7]], args: { axes: [1] } },
      { shapes: [[5, 7]], args: { axes: [0] } },
    ],
    run: (nn, [x], a) => nn.sum(nn.transpose(x!), a.axes),
    reference: ([x], a) => R.reduce(transpose2(x!), a.axes, R.sumOf),
  },
  {
    name: 'variance',
    variants: [
      { shapes: [[513]], args: {} },
      { shapes: [[3, 4, 5]], args: { axes: [0, 2] } },
      { shapes: [[6, 7]], args: { axes: [1], correction: 1 } },
    ],
    run: (nn, [x], a) => nn.variance(x!, a.axes, { correction: a.correction }),
    reference: ([x], a) =>
      R.reduce(x!, a.axes, (v) => {
        const m = R.sumOf(v) / v.length;
        return R.sumOf(v.map((t) => (t - m) ** 2)) / (v.length - (a.correction ?? 0));
      }),
  },
  {
    name: 'logSumExp',
    variants: [
      { shapes: [[7]], args: {} },
      { shapes: [[3, 5]], args: { axes: [1] } },
    ],
    run: (nn, [x], a) => nn.logSumExp(x!, a.axes),
    reference: ([x], a) =>
      R.reduce(x!, a.axes, (v) => {
        const m = R.maxOf(v);
        return m + Math.log(R.sumOf(v.map((t) => Math.exp(t - m))));
      }),
  },
  {
    name: 'argmax',
    variants: [
      { shapes: [[513]], args: { axis: 0 } },
      { shapes: [[3, 7]], args: { axis: 1 } },
      { shapes: [[3, 7]], args: { axis: 0 } },
    ],
    run: (nn, [x], a) => nn.argmax(x!, a.axis),
    reference: ([x], a) => R.reduce(x!, [a.axis], (v) => v.indexOf(R.maxOf(v))),
    differentiable: false,
  },
  {
    name: 'argmin',
    variants: [
      { shapes: [[7]], args: { axis: 0 } },
      { shapes: [[4, 5]], args: { axis: -1 } },
    ],
    run: (nn, [x], a) => nn.argmin(x!, a.axis),
    reference: ([x], a) => R.reduce(x!, [a.axis], (v) => v.indexOf(R.minOf(v))),
    differentiable: false,
  },
  // ── matmul ────────────────────────────────────────────────────────────
  {
    name: 'matmul',
    variants: [
      {
        shapes: [
          [3, 4],
          [4, 5],
        ],
      },
      {
        shapes: [
          [1, 7],
          [7, 1],
        ],
      },
      {
        shapes: [
          [2, 3, 4],
          [4, 5],
        ],
      },
      {
        shapes: [
          [2, 1, 3, 4],
          [5, 4, 6],
        ],
      },
      {
        shapes: [
          [9, 33],
          [33, 17],
        ],
      },
      {
        shapes: [
          [513, 7],
          [7, 13],
        ],
      },
      // Several 64×64 output tiles with ragged edges and a K that is no multiple of 16.
      {
        shapes: [
          [67, 129],
          [129, 65],
        ],
      },
      { shapes: [[4], [4, 3]] },
      { shapes: [[3, 4], [4]] },
      {
        shapes: [
          [0, 4],
          [4, 3],
        ],
      },
    ],
    run: (nn, [a, b]) => nn.matmul(a!, b!),
    reference: ([a, b]) => {
      const left = a!.shape.length === 1 ? { data: a!.data, shape: [1, ...a!.shape] } : a!;
      const right = b!.shape.length === 1 ? { data: b!.data, shape: [...b!.shape, 1] } : b!;
      const out = R.matmul(left, right);
      if (a!.shape.length === 1) out.shape.splice(out.shape.length - 2, 1);
      if (b!.shape.length === 1) out.shape.pop();
      return out;
    },
    special: false,
  },
  {
    name: 'matmul Aᵀ·B, A·Bᵀ, Aᵀ·Bᵀ (transposed views)',
    variants: [
      {
        shapes: [
          [5, 3],
          [5, 4],
        ],
        args: 'tn',
      },
      {
        shapes: [
          [3, 5],
          [4, 5],
        ],
        args: 'nt',
      },
      {
        shapes: [
          [5, 3],
          [4, 5],
        ],
        args: 'tt',
      },
      {
        shapes: [
          [64, 17],
          [64, 9],
        ],
        args: 'tn',
      },
    ],
    run: (nn, [a, b], mode: string) =>
      nn.matmul(mode[0] === 't' ? nn.transpose(a!) : a!, mode[1] === 't' ? nn.transpose(b!) : b!),
    reference: ([a, b], mode: string) =>
      R.matmul(mode[0] === 't' ? transpose2(a!) : a!, mode[1] === 't' ? transpose2(b!) : b!),
  },
  // ── softmax ───────────────────────────────────────────────────────────
  {
    name: 'softmax',
    variants: [{ shapes: [[7]] }, { shapes: [[3, 5]] }, { shapes: [[2, 513]] }, { shapes: [[1, 1]] }],
    run: (nn, [x]) => nn.softmax(x!),
    reference: ([x]) => R.softmax(x!, false),
  },
  {
    name: 'logSoftmax',
    variants: [{ shapes: [[7]] }, { shapes: [[3, 5]] }, { shapes: [[2, 513]] }],
    run: (nn, [x]) => nn.logSoftmax(x!),
    reference: ([x]) => R.softmax(x!, true),
  },
  {
    name: 'softmax along axis 0',
    variants: [{ shapes: [[4, 3]] }],
    run: (nn, [x]) => nn.softmax(x!, 0),
    reference: ([x]) => transpose2(R.softmax(transpose2(x!), false)),
  },
  // ── shape ─────────────────────────────────────────────────────────────
  {
    name: 'reshape of a transposed view',
    variants: [{ shapes: [[3, 4]] }],
    run: (nn, [x]) => nn.reshape(nn.transpose(x!), [2, 6]),
    reference: ([x]) => ({ data: transpose2(x!).data, shape: [2, 6] }),
  },
  {
    name: 'permute',
    variants: [{ shapes: [[2, 3, 4]] }],
    run: (nn, [x]) => nn.mul(nn.permute(x!, [2, 0, 1]), 1),
    reference: ([x]) => R.remap(x!, [4, 2, 3], ([i, j, k]) => [j!, k!, i!]),
  },
  {
    name: 'expand',
    variants: [{ shapes: [[3, 1]] }],
    run: (nn, [x]) => nn.mul(nn.expand(x!, [2, 3, 4]), 1),
    reference: ([x]) => R.remap(x!, [2, 3, 4], ([, j]) => [j!, 0]),
  },
  {
    name: 'slice',
    variants: [{ shapes: [[5, 7]] }],
    run: (nn, [x]) => nn.mul(nn.slice(x!, [1, 2], [3, -1]), 1),
    reference: ([x]) => R.remap(x!, [3, 5], ([i, j]) => [i! + 1, j! + 2]),
  },
  {
    name: 'concat',
    variants: [
      {
        shapes: [
          [2, 3],
          [4, 3],
        ],
        args: 0,
      },
      {
        shapes: [
          [2, 3],
          [2, 1],
        ],
        args: 1,
      },
      {
        shapes: [
          [0, 3],
          [2, 3],
        ],
        args: 0,
      },
    ],
    run: (nn, [a, b], axis: number) => nn.concat([a!, b!], axis),
    reference: ([a, b], axis: number) => {
      const shape = [...a!.shape];
      shape[axis] = a!.shape[axis]! + b!.shape[axis]!;
      const split = a!.shape[axis]!;
      return concatRef(a!, b!, axis, split, shape);
    },
  },
  {
    name: 'stack',
    variants: [
      {
        shapes: [
          [2, 3],
          [2, 3],
        ],
      },
    ],
    run: (nn, [a, b]) => nn.stack([a!, b!], 1),
    reference: ([a, b]) => stackRef(a!, b!),
  },
  {
    name: 'split',
    variants: [{ shapes: [[3, 6]] }],
    run: (nn, [x]) => nn.split(x!, [1, 2, 3], 1)[2]!,
    reference: ([x]) => R.remap(x!, [3, 3], ([i, j]) => [i!, j! + 3]),
  },
  {
    name: 'pad',
    variants: [{ shapes: [[2, 3]] }],
    run: (nn, [x]) =>
      nn.pad(
        x!,
        [
          [1, 0],
          [2, 1],
        ],
        0,
      ),
    reference: ([x]) =>
      R.remap(x!, [3, 6], ([i, j]) => (i! >= 1 && j! >= 2 && j! < 5 ? [i! - 1, j! - 2] : null)),
  },
  // ── indexing ──────────────────────────────────────────────────────────
  {
    name: 'gather',
    variants: [
      { shapes: [[5, 3], [4]], args: 0 },
      {
        shapes: [
          [3, 5],
          [2, 2],
        ],
        args: 1,
      },
    ],
    kinds: ['float', { int: 3 }],
    run: (nn, [x, i], axis: number) => nn.gather(x!, i!, axis),
    reference: ([x, i], axis: number) => {
      const shape = [...x!.shape.slice(0, axis), ...i!.shape, ...x!.shape.slice(axis + 1)];
      return R.remap(x!, shape, (index) => {
        const idx = index.slice(axis, axis + i!.shape.length);
        const src = [...index.slice(0, axis), R.at(i!, idx), ...index.slice(axis + i!.shape.length)];
        return src;
      });
    },
  },
  {
    name: 'scatterAdd (repeated indices accumulate)',
    variants: [{ shapes: [[6, 3], [6]] }],
    kinds: ['float', { int: 4 }],
    run: (nn, [u, i]) => nn.scatterAdd(u!, i!, 0, 4),
    reference: ([u, i]) => {
      const out = new Float64Array(4 * 3);
      for (let k = 0; k < 6; k++)
        for (let j = 0; j < 3; j++) out[i!.data[k]! * 3 + j]! += u!.data[k * 3 + j]!;
      return { data: out, shape: [4, 3] };
    },
  },
  {
    name: 'oneHot',
    variants: [{ shapes: [[5]] }],
    kinds: [{ int: 4 }],
    run: (nn, [i]) => nn.oneHot(i!, 4),
    reference: ([i]) => oneHotRef(i!, 4),
    differentiable: false,
  },
  // ── convolution and pooling (NHWC) ────────────────────────────────────
  {
    name: 'conv2d',
    variants: [
      {
        shapes: [
          [2, 5, 5, 3],
          [3, 3, 3, 4],
        ],
        args: { options: {}, w: windowCase(3, 3, 1, [0, 0, 0, 0]) },
      },
      {
        shapes: [
          [1, 6, 7, 2],
          [3, 2, 2, 3],
        ],
        args: { options: { padding: 'same' }, w: windowCase(3, 2, 1, [1, 1, 0, 1]) },
      },
      {
        shapes: [
          [1, 7, 7, 1],
          [3, 3, 1, 2],
        ],
        args: { options: { strides: 2, padding: 'same' }, w: windowCase(3, 3, 2, [1, 1, 1, 1]) },
      },
      {
        shapes: [
          [1, 7, 7, 2],
          [2, 2, 2, 1],
        ],
        args: { options: { dilation: 2 }, w: windowCase(2, 2, 1, [0, 0, 0, 0], 2) },
      },
    ],
    run: (nn, [x, f], a) => nn.conv2d(x!, f!, a.options),
    reference: ([x, f], a) => R.conv2d(x!, f!, a.w),
  },
  {
    name: 'maxPool2d',
    variants: [
      { shapes: [[2, 4, 4, 3]], args: { options: {}, w: windowCase(2, 2, 2, [0, 0, 0, 0]) } },
      {
        shapes: [[1, 5, 5, 2]],
        args: { options: { padding: 'same' }, w: windowCase(2, 2, 2, [0, 1, 0, 1]) },
      },
      {
        shapes: [[1, 5, 5, 1]],
        args: { options: { poolSize: 3, strides: 1 }, w: windowCase(3, 3, 1, [0, 0, 0, 0]) },
      },
    ],
    run: (nn, [x], a) => nn.maxPool2d(x!, a.options),
    reference: ([x], a) => R.pool(x!, a.w, 'max'),
  },
  {
    name: 'avgPool2d',
    variants: [
      { shapes: [[2, 4, 4, 3]], args: { options: {}, w: windowCase(2, 2, 2, [0, 0, 0, 0]) } },
      {
        shapes: [[1, 5, 5, 2]],
        args: { options: { padding: 'same' }, w: windowCase(2, 2, 2, [0, 1, 0, 1]) },
      },
    ],
    run: (nn, [x], a) => nn.avgPool2d(x!, a.options),
    reference: ([x], a) => R.pool(x!, a.w, 'avg'),
  },
  // ── fused ops ─────────────────────────────────────────────────────────
  ...crossEntropyOpCases,
  ...denseOpCases,
  ...lstmCellOpCases,
  ...gruCellOpCases,
];

function concatRef(a: R.Ref, b: R.Ref, axis: number, split: number, shape: number[]): R.Ref {
  const out = new Float64Array(R.size(shape));
  R.forEachIndex(shape, (index, flat) => {
    const i = index[axis]!;
    if (i < split) out[flat] = R.at(a, index);
    else {
      const j = [...index];
      j[axis] = i - split;
      out[flat] = R.at(b, j);
    }
  });
  return { data: out, shape };
}

function stackRef(a: R.Ref, b: R.Ref): R.Ref {
  const shape = [2, 2, 3];
  const out = new Float64Array(12);
  R.forEachIndex(shape, ([i, s, j], flat) => (out[flat] = R.at(s === 0 ? a : b, [i!, j!])));
  return { data: out, shape };
}

function oneHotRef(i: R.Ref, depth: number): R.Ref {
  const out = new Float64Array(i.data.length * depth);
  i.data.forEach((c, k) => (out[k * depth + c] = 1));
  return { data: out, shape: [...i.shape, depth] };
}
