/**
 * Gradient clipping, as tensor ops (no read-back, so a GPU backend never stalls):
 * - by value: each element limited to [−c, c];
 * - by norm: each gradient g scaled to at most norm c: g · c / max(‖g‖, c);
 * - by global norm: all gradients scaled together by c / max(‖(g₁, …, gₙ)‖, c), which keeps
 *   their direction (Pascanu et al. 2013; PyTorch's clip_grad_norm_).
 */
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { add, clamp, div, maximum, mul, sqrt, square } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';

export interface ClippingOptions {
  /** Clip each gradient element to [−clipValue, clipValue]. Defaults to off. */
  clipValue?: number;
  /** Rescale each gradient whose L2 norm exceeds clipNorm. Defaults to off. */
  clipNorm?: number;
  /** Rescale all gradients together when their global L2 norm exceeds this. Defaults to off. */
  globalClipNorm?: number;
}

function checkPositive(name: string, value: number): void {
  if (!(value > 0)) throw new Error(`gradient clipping: ${name} must be positive, got ${value}`);
}

export function clipByValue(grads: readonly Tensor[], clipValue: number): Tensor[] {
  checkPositive('clipValue', clipValue);
  return grads.map((g) => clamp(g, -clipValue, clipValue));
}

/** ‖g‖₂ as a scalar tensor. */
export function l2Norm(g: Tensor): Tensor {
  return tidy(() => sqrt(sum(square(g))));
}

export function clipByNorm(grads: readonly Tensor[], clipNorm: number): Tensor[] {
  checkPositive('clipNorm', clipNorm);
  return grads.map((g) => tidy(() => mul(g, div(clipNorm, maximum(l2Norm(g), clipNorm)))));
}

/** The L2 norm of all gradients taken as one vector. */
export function globalNorm(grads: readonly Tensor[]): Tensor {
  return tidy(() => {
    let total: Tensor | null = null;
    for (const g of grads) {
      const s = sum(square(g));
      total = total ? add(total, s) : s;
    }
    if (!total) throw new Error('globalNorm: no gradients');
    return sqrt(total);
  });
}

export function clipByGlobalNorm(
  grads: readonly Tensor[],
  clipNorm: number,
): { grads: Tensor[]; globalNorm: Tensor } {
  checkPositive('globalClipNorm', clipNorm);
  return tidy(() => {
    const norm = globalNorm(grads);
    const scale = div(clipNorm, maximum(norm, clipNorm));
    return { grads: grads.map((g) => mul(g, scale)), globalNorm: norm };
  });
}

/**
 * Applies the configured clipping, in the order value → per-gradient norm → global norm.
 * Returns the gradients unchanged (the same tensors) when nothing is configured.
 */
export function clipGradients(
  grads: readonly Tensor[],
  options: ClippingOptions,
): { grads: Tensor[]; globalNorm: Tensor | null } {
  let out = [...grads];
  if (options.clipValue !== undefined) out = clipByValue(out, options.clipValue);
  if (options.clipNorm !== undefined) out = clipByNorm(out, options.clipNorm);
  if (options.globalClipNorm !== undefined) {
    const clipped = clipByGlobalNorm(out, options.globalClipNorm);
    return { grads: clipped.grads, globalNorm: clipped.globalNorm };
  }
  return { grads: out, globalNorm: null };
}
