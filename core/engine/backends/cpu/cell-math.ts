/**
 * What the CPU's fused recurrent cells (lstm-cell.ts, gru-cell.ts) share: 2-D strided operands
 * and the double-precision sigmoid, the formula of unaryExpressions.sigmoid in elementwise.ts.
 */
import type { TypedArray } from '../../tensor/dtype.js';
import type { Layout } from '../../tensor/layout.js';

/** A 2-D strided operand: element (b, j) is data[offset + b·row + j·col]. */
export interface Matrix {
  readonly data: TypedArray;
  readonly offset: number;
  readonly row: number;
  readonly col: number;
}

export function matrixOf(data: TypedArray, layout: Layout): Matrix {
  return { data, offset: layout.offset, row: layout.strides[0]!, col: layout.strides[1]! };
}

/** Element (b, j). */
export const at = (m: Matrix, b: number, j: number): number => m.data[m.offset + b * m.row + j * m.col]!;

/** Every array (or operand's array) float32, so the native kernels can take them. */
export const allFloat32 = (...arrays: (TypedArray | Matrix)[]): boolean =>
  arrays.every((a) => ('data' in a ? a.data : a) instanceof Float32Array);

/** An operand as the native cell functions take it: array, offset, row and column strides. */
export const viewArgs = (m: Matrix) => [m.data as Float32Array, m.offset, m.row, m.col] as const;

/** σ without overflow, as the TypeScript unary kernel computes it. */
export const sigmoid = (v: number): number =>
  v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
