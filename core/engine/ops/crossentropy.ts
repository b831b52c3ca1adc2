/**
 * Softmax cross-entropy from logits, per row, fused: the loss and its gradient each in one
 * kernel (Backend.softmaxCrossEntropy / softmaxCrossEntropyGrad) where the backend has them,
 * composed from log-softmax, one-hot and a sum where it does not. Never forms probabilities,
 * so it is stable for any logits.
 *
 *   loss_r = Σ_c z_rc·(log Σ_k e^{x_rk} − x_rc)
 *   ∂loss_r/∂x_rc = softmax(x_r)_c·Σ_k z_rk − z_rc      ∂loss_r/∂z_rc = −log softmax(x_r)_c
 *
 * Losses average these rows (see nn/losses.ts). The gradient kernel is first-order only, as
 * every backward rule here runs without recording.
 */
import { record } from '../autodiff/record.js';
import type { Backend } from '../backends/backend.js';
import { formatShape, ShapeError } from '../tensor/layout.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { greaterEqual, less, mul, neg, where } from './elementwise.js';
import { oneHot } from './indexing.js';
import { assertFloat, backendOf, wrap } from './operand.js';
import { sum } from './reduce.js';
import { cast, unsqueeze } from './shape.js';
import { logSoftmax } from './softmax.js';

function checkLogits(op: string, logits: Tensor): void {
  assertFloat(op, logits);
  if (logits.rank === 0) throw new ShapeError(`${op}: logits must have a class axis, got a scalar`);
}

/**
 * Cross-entropy of softmax(logits) against target probabilities along the last axis:
 * logits [..., C] and targets [..., C] (one-hot or soft; cast to the logits' dtype) give
 * [...]. A zero target ignores its class even where the logit is −∞.
 * @example softmaxCrossEntropy(logits, oneHot(labels, 10)) // [64, 10], [64, 10] → [64]
 */
export function softmaxCrossEntropy(logits: Tensor, targets: Tensor): Tensor {
  const op = 'softmaxCrossEntropy';
  checkLogits(op, logits);
  if (targets.shape.join() !== logits.shape.join()) {
    throw new ShapeError(
      `${op}: targets ${formatShape(targets.shape)} must have the logits' shape ${formatShape(logits.shape)}`,
    );
  }
  const backend = backendOf(op, logits, targets);
  if (targets.dtype !== logits.dtype) {
    return tidy(() => softmaxCrossEntropy(logits, cast(targets, logits.dtype)));
  }
  if (!hasFusedKernels(backend)) return tidy(() => neg(sum(mul(targets, logSoftmax(logits)), -1)));
  return fused(op, backend, logits, targets, false);
}

/**
 * Cross-entropy of softmax(logits) against int32 class labels: logits [..., C] and labels
 * [...] give [...]. A label outside [0, C) gives NaN (its row's loss and gradient), so a
 * model with too few outputs for its labels fails loudly instead of skipping samples.
 * @example sparseSoftmaxCrossEntropy(logits, labels) // [64, 10], [64] → [64]
 */
export function sparseSoftmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const op = 'sparseSoftmaxCrossEntropy';
  checkLogits(op, logits);
  if (labels.dtype !== 'int32') throw new Error(`${op}: labels must be int32, got ${labels.dtype}`);
  const lead = logits.shape.slice(0, -1);
  if (labels.shape.join() !== lead.join()) {
    throw new ShapeError(
      `${op}: labels ${formatShape(labels.shape)} must have the logits' shape without its class axis, ${formatShape(lead)} (logits ${formatShape(logits.shape)})`,
    );
  }
  const backend = backendOf(op, logits, labels);
  if (!hasFusedKernels(backend)) return tidy(() => composedSparse(logits, labels));
  return fused(op, backend, logits, labels, true);
}

type FusedBackend = Backend & Required<Pick<Backend, 'softmaxCrossEntropy' | 'softmaxCrossEntropyGrad'>>;

function hasFusedKernels(backend: Backend): backend is FusedBackend {
  return backend.softmaxCrossEntropy !== undefined && backend.softmaxCrossEntropyGrad !== undefined;
}

function fused(op: string, backend: FusedBackend, logits: Tensor, targets: Tensor, sparse: boolean): Tensor {
  const lead = logits.shape.slice(0, -1);
  const out = wrap(backend.softmaxCrossEntropy(logits.view(op), targets.view(op), sparse), lead, backend);
  return record(op, out, [logits, targets], (dy, needs) => [
    needs[0]
      ? wrap(
          backend.softmaxCrossEntropyGrad(logits.view(op), targets.view(op), sparse, dy.view(op)),
          logits.shape,
          backend,
        )
      : null,
    // Soft targets may be trained too (distillation); labels never are.
    needs[1] && !sparse ? tidy(() => mul(neg(logSoftmax(logits)), unsqueeze(dy, -1))) : null,
  ]);
}

/** The composed form: −Σ one-hot·log-softmax, NaN where a label is out of range. */
function composedSparse(logits: Tensor, labels: Tensor): Tensor {
  const classes = logits.shape[logits.rank - 1]!;
  const z = oneHot(labels, classes, logits.dtype === 'float64' ? 'float64' : 'float32');
  const picked = neg(sum(mul(z, logSoftmax(logits)), -1));
  const inRange = mul(greaterEqual(labels, 0), less(labels, classes));
  return where(inRange, picked, Number.NaN);
}
