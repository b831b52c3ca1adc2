/**
 * The bridge between fit/evaluate and the streaming metrics of core/engine/metrics, which
 * take host arrays: each batch's targets and predictions are read back once and handed to
 * every metric. Names resolve through the metrics registry.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Metric } from '../metrics/accumulator.js';

export type MetricSpec = string | Metric;

export function resolveMetrics(specs: readonly MetricSpec[] | undefined): Metric[] {
  return (specs ?? []).map((spec) => (typeof spec === 'string' ? metricByName(spec) : spec));
}

function metricByName(name: string): Metric {
  throw new Error(`metric '${name}': the metrics registry is not available yet`);
}

/** Reads yTrue and yPred once and updates every metric with them. */
export async function updateMetrics(metrics: readonly Metric[], yTrue: Tensor, yPred: Tensor): Promise<void> {
  if (metrics.length === 0) return;
  const read = async (t: Tensor) => (t.backend.readSync ? t.dataSync() : await t.data());
  const truth = { data: await read(yTrue), shape: [...yTrue.shape] };
  const pred = { data: await read(yPred), shape: [...yPred.shape] };
  for (const m of metrics) m.update(truth, pred);
}
