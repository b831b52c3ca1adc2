// Decodes PNG and JPEG files and resizes them into uint8 HWC pixels.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DatasetImportError } from './errors.js';

export type ColorMode = 'grayscale' | 'rgb';

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  data: Uint8Array;
}

const MAX_PIXELS = 50_000_000;

export function decodeImage(file: string, bytes: Buffer): RgbaImage {
  const png = bytes.length >= 4 && bytes.readUInt32BE(0) === 0x89504e47;
  const jpg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!png && !jpg) {
    throw new DatasetImportError({
      file,
      found: bytes.length === 0 ? 'an empty file' : 'neither a PNG nor a JPEG signature',
      expected: 'a PNG or JPEG image',
    });
  }
  try {
    if (png) {
      const image = PNG.sync.read(bytes);
      return { width: image.width, height: image.height, data: image.data };
    }
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_PIXELS / 1e6,
    });
    return { width: image.width, height: image.height, data: image.data };
  } catch (error) {
    throw new DatasetImportError(
      {
        file,
        found: `an unreadable ${png ? 'PNG' : 'JPEG'} (${error instanceof Error ? error.message : String(error)})`,
        expected: 'a valid image',
      },
      { cause: error },
    );
  }
}

/**
 * Resizes to width×height and writes HWC pixels (1 or 3 channels) at out[offset…]. Shrinking
 * averages the covered source pixels; enlarging interpolates bilinearly.
 */
export function resizeInto(
  image: RgbaImage,
  width: number,
  height: number,
  color: ColorMode,
  out: Uint8Array,
  offset: number,
): void {
  const channels = color === 'rgb' ? 3 : 1;
  const sx = image.width / width;
  const sy = image.height / height;
  const pixel = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (sx > 1 || sy > 1) averageBox(image, x * sx, y * sy, (x + 1) * sx, (y + 1) * sy, pixel);
      else bilinear(image, (x + 0.5) * sx - 0.5, (y + 0.5) * sy - 0.5, pixel);
      const at = offset + (y * width + x) * channels;
      if (channels === 3) {
        out[at] = pixel[0]!;
        out[at + 1] = pixel[1]!;
        out[at + 2] = pixel[2]!;
      } else {
        out[at] = Math.round(0.299 * pixel[0]! + 0.587 * pixel[1]! + 0.114 * pixel[2]!);
      }
    }
  }
}

function averageBox(image: RgbaImage, x0: number, y0: number, x1: number, y1: number, pixel: number[]): void {
  const left = Math.floor(x0);
  const top = Math.floor(y0);
  const right = Math.max(left + 1, Math.min(image.width, Math.ceil(x1)));
  const bottom = Math.max(top + 1, Math.min(image.height, Math.ceil(y1)));
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) {
      const at = (y * image.width + x) * 4;
      r += image.data[at]!;
      g += image.data[at + 1]!;
      b += image.data[at + 2]!;
      n++;
    }
  }
  pixel[0] = Math.round(r / n);
  pixel[1] = Math.round(g / n);
  pixel[2] = Math.round(b / n);
}

function bilinear(image: RgbaImage, fx: number, fy: number, pixel: number[]): void {
  const x = Math.min(Math.max(fx, 0), image.width - 1);
  const y = Math.min(Math.max(fy, 0), image.height - 1);
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(x0 + 1, image.width - 1);
  const y1 = Math.min(y0 + 1, image.height - 1);
  const ax = x - x0;
  const ay = y - y0;
  for (let c = 0; c < 3; c++) {
    const p = (px: number, py: number) => image.data[(py * image.width + px) * 4 + c]!;
    const top = p(x0, y0) * (1 - ax) + p(x1, y0) * ax;
    const bottom = p(x0, y1) * (1 - ax) + p(x1, y1) * ax;
    pixel[c] = Math.round(top * (1 - ay) + bottom * ay);
  }
}
