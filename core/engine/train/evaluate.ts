/**
 * Inference-mode evaluation: the loss and metrics over a dataset, in batches, with training
 * behaviour (dropout, batch statistics updates) off.
 */
import type { Tensor } from '../tensor/tensor.js';
import { dispose, tidy } from '../tensor/scope.js';
import { noGrad } from '../runtime.js';
import { mul } from '../ops/elementwise.js';
import { detach } from '../ops/shape.js';
import { lossFromName, type CrossentropyOptions, type HuberOptions, type LossFn } from '../nn/losses.js';
import { checkSamples, rows, rowsAsTensor, stepsFor, type Features } from './batches.js';
import type { Metric } from '../metrics/accumulator.js';
import { readStacked, resolveMetrics, updateWith, type MetricSpec } from './metrics.js';
import type { TrainableModel } from './types.js';

/** A loss by function, by Keras name, or by name with options. */
/** Batches evaluated before their results are read back together (asynchronous backends). */
const READ_GROUP = 8;

export type LossSpec = LossFn | string | ({ name: string } & CrossentropyOptions & HuberOptions);

export function resolveLoss(spec: LossSpec): LossFn {
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'string') return lossFromName(spec);
  const { name, ...options } = spec;
  return lossFromName(name, options);
}

export interface EvaluateOptions {
  loss: LossSpec;
  metrics?: readonly MetricSpec[];
  /** Defaults to 32. */
  batchSize?: number;
}

export interface EvaluateResult {
  loss: number;
  /** Metric results by name. */
  metrics: Record<string, number>;
}

/** Reads a scalar, synchronously where the backend allows. */
/**
 * Loss (sample-weighted mean over batches, regularisation excluded) and metrics of `model` on
 * (x, y). Metrics are reset first.
 * @example const { loss, metrics } = await evaluate(model, xTest, yTest, { loss: 'mse' });
 */
export async function evaluate(
  model: TrainableModel,
  x: Features,
  y: Tensor,
  options: EvaluateOptions,
): Promise<EvaluateResult> {
  return evaluateWith(
    model,
    x,
    y,
    resolveLoss(options.loss),
    resolveMetrics(options.metrics),
    options.batchSize ?? 32,
  );
}

export async function evaluateWith(
  model: TrainableModel,
  x: Features,
  y: Tensor,
  loss: LossFn,
  metrics: readonly Metric[],
  batchSize: number,
): Promise<EvaluateResult> {
  checkSamples('evaluate', x, y);
  if (!model.built) model.build(x.shape.slice(1));
  const n = x.shape[0]!;
  for (const m of metrics) m.reset();
  let total = 0;
  // On an asynchronous backend a group of batches runs before their results come back
  // together (one read per kind), so the GPU never waits on the host between batches.
  const pending: { weighted: Tensor; pred: Tensor; yb: Tensor }[] = [];
  const drain = async (): Promise<void> => {
    const group = pending.splice(0);
    try {
      const [losses, preds, truths] = await Promise.all([
        readStacked(group.map((g) => g.weighted)),
        metrics.length > 0 ? readStacked(group.map((g) => g.pred)) : null,
        metrics.length > 0 ? readStacked(group.map((g) => g.yb)) : null,
      ]);
      group.forEach((_, i) => {
        total += losses[i]!.data[0]!;
        if (preds && truths) updateWith(metrics, truths[i]!, preds[i]!);
      });
    } finally {
      dispose(group);
    }
  };
  try {
    for (let b = 0; b < stepsFor(n, batchSize); b++) {
      const start = b * batchSize;
      const count = Math.min(batchSize, n - start);
      const results = noGrad(() =>
        tidy(() => {
          const xb = rowsAsTensor(x, start, count);
          const ybView = rows(y, start, count);
          const p = model.apply(xb, { training: false });
          return { weighted: mul(loss(ybView, p), count), pred: detach(p), yb: detach(ybView) };
        }),
      );
      pending.push(results);
      results.pred.backend.flush();
      if (results.pred.backend.readSync || pending.length >= READ_GROUP) await drain();
    }
    await drain();
  } finally {
    dispose(pending);
  }
  const out: Record<string, number> = {};
  for (const m of metrics) out[m.name] = m.result();
  return { loss: total / n, metrics: out };
}
