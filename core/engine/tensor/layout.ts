/**
 * Shapes, strides and broadcasting: the metadata that makes reshape, transpose, expand and
 * slice free. A layout says where element (i0, i1, ...) of a view lives in its storage:
 * offset + Σ ik·strides[k].
 */
export type Shape = readonly number[];

export interface Layout {
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function contiguousLayout(shape: Shape): Layout {
  return { shape: [...shape], strides: contiguousStrides(shape), offset: 0 };
}

/** True when the layout walks its storage in row-major order with no gaps, from `offset`. */
export function isContiguous(layout: Layout): boolean {
  let s = 1;
  for (let i = layout.shape.length - 1; i >= 0; i--) {
    const d = layout.shape[i]!;
    if (d !== 1 && layout.strides[i] !== s) return false;
    s *= d;
  }
  return true;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes; throws naming the op and both shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: ${formatShape(a)} and ${formatShape(b)} cannot broadcast: dimension ${i} is ${da} vs ${db}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** A view of `layout` expanded to `shape` (stride 0 along broadcast dimensions). */
export function broadcastLayout(layout: Layout, shape: Shape): Layout {
  const rank = shape.length;
  const lead = rank - layout.shape.length;
  const strides = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const src = i - lead;
    if (src < 0) strides[i] = 0;
    else {
      const d = layout.shape[src]!;
      if (d === shape[i]) strides[i] = layout.strides[src]!;
      else if (d === 1) strides[i] = 0;
      else
        throw new ShapeError(`expand: ${formatShape(layout.shape)} cannot expand to ${formatShape(shape)}`);
    }
  }
  return { shape: [...shape], strides, offset: layout.offset };
}

/** Normalises a possibly negative axis against a rank, naming the op when out of range. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

export function normalizeAxes(
  op: string,
  axes: number | readonly number[] | undefined,
  rank: number,
): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = [...new Set(list.map((a) => normalizeAxis(op, a, rank)))];
  return out.sort((x, y) => x - y);
}

export class ShapeError extends Error {
  override name = 'ShapeError';
}
