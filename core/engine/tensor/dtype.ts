/**
 * Element types a tensor can hold.
 *
 * - `float32`: the working type of every model, on every backend.
 * - `int32`: indices and labels (gather, oneHot, argmax results).
 * - `float64`: the CPU backend only; used by gradient checks against central differences.
 */
export type DType = 'float32' | 'int32' | 'float64';

export type TypedArray = Float32Array | Int32Array | Float64Array;

export function typedArrayFor(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'float64':
      return new Float64Array(size);
  }
}

export function dtypeOfArray(array: TypedArray): DType {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Int32Array) return 'int32';
  return 'float64';
}

export function isFloat(dtype: DType): boolean {
  return dtype !== 'int32';
}

/** The dtype two operands promote to: float64 wins, then float32, then int32. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'float64' || b === 'float64') return 'float64';
  return 'float32';
}

export const bytesPerElement: Record<DType, number> = { float32: 4, int32: 4, float64: 8 };
