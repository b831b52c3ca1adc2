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
 *
 * A backend with the fused kernels (Backend.batchNormTraining, the CPU's native addon) does the
 * same arithmetic in two passes over memory each way instead of six forward and seven backward,
 * bit-identical to the composition below, which every other backend (and float64) runs.
 */
import { record } from '../autodiff/record.js';
import { noGrad } from '../runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { add, div, mul, relu, sqrt, square, step, sub } from './elementwise.js';
import { backendOf, wrap } from './operand.js';
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
 * statistics' keepDims shape, e.g. [1, 1, 1, C] for NHWC images. With `activation` 'relu' the
 * output goes through a relu too — one pass where the backend fuses the pair (the CPU's), the
 * same values and gradients as batch norm followed by the relu op.
 * @example const { y, mean, variance } = batchNormTraining(x, [0, 1, 2], gamma, beta, 1e-3)
 */
export function batchNormTraining(
  x: Tensor,
  axes: readonly number[],
  gamma: Tensor | null,
  beta: Tensor | null,
  epsilon: number,
  activation: 'linear' | 'relu' = 'linear',
): BatchNormResult {
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  const fused = fusedBatchNorm(x, axes, gamma, beta, epsilon, count, activation === 'relu');
  if (fused) return fused;
  if (activation === 'relu') {
    const plain = batchNormTraining(x, axes, gamma, beta, epsilon);
    const y = relu(plain.y);
    plain.y.dispose(); // the graph keeps it while a backward pass may need it
    return { y, mean: plain.mean, variance: plain.variance };
  }
  const saved = noGrad(() =>
    tidy(() => {
      const mu = mean(x, [...axes], { keepDims: true });
      const centered = sub(x, mu);
      const variance = mean(square(centered), [...axes], { keepDims: true });
      const { scale, factor } = scaleAndFactor(variance, gamma, epsilon);
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
      const g = composedGrads(dy, centered, scale, factor, axes, count, {
        x: needs[0]!,
        gamma: gammaAt >= 0 && needs[gammaAt]!,
        beta: betaAt >= 0 && needs[betaAt]!,
      });
      grads[0] = g.dx;
      if (gammaAt >= 0) grads[gammaAt] = g.dGamma;
      if (betaAt >= 0) grads[betaAt] = g.dBeta;
      return grads;
    }),
  );
  // The graph holds what the backward rule needs; the caller owns y and the statistics.
  centered.dispose();
  scale.dispose();
  factor.dispose();
  return { y, mean: saved.mu, variance: saved.variance };
}

/** s = 1/√(σ² + ε) and f = γ·s (or s without γ). */
function scaleAndFactor(variance: Tensor, gamma: Tensor | null, epsilon: number) {
  const scale = div(1, sqrt(add(variance, epsilon)));
  return { scale, factor: gamma ? mul(scale, gamma) : scale };
}

interface Wanted {
  x: boolean;
  gamma: boolean;
  beta: boolean;
}

/** The closed-form gradients from the forward's x − μ, s and f (see the file comment). */
function composedGrads(
  dy: Tensor,
  centered: Tensor,
  scale: Tensor,
  factor: Tensor,
  axes: readonly number[],
  count: number,
  wanted: Wanted,
) {
  const dyCentered = sum(mul(dy, centered), [...axes], { keepDims: true });
  const dBeta = wanted.x || wanted.beta ? sum(dy, [...axes], { keepDims: true }) : null;
  const dGamma = wanted.gamma ? mul(dyCentered, scale) : null;
  let dx: Tensor | null = null;
  if (wanted.x) {
    // ∂x = dy·f − (x − μ)·(f·s²·Σdy(x − μ)/N) − f·∂β/N, with f = γ·s.
    const along = div(mul(mul(factor, square(scale)), dyCentered), count);
    const shift = div(mul(factor, dBeta!), count);
    dx = sub(sub(mul(dy, factor), mul(centered, along)), shift);
  }
  return { dx, dGamma, dBeta: wanted.beta ? dBeta : null };
}

/**
 * The fused path, when the backend has it, the statistics run over every axis but the last,
 * and the backend takes the call; null otherwise. The graph keeps x and the statistics; its
 * backward asks the backend for the fused gradient, composing from them if it declines.
 */
function fusedBatchNorm(
  x: Tensor,
  axes: readonly number[],
  gamma: Tensor | null,
  beta: Tensor | null,
  epsilon: number,
  count: number,
  withRelu: boolean,
): BatchNormResult | null {
  const params = [gamma, beta].filter((t): t is Tensor => t !== null);
  const backend = backendOf('batchNormTraining', x, ...params);
  const leading = axes.length === x.rank - 1 && axes.every((a, i) => a === i);
  if (!backend.batchNormTraining || !leading || x.rank < 2) return null;
  const out = backend.batchNormTraining(
    x.view('batchNormTraining'),
    gamma?.view('batchNormTraining') ?? null,
    beta?.view('batchNormTraining') ?? null,
    epsilon,
    withRelu,
  );
  if (!out) return null;
  const statShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const mu = wrap(out.mean, statShape, backend);
  const variance = wrap(out.variance, statShape, backend);
  const inputs = [x, mu, variance];
  const gammaAt = gamma ? inputs.push(gamma) - 1 : -1;
  const betaAt = beta ? inputs.push(beta) - 1 : -1;
  const y = record('batchNormTraining', wrap(out.y, x.shape, backend), inputs, (dy, needs) =>
    tidy(() => {
      const grads: (Tensor | null)[] = inputs.map(() => null);
      const wanted: Wanted = {
        x: needs[0]!,
        gamma: gammaAt >= 0 && needs[gammaAt]!,
        beta: betaAt >= 0 && needs[betaAt]!,
      };
      const fusedGrads = backend.batchNormTrainingGrad?.(
        dy.view('batchNormTraining'),
        x.view('batchNormTraining'),
        mu.view('batchNormTraining'),
        variance.view('batchNormTraining'),
        gamma?.view('batchNormTraining') ?? null,
        epsilon,
        beta?.view('batchNormTraining') ?? null,
        withRelu,
      );
      let g: { dx: Tensor | null; dGamma: Tensor | null; dBeta: Tensor | null };
      if (fusedGrads) {
        // Wrapped inside tidy: the ones not returned are released with the scope.
        g = {
          dx: wrap(fusedGrads.dx, x.shape, backend),
          dGamma: wrap(fusedGrads.dGamma, statShape, backend),
          dBeta: wrap(fusedGrads.dBeta, statShape, backend),
        };
      } else {
        const { scale, factor } = scaleAndFactor(variance, gamma, epsilon);
        const centered = sub(x, mu);
        let upstream = dy;
        if (withRelu) {
          // relu's backward on the recomputed pre-relu output, as the relu op would apply it.
          const scaled = mul(centered, factor);
          upstream = mul(dy, step(beta ? add(scaled, beta) : scaled));
        }
        g = composedGrads(upstream, centered, scale, factor, axes, count, wanted);
      }
      grads[0] = wanted.x ? g.dx : null;
      if (gammaAt >= 0) grads[gammaAt] = wanted.gamma ? g.dGamma : null;
      if (betaAt >= 0) grads[betaAt] = wanted.beta ? g.dBeta : null;
      return grads;
    }),
  );
  return { y, mean: mu, variance };
}
