/**
 * CPU batched matmul: each operand's last two dimensions are handed to GEMM as they lie in
 * memory — row-major, or column-major (a transposed view) with the transpose flag — so the
 * backward pass's Aᵀ·dy and dy·Bᵀ run without copies.
 */
import type { TypedArray } from '../../tensor/dtype.js';
import type { Layout } from '../../tensor/layout.js';
import { copyStrided } from './elementwise.js';
import { dgemm, sgemm } from './gemm.js';
import { rowOffsets } from './strided.js';

interface MatrixOperand {
  data: TypedArray;
  transposed: boolean;
  ld: number;
  batchOffsets: Int32Array | Float64Array;
}

function operand(data: TypedArray, layout: Layout): MatrixOperand {
  const rank = layout.shape.length;
  const rows = layout.shape[rank - 2]!;
  const cols = layout.shape[rank - 1]!;
  const sr = layout.strides[rank - 2]!;
  const sc = layout.strides[rank - 1]!;
  const batchShape = layout.shape.slice(0, -2);
  const batchOffsets = (strides: readonly number[], offset: number) =>
    rowOffsets([...batchShape, 1], [...strides.slice(0, -2), 0], offset);
  if ((cols === 1 || sc === 1) && (rows === 1 || sr >= cols)) {
    return {
      data,
      transposed: false,
      ld: rows === 1 ? cols : Math.max(sr, 1),
      batchOffsets: batchOffsets(layout.strides, layout.offset),
    };
  }
  if ((rows === 1 || sr === 1) && (cols === 1 || sc >= rows)) {
    return {
      data,
      transposed: true,
      ld: cols === 1 ? rows : Math.max(sc, 1),
      batchOffsets: batchOffsets(layout.strides, layout.offset),
    };
  }
  // Neither layout: copy each matrix contiguous (batch strides kept as they were, for stride 0).
  const size = layout.shape.reduce((n, d) => n * d, 1);
  const copy = new (data.constructor as { new (n: number): TypedArray })(size);
  const strides = contiguous(layout.shape);
  copyStrided(copy, { shape: layout.shape, strides, offset: 0 }, data, layout);
  return { data: copy, transposed: false, ld: cols, batchOffsets: batchOffsets(strides, 0) };
}

function contiguous(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function matmulKernel(
  out: TypedArray,
  a: TypedArray,
  aLayout: Layout,
  b: TypedArray,
  bLayout: Layout,
): void {
  const rank = aLayout.shape.length;
  const m = aLayout.shape[rank - 2]!;
  const k = aLayout.shape[rank - 1]!;
  const n = bLayout.shape[rank - 1]!;
  if (out.length === 0) return;
  if (k === 0) {
    out.fill(0);
    return;
  }
  const A = operand(a, aLayout);
  const B = operand(b, bLayout);
  const batches = A.batchOffsets.length;
  if (out instanceof Float32Array) {
    for (let i = 0; i < batches; i++) {
      sgemm(
        A.transposed,
        B.transposed,
        m,
        n,
        k,
        A.data as Float32Array,
        A.batchOffsets[i]!,
        A.ld,
        B.data as Float32Array,
        B.batchOffsets[i]!,
        B.ld,
        out,
        i * m * n,
        n,
        false,
      );
    }
  } else if (out instanceof Float64Array) {
    for (let i = 0; i < batches; i++) {
      dgemm(
        A.transposed,
        B.transposed,
        m,
        n,
        k,
        A.data as Float64Array,
        A.batchOffsets[i]!,
        A.ld,
        B.data as Float64Array,
        B.batchOffsets[i]!,
        B.ld,
        out,
        i * m * n,
        n,
        false,
      );
    }
  } else {
    throw new Error('matmul: int32 operands are not supported; cast to float32 first');
  }
}
