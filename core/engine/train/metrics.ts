/**
 * The bridge between fit/evaluate and the streaming metrics of core/engine/metrics, which
 * take host arrays: each batch's targets and predictions are read back once (a group of
 * batches in one read on a GPU, see readStacked) and handed to every metric. Names resolve
 * through the metrics registry.
 */
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { concat, reshape } from '../ops/shape.js';
import type { Metric, ShapedArray } from '../metrics/accumulator.js';
import { createMetric } from '../metrics/registry.js';

/** A metric name ('accuracy', 'auc', …), a name with options, or a metric object. */
export type MetricSpec = string | Metric | ({ name: string } & Record<string, unknown>);

export function resolveMetrics(specs: readonly MetricSpec[] | undefined): Metric[] {
  return (specs ?? []).map((spec) => {
    if (typeof spec === 'string') return createMetric(spec);
    if (typeof (spec as Metric).update === 'function') return spec as Metric;
    const { name, ...options } = spec as { name: string } & Record<string, unknown>;
    return createMetric(name, options);
  });
}

/**
 * The values of several tensors, each as a host array with its shape. On an asynchronous
 * backend they are flattened and concatenated on the device first, so the whole set costs
 * one read-back (one wait for the GPU) instead of one per tensor.
 */
export async function readStacked(tensors: readonly Tensor[]): Promise<ShapedArray[]> {
  if (tensors.length === 0) return [];
  if (tensors[0]!.backend.readSync) return tensors.map((t) => ({ data: t.dataSync(), shape: t.shape }));
  const joined = tidy(() => concat(tensors.map((t) => reshape(t, [t.size]))));
  let flat;
  try {
    flat = await joined.data();
  } finally {
    joined.dispose();
  }
  let at = 0;
  return tensors.map((t) => {
    const data = flat.subarray(at, at + t.size);
    at += t.size;
    return { data, shape: t.shape };
  });
}

/** Hands one step's targets and predictions to every metric. */
export function updateWith(metrics: readonly Metric[], yTrue: ShapedArray, yPred: ShapedArray): void {
  for (const m of metrics) m.update(yTrue, yPred);
}
