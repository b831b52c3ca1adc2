/** Inference: the model's outputs for every row of x, computed in batches with training off. */
import type { Tensor } from '../tensor/tensor.js';
import { dispose, tidy } from '../tensor/scope.js';
import { noGrad } from '../runtime.js';
import { concat } from '../ops/shape.js';
import { rows, stepsFor } from './batches.js';
import type { TrainableModel } from './types.js';

export interface PredictOptions {
  /** Defaults to 32. */
  batchSize?: number;
}

/**
 * The outputs for every row of `x`; the caller owns (and disposes) the result.
 * @example const probabilities = predict(model, xTest, { batchSize: 256 });
 */
export function predict(model: TrainableModel, x: Tensor, options: PredictOptions = {}): Tensor {
  const batchSize = options.batchSize ?? 32;
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new Error(`predict: batchSize must be a positive whole number, got ${batchSize}`);
  if (x.rank === 0 || x.shape[0] === 0) throw new Error('predict: x has no rows');
  if (!model.built) model.build(x.shape.slice(1));
  const n = x.shape[0]!;
  return noGrad(() => {
    const parts: Tensor[] = [];
    try {
      for (let b = 0; b < stepsFor(n, batchSize); b++) {
        const start = b * batchSize;
        // One scope per batch, so a batch's intermediates are freed before the next one runs.
        parts.push(
          tidy(() => model.apply(rows(x, start, Math.min(batchSize, n - start)), { training: false })),
        );
      }
      if (parts.length === 1) return parts.pop()!;
      return concat(parts, 0);
    } finally {
      dispose(parts);
    }
  });
}
