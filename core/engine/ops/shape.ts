/**
 * Shape ops. reshape, permute/transpose, expand, squeeze/unsqueeze and slice are views: they
 * change the layout and share storage. concat, stack and pad write into a new storage.
 */
import { RegionGrad } from '../autodiff/node.js';
import { record } from '../autodiff/record.js';
import type { DType } from '../tensor/dtype.js';
import {
  broadcastLayout,
  contiguousStrides,
  formatShape,
  isContiguous,
  normalizeAxis,
  shapesEqual,
  sizeOf,
  ShapeError,
  type Layout,
  type Shape,
} from '../tensor/layout.js';
import { Tensor } from '../tensor/tensor.js';
import { backendOf, wrap } from './operand.js';
import { sumToShape } from './reduce.js';

/** Same values, new shape; one dimension may be -1 (inferred). A view when contiguous. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const target = resolveShape(x, shape);
  if (shapesEqual(target, x.shape)) return record('reshape', x.withLayout(x.layout), [x], (dy) => [dy]);
  const source = x.isContiguous ? x : contiguous(x);
  const out = source.withLayout({
    shape: target,
    strides: contiguousStrides(target),
    offset: source.layout.offset,
  });
  if (source !== x) source.dispose();
  return record('reshape', out, [x], (dy) => [reshape(dy, x.shape)]);
}

export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.size]);
}

/** Reorders dimensions: out.shape[i] = x.shape[perm[i]]. A view. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank) {
    throw new ShapeError(
      `permute: permutation [${perm.join(',')}] does not match rank ${x.rank} of ${formatShape(x.shape)}`,
    );
  }
  const axes = perm.map((p) => normalizeAxis('permute', p, x.rank));
  if (new Set(axes).size !== axes.length)
    throw new ShapeError(`permute: [${perm.join(',')}] repeats an axis`);
  const layout: Layout = {
    shape: axes.map((a) => x.shape[a]!),
    strides: axes.map((a) => x.layout.strides[a]!),
    offset: x.layout.offset,
  };
  const inverse = new Array<number>(axes.length);
  axes.forEach((a, i) => (inverse[a] = i));
  return record('permute', x.withLayout(layout), [x], (dy) => [permute(dy, inverse)]);
}

/** Reverses the dimensions (NumPy's default), or applies `perm`. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  return permute(x, perm ?? x.shape.map((_, i) => x.rank - 1 - i));
}

/** Swaps the last two dimensions (the matrix transpose of each matrix in a batch). */
export function matrixTranspose(x: Tensor): Tensor {
  if (x.rank < 2) throw new ShapeError(`matrixTranspose: needs rank ≥ 2, got ${formatShape(x.shape)}`);
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return permute(x, perm);
}

/** Broadcasts to `shape` without copying (stride 0 along expanded dimensions). */
export function expand(x: Tensor, shape: Shape): Tensor {
  const out = x.withLayout(shapesEqual(x.shape, shape) ? x.layout : broadcastLayout(x.layout, shape));
  return record('expand', out, [x], (dy) => [sumToShape(dy, x.shape)]);
}

export const broadcastTo = expand;

/** Inserts a dimension of size 1 at `axis`. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis('unsqueeze', axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

export const expandDims = unsqueeze;

/** Removes dimensions of size 1 (all of them, or those in `axes`). */
export function squeeze(x: Tensor, axes?: readonly number[]): Tensor {
  const drop = new Set(
    axes === undefined
      ? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))
      : axes.map((a) => normalizeAxis('squeeze', a, x.rank)),
  );
  for (const a of drop) {
    if (x.shape[a] !== 1) throw new ShapeError(`squeeze: dimension ${a} of ${formatShape(x.shape)} is not 1`);
  }
  return reshape(
    x,
    x.shape.filter((_, i) => !drop.has(i)),
  );
}

/**
 * The block starting at `begin` with extent `size` (-1 means "to the end"). A view.
 * @example slice(x, [0, 2], [-1, 3]) // all rows, columns 2..4
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  if (begin.length > x.rank)
    throw new ShapeError(`slice: begin has ${begin.length} entries for rank ${x.rank}`);
  const starts = x.shape.map((_, i) => begin[i] ?? 0);
  const extents = x.shape.map((d, i) => {
    const s = size?.[i] ?? -1;
    return s === -1 ? d - starts[i]! : s;
  });
  let offset = x.layout.offset;
  for (let i = 0; i < x.rank; i++) {
    const d = x.shape[i]!;
    if (starts[i]! < 0 || extents[i]! < 0 || starts[i]! + extents[i]! > d) {
      throw new ShapeError(
        `slice: begin [${starts.join(',')}] size [${extents.join(',')}] is outside ${formatShape(x.shape)} (dimension ${i})`,
      );
    }
    offset += starts[i]! * x.layout.strides[i]!;
  }
  const out = x.withLayout({ shape: extents, strides: [...x.layout.strides], offset });
  return record('slice', out, [x], (dy) => [new RegionGrad(dy, starts)]);
}

/** A contiguous copy when `x` is a strided view; `x` itself (a new handle) otherwise. */
export function contiguous(x: Tensor): Tensor {
  if (isContiguous(x.layout)) return x.withLayout(x.layout);
  const backend = backendOf('contiguous', x);
  const out = wrap(backend.copy(x.view('contiguous')), x.shape, backend);
  return record('contiguous', out, [x], (dy) => [dy]);
}

