/**
 * Batch normalization in training mode as one recorded op with its own backward rule. Built
 * from primitives, it runs on every backend; composed op by op instead, autodiff would walk a
 * dozen full-size nodes (sub, square, mean, mul, add and their broadcasts) where the closed
 * form below needs four elementwise passes and two reductions.
 *
 * With statistics over `axes` (N values per feature), x̂ = (x − μ)·s, s = 1/√(σ² + ε):
 *   y  = γ·x̂ + β
 *   ∂β = Σ dy        ∂γ = Σ dy·x̂ = s·Σ dy·(x − μ)
 *   ∂x = γ·s·(dy − ∂β/N − (x − μ)·s²·Σ dy·(x − μ)/N)
 * First-order only, as every backward rule in the engine.
 */
import { record } from '../autodiff/record.js';
import { noGrad } from '../runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { add, div, mul, sqrt, square, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';

export interface BatchNormResult {
  /** The normalised, scaled and shifted input (recorded for autodiff). */
  y: Tensor;
  /** The batch mean, keepDims over `axes` (not recorded). */
  mean: Tensor;
  /** The batch's biased variance, keepDims over `axes` (not recorded). */
  variance: Tensor;
}

/**
 * Normalises `x` with its own statistics over `axes`; `gamma` and `beta` (or null) have the
 * statistics' keepDims shape, e.g. [1, 1, 1, C] for NHWC images.
 * @example const { y, mean, variance } = batchNormTraining(x, [0, 1, 2], gamma, beta, 1e-3)
 */
export function batchNormTraining(
  x: Tensor,
  axes: readonly number[],
  gamma: Tensor | null,
  beta: Tensor | null,
  epsilon: number,
): BatchNormResult {
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  const saved = noGrad(() =>
    tidy(() => {
      const mu = mean(x, [...axes], { keepDims: true });
      const centered = sub(x, mu);
      const variance = mean(square(centered), [...axes], { keepDims: true });
      const scale = div(1, sqrt(add(variance, epsilon)));
      const factor = gamma ? mul(scale, gamma) : scale;
      const scaled = mul(centered, factor);
      const y = beta ? add(scaled, beta) : scaled;
      return { y, mu, variance, centered, scale, factor };
    }),
  );
  const { centered, scale, factor } = saved;
  const inputs = [x, centered, scale, factor];
  const gammaAt = gamma ? inputs.push(gamma) - 1 : -1;
  const betaAt = beta ? inputs.push(beta) - 1 : -1;
  const y = record('batchNormTraining', saved.y, inputs, (dy, needs) =>
    tidy(() => {
      const grads: (Tensor | null)[] = inputs.map(() => null);
      const dyCentered = sum(mul(dy, centered), [...axes], { keepDims: true });
      const dBeta = needs[0] || betaAt >= 0 ? sum(dy, [...axes], { keepDims: true }) : null;
      if (betaAt >= 0 && needs[betaAt]) grads[betaAt] = dBeta;
      if (gammaAt >= 0 && needs[gammaAt]) grads[gammaAt] = mul(dyCentered, scale);
      if (needs[0]) {
        // ∂x = dy·f − (x − μ)·(f·s²·Σdy(x − μ)/N) − f·∂β/N, with f = γ·s.
        const along = div(mul(mul(factor, square(scale)), dyCentered), count);
        const shift = div(mul(factor, dBeta!), count);
        grads[0] = sub(sub(mul(dy, factor), mul(centered, along)), shift);
      }
      return grads;
    }),
  );
  // The graph holds what the backward rule needs; the caller owns y and the statistics.
  centered.dispose();
  scale.dispose();
  factor.dispose();
  return { y, mean: saved.mu, variance: saved.variance };
}
