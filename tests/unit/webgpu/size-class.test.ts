// The buffer pool's size classes: quarter-power rounding bounds the waste at 25 %, and the class
// never exceeds the device's largest buffer when the request itself fits. Pure arithmetic: no GPU.
import { describe, expect, it } from 'vitest';
import { cappedSizeClass, sizeClass } from '../../../core/engine/backends/webgpu/buffer-pool.js';

describe('buffer size classes', () => {
  it('round up to a quarter of the power of two below, at least 16 bytes', () => {
    expect([1, 16, 17, 100, 1024, 1025, 1300].map(sizeClass)).toEqual([16, 16, 32, 112, 1024, 1280, 1536]);
    for (const bytes of [17, 999, 4097, 123_456_789]) {
      const size = sizeClass(bytes);
      expect(size).toBeGreaterThanOrEqual(bytes);
      expect(size).toBeLessThanOrEqual(bytes * 1.25 + 16);
    }
  });

  it('stay within the device limit when the request fits it', () => {
    const max = 1_200_000_000; // not a power of two, as some adapters report
    expect(cappedSizeClass(1_000_000_000, max)).toBe(sizeClass(1_000_000_000));
    const near = 1_100_000_000;
    expect(sizeClass(near)).toBeGreaterThan(max); // 9 × 128 MiB
    expect(cappedSizeClass(near, max)).toBeLessThanOrEqual(max);
    expect(cappedSizeClass(near, max)).toBeGreaterThanOrEqual(near);
    // A request past the limit keeps its own size: the device's refusal names it.
    expect(cappedSizeClass(max + 64, max)).toBe(max + 64);
  });
});
