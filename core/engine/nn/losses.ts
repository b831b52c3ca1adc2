/**
 * Losses: each takes `(yTrue, yPred)` in Keras's order and returns a scalar — the mean over
 * the batch (Keras's default `sum_over_batch_size` reduction). All are composed from the
 * engine's differentiable ops, so their gradients come from autodiff.
 *
 * Numerical stability: crossentropies from logits never form probabilities (the fused softmax
 * cross-entropy op for the categorical ones, max(x,0) − x·z + log(1+e^−|x|) for the binary
 * one); crossentropies from probabilities clip them to [1e-7, 1 − 1e-7] before the log —
 * except where the probabilities are a recorded softmax of logits (a model ending in a softmax
 * layer, while training): then the loss reads the logits, as Keras does.
 *
 * @example
 * const loss = sparseCategoricalCrossentropy(labels, logits, { fromLogits: true });
 */
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { formatShape, ShapeError } from '../tensor/layout.js';
import {
  abs,
  add,
  clamp,
  div,
  log,
  maximum,
  minimum,
  mul,
  neg,
  relu,
  softplus,
  sqrt,
  square,
  sub,
} from '../ops/elementwise.js';
import { mean, sum } from '../ops/reduce.js';
import { softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from '../ops/crossentropy.js';
import { oneHot } from '../ops/indexing.js';
import { cast, reshape } from '../ops/shape.js';

/** The clipping bound for probabilities (Keras's `epsilon()`). */
export const PROBABILITY_EPSILON = 1e-7;

/** A loss function: `(yTrue, yPred) → scalar`. */
export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

export interface CrossentropyOptions {
  /** yPred holds unnormalised logits rather than probabilities. Defaults to false. */
  fromLogits?: boolean;
}

function checkSameShape(name: string, yTrue: Tensor, yPred: Tensor): void {
  if (yTrue.shape.join() !== yPred.shape.join()) {
    throw new ShapeError(
      `${name}: yTrue ${formatShape(yTrue.shape)} and yPred ${formatShape(yPred.shape)} must have the same shape`,
    );
  }
}

/** yTrue in yPred's float dtype (labels often arrive as int32 or float32 beside float64). */
function asPredDType(yTrue: Tensor, yPred: Tensor): Tensor {
  return yTrue.dtype === yPred.dtype ? yTrue : cast(yTrue, yPred.dtype);
}

/** mean((yPred − yTrue)²) over every element. */
export function meanSquaredError(yTrue: Tensor, yPred: Tensor): Tensor {
  checkSameShape('meanSquaredError', yTrue, yPred);
  return tidy(() => mean(square(sub(yPred, asPredDType(yTrue, yPred)))));
}

/** mean(|yPred − yTrue|) over every element. */
export function meanAbsoluteError(yTrue: Tensor, yPred: Tensor): Tensor {
  checkSameShape('meanAbsoluteError', yTrue, yPred);
  return tidy(() => mean(abs(sub(yPred, asPredDType(yTrue, yPred)))));
}

export interface HuberOptions {
  /** Where the loss turns from quadratic to linear. Defaults to 1. */
  delta?: number;
}

/**
 * Huber loss: ½e² where |e| ≤ δ, else δ·(|e| − ½δ), averaged; e = yPred − yTrue.
 * Written as ½q² + δ·(|e| − q) with q = min(|e|, δ), which is both branches at once.
 */
export function huber(yTrue: Tensor, yPred: Tensor, options: HuberOptions = {}): Tensor {
  checkSameShape('huber', yTrue, yPred);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new Error(`huber: delta must be positive, got ${delta}`);
  return tidy(() => {
    const a = abs(sub(yPred, asPredDType(yTrue, yPred)));
    const q = minimum(a, delta);
    return mean(add(mul(square(q), 0.5), mul(sub(a, q), delta)));
  });
}

/**
 * Binary crossentropy, −[z·log p + (1−z)·log(1−p)] averaged over every element. yTrue holds
 * targets z in [0, 1]. From logits x it is max(x,0) − x·z + log(1 + e^−|x|), which never
 * overflows; from probabilities, p is clipped to [1e-7, 1 − 1e-7].
 */
export function binaryCrossentropy(yTrue: Tensor, yPred: Tensor, options: CrossentropyOptions = {}): Tensor {
  checkSameShape('binaryCrossentropy', yTrue, yPred);
  return tidy(() => {
    const z = asPredDType(yTrue, yPred);
    if (options.fromLogits) {
      return mean(add(sub(relu(yPred), mul(yPred, z)), softplus(neg(abs(yPred)))));
    }
    const p = clamp(yPred, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
    return mean(neg(add(mul(z, log(p)), mul(sub(1, z), log(sub(1, p))))));
  });
}

/**
 * Categorical crossentropy, −Σ_c z_c·log p_c over the last axis, averaged over the batch.
 * yTrue holds one-hot (or soft) targets. From logits it uses log-softmax; probabilities are
 * renormalised to sum to 1 and clipped to [1e-7, 1 − 1e-7], as Keras does.
 */
export function categoricalCrossentropy(
  yTrue: Tensor,
  yPred: Tensor,
  options: CrossentropyOptions = {},
): Tensor {
  checkSameShape('categoricalCrossentropy', yTrue, yPred);
  return tidy(() => {
    const z = asPredDType(yTrue, yPred);
    const logits = logitsOf(yPred, options);
    if (logits) return mean(softmaxCrossEntropy(logits, z));
    return mean(neg(sum(mul(z, logProbabilities(yPred)), -1)));
  });
}

/**
 * Categorical crossentropy with integer class labels: yTrue is int32 [batch] (or [batch, 1],
 * or any leading shape matching yPred's without its last axis), yPred is [..., classes].
 * From logits: −mean(log-softmax(x)[label]).
 */
export function sparseCategoricalCrossentropy(
  yTrue: Tensor,
  yPred: Tensor,
  options: CrossentropyOptions = {},
): Tensor {
  const lead = yPred.shape.slice(0, -1);
  const labelsShape =
    yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === 1 ? yTrue.shape.slice(0, -1) : yTrue.shape;
  if (labelsShape.join() !== lead.join()) {
    throw new ShapeError(
      `sparseCategoricalCrossentropy: labels ${formatShape(yTrue.shape)} do not match predictions ${formatShape(yPred.shape)} (expected labels ${formatShape(lead)})`,
    );
  }
  const classes = yPred.shape[yPred.rank - 1]!;
  return tidy(() => {
    const labels = reshape(yTrue.dtype === 'int32' ? yTrue : cast(yTrue, 'int32'), lead);
    const logits = logitsOf(yPred, options);
    if (logits) return mean(sparseSoftmaxCrossEntropy(logits, labels));
    const z = oneHot(labels, classes, yPred.dtype === 'float64' ? 'float64' : 'float32');
    return mean(neg(sum(mul(z, logProbabilities(yPred)), -1)));
  });
}

/**
 * The logits behind yPred: yPred itself from logits, or the input of the softmax that made
 * yPred when that softmax was recorded for gradients (over the last axis). Null otherwise.
 */
function logitsOf(yPred: Tensor, options: CrossentropyOptions): Tensor | null {
  if (options.fromLogits) return yPred;
  const node = yPred.node;
  return node?.op === 'softmax' && node.inputs[0]!.shape.join() === yPred.shape.join()
    ? node.inputs[0]!
    : null;
}

/** log of probabilities, renormalised to sum to 1 and clipped to [1e-7, 1 − 1e-7]. */
function logProbabilities(yPred: Tensor): Tensor {
  const normalised = div(yPred, sum(yPred, -1, { keepDims: true }));
  return log(clamp(normalised, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON));
}

/**
 * Cosine similarity loss, −mean(cos(yTrue, yPred)) along the last axis: −1 when the vectors
 * point the same way (Keras's sign convention, so minimising it aligns them). Each vector is
 * divided by √max(‖v‖², 1e-12), so a zero vector gives 0 instead of NaN.
 */
export function cosineSimilarity(yTrue: Tensor, yPred: Tensor): Tensor {
  checkSameShape('cosineSimilarity', yTrue, yPred);
  return tidy(() => {
    const unit = (v: Tensor) => div(v, sqrt(maximum(sum(square(v), -1, { keepDims: true }), 1e-12)));
    return neg(mean(sum(mul(unit(asPredDType(yTrue, yPred)), unit(yPred)), -1)));
  });
}

/** Names a loss can be given by (Keras's spellings, camelCase and snake_case, and short forms). */
const lossNames: Record<string, (options: CrossentropyOptions & HuberOptions) => LossFn> = {
  meanSquaredError: () => meanSquaredError,
  meanAbsoluteError: () => meanAbsoluteError,
  huber: (o) => (t, p) => huber(t, p, o),
  binaryCrossentropy: (o) => (t, p) => binaryCrossentropy(t, p, o),
  categoricalCrossentropy: (o) => (t, p) => categoricalCrossentropy(t, p, o),
  sparseCategoricalCrossentropy: (o) => (t, p) => sparseCategoricalCrossentropy(t, p, o),
  cosineSimilarity: () => cosineSimilarity,
};

const aliases: Record<string, string> = {
  mse: 'meanSquaredError',
  mae: 'meanAbsoluteError',
  huberLoss: 'huber',
};

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The names `lossFromName` accepts (canonical camelCase forms). */
export const lossNamesList: readonly string[] = Object.keys(lossNames);

/**
 * A loss by its Keras name: `'mse'`, `'meanSquaredError'` or `'mean_squared_error'`, … Options
 * (`fromLogits`, `delta`) are bound into the returned function.
 * @example const loss = lossFromName('sparse_categorical_crossentropy', { fromLogits: true });
 */
export function lossFromName(name: string, options: CrossentropyOptions & HuberOptions = {}): LossFn {
  const key = aliases[camel(name)] ?? camel(name);
  const make = lossNames[key];
  if (!make) {
    throw new Error(`unknown loss '${name}'; valid names: ${[...lossNamesList, 'mse', 'mae'].join(', ')}`);
  }
  return make(options);
}
