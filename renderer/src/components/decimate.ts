// Min/max bucket decimation: keeps a line's shape (every spike and dip) while drawing at most two
// points per bucket. A chart a few hundred pixels wide gains nothing from 100,000 points, and
// Chart.js stays smooth with a few thousand.

export interface Point {
  x: number;
  y: number | null;
}

/**
 * Reduces `x`/`y` to at most `2 * buckets` points (plus gaps), splitting the x range into equal
 * buckets and keeping each bucket's lowest and highest point in x order. Null values (a metric that
 * was NaN or missing) become gaps. Series with no more than `2 * buckets` points are returned whole.
 */
export function decimateMinMax(x: ArrayLike<number>, y: ArrayLike<number | null>, buckets: number): Point[] {
  const length = Math.min(x.length, y.length);
  const out: Point[] = [];
  if (length === 0) return out;
  if (length <= buckets * 2) {
    for (let i = 0; i < length; i++) out.push({ x: x[i]!, y: finiteOrNull(y[i]!) });
    return out;
  }
  const first = x[0]!;
  const span = x[length - 1]! - first || 1;
  let bucket = -1;
  let minIndex = -1;
  let maxIndex = -1;
  /** Index of the first null in the bucket, or -1: a gap must still break the line. */
  let gapIndex = -1;
  const flush = () => {
    if (minIndex < 0) {
      if (gapIndex >= 0) out.push({ x: x[gapIndex]!, y: null });
      return;
    }
    const a = Math.min(minIndex, maxIndex);
    const b = Math.max(minIndex, maxIndex);
    out.push({ x: x[a]!, y: y[a] as number });
    if (b !== a) out.push({ x: x[b]!, y: y[b] as number });
    if (gapIndex >= 0) out.push({ x: x[Math.max(b, gapIndex)]!, y: null });
  };
  for (let i = 0; i < length; i++) {
    const b = Math.min(buckets - 1, Math.floor(((x[i]! - first) / span) * buckets));
    if (b !== bucket) {
      if (bucket >= 0) flush();
      bucket = b;
      minIndex = -1;
      maxIndex = -1;
      gapIndex = -1;
    }
    const value = finiteOrNull(y[i]!);
    if (value === null) {
      if (gapIndex < 0) gapIndex = i;
      continue;
    }
    if (minIndex < 0 || value < (y[minIndex] as number)) minIndex = i;
    if (maxIndex < 0 || value > (y[maxIndex] as number)) maxIndex = i;
  }
  flush();
  return out;
}

function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}
