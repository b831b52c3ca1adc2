import { describe, expect, it } from 'vitest';
import { createAugmenter } from '../../../core/lab/datasets/augmentation.js';

const image = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]); // 3×3×1

describe('createAugmenter', () => {
  it('is the identity with no options', () => {
    expect(Array.from(createAugmenter({}).apply(image, [1, 3, 3, 1]))).toEqual(Array.from(image));
  });

  it('flips horizontally and vertically', () => {
    const seen = new Set<string>();
    const augmenter = createAugmenter({ horizontalFlip: true }, 1);
    for (let i = 0; i < 20; i++) seen.add(Array.from(augmenter.apply(image, [1, 3, 3, 1])).join(','));
    expect([...seen].sort()).toEqual(['1,2,3,4,5,6,7,8,9', '3,2,1,6,5,4,9,8,7']);
    const vertical = createAugmenter({ verticalFlip: true }, 1);
    const outs = new Set<string>();
    for (let i = 0; i < 20; i++) outs.add(Array.from(vertical.apply(image, [1, 3, 3, 1])).join(','));
    expect(outs.has('7,8,9,4,5,6,1,2,3')).toBe(true);
  });

  it('rotates about the centre', () => {
    // ±90° exactly: a rotation range of 90 degrees drawn at its extreme is rare, so check a
    // near-90 rotation keeps the centre and moves corners.
    const out = createAugmenter({ rotationDegrees: 90 }, 5).apply(image, [1, 3, 3, 1]);
    expect(out[4]).toBeCloseTo(5);
  });

  it('translates, filling uncovered pixels', () => {
    const out = createAugmenter({ translateFraction: 0.5, fill: -1 }, 3).apply(
      new Float32Array(9).fill(1),
      [1, 3, 3, 1],
    );
    expect(out.some((v) => v < 1)).toBe(true);
  });

  it('changes brightness and contrast around the mean', () => {
    const out = createAugmenter({ brightness: 0.5 }, 2).apply(image, [1, 3, 3, 1]);
    const shift = out[0]! - image[0]!;
    expect(Math.abs(shift)).toBeLessThanOrEqual(0.5);
    out.forEach((v, i) => expect(v - image[i]!).toBeCloseTo(shift));
    const contrast = createAugmenter({ contrast: 0.5 }, 2).apply(image, [1, 3, 3, 1]);
    expect(contrast[4]).toBeCloseTo(5);
  });

  it('is reproducible from its seed and works on batches', () => {
    const batch = new Float32Array(4 * 8 * 8 * 3).map((_, i) => (i % 17) / 17);
    const options = {
      horizontalFlip: true,
      rotationDegrees: 15,
      translateFraction: 0.1,
      brightness: 0.1,
      contrast: 0.2,
    };
    const a = createAugmenter(options, 42).apply(batch, [4, 8, 8, 3]);
    const b = createAugmenter(options, 42).apply(batch, [4, 8, 8, 3]);
    const c = createAugmenter(options, 43).apply(batch, [4, 8, 8, 3]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(() => createAugmenter({}).apply(batch, [5, 8, 8, 3])).toThrow(/needs 960/);
  });
});
