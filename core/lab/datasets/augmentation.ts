// Image augmentation applied on the fly while training, seeded: flips, rotation, translation,
// brightness and contrast, on float NHWC batches (after scaling).
import { createRandom } from './random.js';

export interface AugmentationOptions {
  /** Mirror left–right with probability 0.5. Defaults to false. */
  horizontalFlip?: boolean;
  /** Mirror top–bottom with probability 0.5. Defaults to false. */
  verticalFlip?: boolean;
  /** Rotate by a uniform angle in ±degrees. Defaults to 0. */
  rotationDegrees?: number;
  /** Shift by up to this fraction of the width/height in each direction. Defaults to 0. */
  translateFraction?: number;
  /** Add a uniform offset in ±brightness (in scaled units, e.g. 0.1 of a [0,1] range). Defaults to 0. */
  brightness?: number;
  /** Scale the distance to the image mean by a factor in [1-contrast, 1+contrast]. Defaults to 0. */
  contrast?: number;
  /** Value for pixels moved in from outside the image. Defaults to 0. */
  fill?: number;
}

export interface Augmenter {
  /**
   * Writes augmented copies of `batch` (n×height×width×channels, row-major) into `out` (a new
   * array by default). Each call draws new random transforms from the seeded sequence.
   */
  apply(batch: Float32Array, shape: [number, number, number, number], out?: Float32Array): Float32Array;
}

/** The same seed and the same sequence of calls give the same augmented batches. */
export function createAugmenter(options: AugmentationOptions, seed = 0): Augmenter {
  const random = createRandom(seed);
  const fill = options.fill ?? 0;
  return {
    apply(batch, [n, height, width, channels], out = new Float32Array(batch.length)) {
      const size = height * width * channels;
      if (batch.length !== n * size) {
        throw new RangeError(
          `batch holds ${batch.length} values, shape ${n}×${height}×${width}×${channels} needs ${n * size}`,
        );
      }
      for (let i = 0; i < n; i++) {
        const flipX = options.horizontalFlip === true && random.next() < 0.5;
        const flipY = options.verticalFlip === true && random.next() < 0.5;
        const angle = ((options.rotationDegrees ?? 0) * Math.PI * (2 * random.next() - 1)) / 180;
        const t = options.translateFraction ?? 0;
        const dx = t * width * (2 * random.next() - 1);
        const dy = t * height * (2 * random.next() - 1);
        const shift = (options.brightness ?? 0) * (2 * random.next() - 1);
        const factor = 1 + (options.contrast ?? 0) * (2 * random.next() - 1);
        const source = batch.subarray(i * size, (i + 1) * size);
        const target = out.subarray(i * size, (i + 1) * size);
        warp(source, target, height, width, channels, { flipX, flipY, angle, dx, dy, fill });
        if (shift !== 0 || factor !== 1) adjust(target, channels, shift, factor);
      }
      return out;
    },
  };
}

interface Warp {
  flipX: boolean;
  flipY: boolean;
  angle: number;
  dx: number;
  dy: number;
  fill: number;
}

/** Inverse-maps every output pixel through flip, rotation about the centre and shift; bilinear. */
function warp(source: Float32Array, target: Float32Array, h: number, w: number, c: number, p: Warp): void {
  if (!p.flipX && !p.flipY && p.angle === 0 && p.dx === 0 && p.dy === 0) {
    target.set(source);
    return;
  }
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = Math.cos(p.angle);
  const sin = Math.sin(p.angle);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Undo the shift, then the rotation, then the flips.
      const ux = x - p.dx - cx;
      const uy = y - p.dy - cy;
      let sx = cos * ux + sin * uy + cx;
      let sy = -sin * ux + cos * uy + cy;
      if (p.flipX) sx = w - 1 - sx;
      if (p.flipY) sy = h - 1 - sy;
      const at = (y * w + x) * c;
      if (sx < -0.5 || sy < -0.5 || sx > w - 0.5 || sy > h - 0.5) {
        target.fill(p.fill, at, at + c);
        continue;
      }
      const x0 = Math.max(0, Math.min(w - 1, Math.floor(sx)));
      const y0 = Math.max(0, Math.min(h - 1, Math.floor(sy)));
      const x1 = Math.min(w - 1, x0 + 1);
      const y1 = Math.min(h - 1, y0 + 1);
      const ax = Math.max(0, Math.min(1, sx - x0));
      const ay = Math.max(0, Math.min(1, sy - y0));
      for (let k = 0; k < c; k++) {
        const v00 = source[(y0 * w + x0) * c + k]!;
        const v01 = source[(y0 * w + x1) * c + k]!;
        const v10 = source[(y1 * w + x0) * c + k]!;
        const v11 = source[(y1 * w + x1) * c + k]!;
        target[at + k] = (v00 * (1 - ax) + v01 * ax) * (1 - ay) + (v10 * (1 - ax) + v11 * ax) * ay;
      }
    }
  }
}

/** Contrast about the image's per-channel mean, then brightness. */
function adjust(image: Float32Array, channels: number, shift: number, factor: number): void {
  const mean = new Float64Array(channels);
  const pixels = image.length / channels;
  for (let i = 0; i < image.length; i++) mean[i % channels]! += image[i]!;
  for (let k = 0; k < channels; k++) mean[k]! /= pixels;
  for (let i = 0; i < image.length; i++) {
    const m = mean[i % channels]!;
    image[i] = (image[i]! - m) * factor + m + shift;
  }
}