/** Converts to `dtype`. Gradients flow through float-to-float casts. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x.withLayout(x.layout);
  const backend = backendOf('cast', x);
  const out = wrap(backend.copy(x.view('cast'), dtype), x.shape, backend);
  if (dtype === 'int32' || x.dtype === 'int32') return out;
  return record('cast', out, [x], (dy) => [cast(dy, x.dtype)]);
}

/** The same values with no gradient history. */
export function detach(x: Tensor): Tensor {
  return x.withLayout(x.layout);
}

/** Joins tensors along `axis`; all other dimensions must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('concat: needs at least one tensor');
  const first = tensors[0]!;
  const a = normalizeAxis('concat', axis, first.rank);
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(
        `concat: ${formatShape(t.shape)} does not match ${formatShape(first.shape)} outside axis ${a}`,
      );
    }
    if (t.dtype !== first.dtype) throw new Error(`concat: mixed dtypes ${first.dtype} and ${t.dtype}`);
  }
  const backend = backendOf('concat', ...tensors);
  const shape = [...first.shape];
  shape[a] = tensors.reduce((n, t) => n + t.shape[a]!, 0);
  const storage = backend.full(sizeOf(shape), first.dtype, 0);
  const strides = contiguousStrides(shape);
  const starts: number[] = [];
  let start = 0;
  for (const t of tensors) {
    starts.push(start);
    if (t.size > 0) {
      backend.write(storage, { shape: t.shape, strides, offset: start * strides[a]! }, t.view('concat'));
    }
    start += t.shape[a]!;
  }
  const out = wrap(storage, shape, backend);
  return record('concat', out, tensors, (dy, needs) =>
    tensors.map((t, i) => {
      if (!needs[i]) return null;
      const begin = new Array<number>(shape.length).fill(0);
      begin[a] = starts[i]!;
      return slice(dy, begin, t.shape);
    }),
  );
}

/** Stacks same-shaped tensors along a new dimension `axis`. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: needs at least one tensor');
  const expanded = tensors.map((t) => unsqueeze(t, axis < 0 ? axis + t.rank + 1 : axis));
  const out = concat(expanded, axis < 0 ? axis + tensors[0]!.rank + 1 : axis);
  for (const e of expanded) e.dispose();
  return out;
}

/** Splits along `axis` into `sections` equal parts, or parts of the given sizes. Views. */
export function split(x: Tensor, sections: number | readonly number[], axis = 0): Tensor[] {
  const a = normalizeAxis('split', axis, x.rank);
  const d = x.shape[a]!;
  let sizes: number[];
  if (typeof sections === 'number') {
    if (d % sections !== 0)
      throw new ShapeError(
        `split: dimension ${a} of ${formatShape(x.shape)} is not divisible by ${sections}`,
      );
    sizes = new Array<number>(sections).fill(d / sections);
  } else {
    sizes = [...sections];
    if (sizes.reduce((s, v) => s + v, 0) !== d) {
      throw new ShapeError(
        `split: sizes [${sizes.join(',')}] do not add up to ${d} (dimension ${a} of ${formatShape(x.shape)})`,
      );
    }
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    const begin = new Array<number>(x.rank).fill(0);
    begin[a] = start;
    const size = [...x.shape];
    size[a] = s;
    out.push(slice(x, begin, size));
    start += s;
  }
  return out;
}

/**
 * Pads with `value` (default 0): paddings[i] = [before, after] for dimension i.
 * @example pad(x, [[0, 0], [1, 1]]) // one column of zeros each side
 */
export function pad(x: Tensor, paddings: readonly (readonly [number, number])[], value = 0): Tensor {
  if (paddings.length !== x.rank) {
    throw new ShapeError(`pad: ${paddings.length} paddings for rank ${x.rank} ${formatShape(x.shape)}`);
  }
  const shape = x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
  const begin = paddings.map((p) => p[0]);
  if (paddings.some(([b, e]) => b < 0 || e < 0)) throw new ShapeError('pad: paddings must be ≥ 0');
  const out = padTo(x, shape, begin, value);
  return record('pad', out, [x], (dy) => [slice(dy, begin, x.shape)]);
}

/** A new tensor of `shape` filled with `value`, with `x` written at `begin` (no gradient). */
function padTo(x: Tensor, shape: Shape, begin: readonly number[], value: number): Tensor {
  const backend = backendOf('pad', x);
  const storage = backend.full(sizeOf(shape), x.dtype, value);
  const strides = contiguousStrides(shape);
  const offset = begin.reduce((s, b, i) => s + b * strides[i]!, 0);
  if (x.size > 0) backend.write(storage, { shape: x.shape, strides, offset }, x.view('pad'));
  return wrap(storage, shape, backend);
}

function resolveShape(x: Tensor, shape: Shape): number[] {
  const out = [...shape];
  const unknown = out.indexOf(-1);
  const known = out.reduce((n, d) => (d === -1 ? n : n * d), 1);
  if (unknown !== -1) {
    if (out.indexOf(-1, unknown + 1) !== -1)
      throw new ShapeError(`reshape: more than one -1 in ${formatShape(shape)}`);
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(
        `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`,
      );
    }
    out[unknown] = x.size / known;
  }
  if (sizeOf(out) !== x.size || out.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(
      `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`,
    );
  }
  return out;
}
