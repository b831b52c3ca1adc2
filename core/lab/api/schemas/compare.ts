// The LabApi contract's compare schemas (re-exported by contract.ts). Browser-safe: zod only.
import { z } from 'zod';
import { jsonValue, runStatus, metricKey, metricTable } from './common.js';
import { id, metricValue } from './fields.js';
import { seriesAxis, classificationEvaluation } from './runs.js';
/** Which epoch's metrics to read from each run. */
export const compareAt = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('last') }),
  /** The epoch where `metric` is best: lowest for losses and errors, else highest unless `mode` says. */
  z.object({ kind: z.literal('best'), metric: metricKey, mode: z.enum(['min', 'max']).optional() }),
  z.object({ kind: z.literal('epoch'), epoch: z.number().int().nonnegative() }),
]);
export type CompareAt = z.infer<typeof compareAt>;

export const compareRequest = z.object({
  runIds: z.array(id).min(1).max(32),
  /** Defaults to every metric any of the runs recorded. */
  metrics: z.array(metricKey).max(100).optional(),
  axis: seriesAxis.default('epoch'),
  maxPoints: z.number().int().min(2).max(10_000).default(1000),
  at: compareAt.default({ kind: 'last' }),
});

export const compareResponse = z.object({
  runs: z.array(z.object({ id, name: z.string(), status: runStatus })),
  /** One series per metric, on one shared x axis; `values[r]` belongs to `runs[r]`, null where it has no point. */
  series: z.array(
    z.object({
      split: z.string(),
      name: z.string(),
      x: z.array(z.number()),
      values: z.array(z.array(metricValue)),
    }),
  ),
  /** Config paths (e.g. `optimizer.learningRate`, `layers[2].units`) whose values differ; `values[r]` is null where absent. */
  configDiff: z.array(z.object({ path: z.string(), values: z.array(jsonValue.nullable()) })),
  /** Per run: the epoch chosen by `at` (null when the run has none) and every metric there. */
  metricsAt: z.array(z.object({ runId: id, epoch: z.number().int().nullable(), metrics: metricTable })),
  /** Per run (same order): its final classification evaluation, or null (regression, or not finished). */
  evaluations: z.array(classificationEvaluation.nullable()),
});
export type CompareResult = z.infer<typeof compareResponse>;
