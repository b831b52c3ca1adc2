/**
 * The bridge between fit/evaluate and the streaming metrics of core/engine/metrics, which
 * take host arrays: each batch's targets and predictions are read back once and handed to
 * every metric. Names resolve through the metrics registry.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Metric } from '../metrics/accumulator.js';
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

/** Reads yTrue and yPred once and updates every metric with them. */
export async function updateMetrics(metrics: readonly Metric[], yTrue: Tensor, yPred: Tensor): Promise<void> {
  if (metrics.length === 0) return;
  const read = async (t: Tensor) => (t.backend.readSync ? t.dataSync() : await t.data());
  const truth = { data: await read(yTrue), shape: [...yTrue.shape] };
  const pred = { data: await read(yPred), shape: [...yPred.shape] };
  for (const m of metrics) m.update(truth, pred);
}
