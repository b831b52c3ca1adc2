// The charts' min/max decimation: a long series shrinks to a few points per pixel column while
// every bucket's extremes, the ends and the gaps survive.
import { describe, expect, it } from 'vitest';
import { decimateMinMax } from '../../../renderer/src/components/decimate.js';

/** A seeded noisy curve with a few spikes, like a per-step loss. */
function noisyLoss(length: number): { x: number[]; y: number[] } {
  let state = 12345;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < length; i++) {
    x.push(i);
    y.push(1 / (1 + i / 1000) + 0.05 * random() + (i % 9973 === 0 ? 3 : 0));
  }
  return { x, y };
}

describe('decimateMinMax', () => {
  it('returns a short series whole', () => {
    const points = decimateMinMax([0, 1, 2], [3, 4, 5], 10);
    expect(points).toEqual([
      { x: 0, y: 3 },
      { x: 1, y: 4 },
      { x: 2, y: 5 },
    ]);
  });

  it('reduces 100,000 points to at most two per bucket, keeping each bucket’s extremes', () => {
    const { x, y } = noisyLoss(100_000);
    const buckets = 600;
    const points = decimateMinMax(x, y, buckets);
    expect(points.length).toBeLessThanOrEqual(2 * buckets);
    expect(points.length).toBeGreaterThan(buckets);
    // x stays in order, and every kept point is a real point of the series.
    for (let i = 1; i < points.length; i++) expect(points[i]!.x).toBeGreaterThan(points[i - 1]!.x);
    for (const point of points) expect(point.y).toBe(y[point.x]);
    // Each bucket's lowest and highest value are among the kept points.
    const span = x[x.length - 1]! - x[0]!;
    const kept = new Set(points.map((point) => point.x));
    for (let b = 0; b < buckets; b += 37) {
      let minIndex = -1;
      let maxIndex = -1;
      for (let i = 0; i < x.length; i++) {
        if (Math.min(buckets - 1, Math.floor(((x[i]! - x[0]!) / span) * buckets)) !== b) continue;
        if (minIndex < 0 || y[i]! < y[minIndex]!) minIndex = i;
        if (maxIndex < 0 || y[i]! > y[maxIndex]!) maxIndex = i;
      }
      expect(kept.has(minIndex), `bucket ${b} min`).toBe(true);
      expect(kept.has(maxIndex), `bucket ${b} max`).toBe(true);
    }
    // The spikes (every 9,973rd step) all survive.
    for (let i = 0; i < x.length; i += 9973) expect(kept.has(i), `spike at ${i}`).toBe(true);
  });

  it('keeps a gap where values are missing or not finite', () => {
    const x = Array.from({ length: 1000 }, (_, i) => i);
    const y: (number | null)[] = x.map((i) => (i >= 500 && i < 520 ? null : i === 700 ? Number.NaN : i));
    const points = decimateMinMax(x, y, 50);
    const gaps = points.filter((point) => point.y === null);
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    expect(gaps.some((point) => point.x >= 500 && point.x < 520)).toBe(true);
    expect(gaps.some((point) => point.x >= 700 && point.x < 720)).toBe(true);
    expect(points.every((point) => point.y === null || Number.isFinite(point.y))).toBe(true);
  });
});
