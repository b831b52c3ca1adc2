/**
 * Shared setup for the WebGPU backend tests: opening the backend (failing loudly in CI when no
 * adapter exists, skipping with a printed reason elsewhere), views, random inputs and a float64
 * reference walk over strided layouts.
 */
import type { Storage, View } from '../../../core/engine/backends/backend.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../../core/engine/backends/webgpu/index.js';
import { contiguousStrides } from '../../../core/engine/tensor/layout.js';

/** True on a CI machine: `CI` is set to anything but '', '0' or 'false'. */
export function runningInCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/**
 * The WebGPU backend for a test file. Without an adapter it throws in CI (the file fails, and
 * with it the run: GPU tests may not vanish silently there) and elsewhere prints that the
 * file's GPU tests are skipped and returns null.
 * @param open how to open the backend (tests of this rule pass one that fails).
 */
export async function openBackend(
  file: string,
  open: () => Promise<WebGPUBackend> = () => createWebGPUBackend(),
): Promise<WebGPUBackend | null> {
  try {
    return await open();
  } catch (error) {
    if (runningInCI()) {
      throw new Error(`WebGPU tests cannot run in CI: ${(error as Error).message}`, { cause: error });
    }
    console.warn(`[${file}] WebGPU tests SKIPPED: ${(error as Error).message}`);
    return null;
  }
}

export function view(
  storage: Storage,
  shape: readonly number[],
  strides?: readonly number[],
  offset = 0,
): View {
  return {
    storage,
    layout: { shape: [...shape], strides: [...(strides ?? contiguousStrides(shape))], offset },
  };
}

/** A seeded generator (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n float32-representable values uniform in [lo, hi). */
export function randomData(n: number, seed: number, lo = -2, hi = 2): Float64Array {
  const next = rng(seed);
  return Float64Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * next()));
}

export const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 3, -7.25, 1e-3];

/** Values of a strided view of `data`, in row-major order of `shape`. */
export function gatherStrided(
  data: ArrayLike<number>,
  shape: readonly number[],
  strides: readonly number[],
  offset = 0,
): Float64Array {
  const size = shape.reduce((a, d) => a * d, 1);
  const out = new Float64Array(size);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += index[d]! * strides[d]!;
    out[i] = data[at]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/**
 * Null when every element matches: |got − expected| ≤ tol·max(|expected|, floor), NaN only
 * against NaN, infinities exactly. Otherwise a message naming the first bad element.
 */
export function mismatch(
  got: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol = 1e-4,
  floor = 1e-3,
): string | null {
  if (got.length !== expected.length) return `length ${got.length}, expected ${expected.length}`;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(g)) {
      if (Number.isNaN(e) !== Number.isNaN(g)) return `element ${i}: got ${g}, expected ${e}`;
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(g)) {
      if (g !== e) return `element ${i}: got ${g}, expected ${e}`;
      continue;
    }
    if (Math.abs(g - e) > tol * Math.max(Math.abs(e), floor)) return `element ${i}: got ${g}, expected ${e}`;
  }
  return null;
}
