// The LabApi contract's run schemas (history, series, health, evaluation, diagnosis) (re-exported by contract.ts). Browser-safe: zod only.
import { z } from 'zod';
import { jsonValue, runStatus, deviceChoice, metricKey, metricTable } from './common.js';
import { id, time, metricValue } from './fields.js';
export const runSummary = z.object({
  id,
  name: z.string(),
  status: runStatus,
  device: z.string().nullable(),
  backend: z.string().nullable(),
  seed: z.number().int(),
  datasetId: z.string().nullable(),
  sweepId: z.string().nullable(),
  createdAt: time,
  startedAt: time.nullable(),
  endedAt: time.nullable(),
  error: z.string().nullable(),
  notes: z.string(),
  tags: z.array(z.string()),
  /** The last epoch with metrics, or null before the first. */
  lastEpoch: z.number().int().nullable(),
  /** The last value of each metric. */
  finalMetrics: metricTable,
});
export type RunSummary = z.infer<typeof runSummary>;

export const artifactSummary = z.object({
  id,
  kind: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  createdAt: time,
});

export const runDetail = runSummary.extend({
  /** The validated config the run trains with (defaults filled in). */
  config: jsonValue,
  artifacts: z.array(artifactSummary),
  /** Epochs the config asks for, when known. */
  plannedEpochs: z.number().int().nullable(),
  /** Wall time of each finished epoch, in order. */
  epochTimesMs: z.array(z.number().nonnegative()),
  /** Ids of the checkpoints a model can be saved from. */
  bestCheckpointId: z.string().nullable(),
  lastCheckpointId: z.string().nullable(),
});
export type RunDetail = z.infer<typeof runDetail>;

export const runSortKey = z.enum(['createdAt', 'name', 'status', 'startedAt', 'endedAt']);
export const runListRequest = z.object({
  filter: z
    .object({
      status: z.array(runStatus).optional(),
      datasetId: z.string().optional(),
      sweepId: z.string().optional(),
      /** Runs carrying every one of these tags. */
      tags: z.array(z.string()).optional(),
      /** Case-insensitive substring of the name or notes. */
      search: z.string().max(200).optional(),
    })
    .default({}),
  sort: z
    .object({ by: runSortKey.default('createdAt'), direction: z.enum(['asc', 'desc']).default('desc') })
    .default({ by: 'createdAt', direction: 'desc' }),
  page: z
    .object({
      offset: z.number().int().nonnegative().default(0),
      limit: z.number().int().min(1).max(1000).default(50),
    })
    .default({ offset: 0, limit: 50 }),
});

export const seriesAxis = z.enum(['epoch', 'step']);
/**
 * One metric series in columns. A long series is reduced to at most `maxPoints` buckets: `value`
 * is the bucket's last value and `min`/`max` its extremes, so spikes survive downsampling.
 */
export const metricSeries = z.object({
  split: z.string(),
  name: z.string(),
  x: z.array(z.number()),
  value: z.array(metricValue),
  min: z.array(metricValue),
  max: z.array(metricValue),
  /** Points before downsampling. */
  total: z.number().int().nonnegative(),
  downsampled: z.boolean(),
});
export type MetricSeries = z.infer<typeof metricSeries>;

export const seriesRequest = z.object({
  runId: id,
  /** Defaults to every metric the run recorded. */
  metrics: z.array(metricKey).max(100).optional(),
  axis: seriesAxis.default('epoch'),
  maxPoints: z.number().int().min(2).max(10_000).default(1000),
});

export const runCreateRequest = z.object({
  /** The run config: an object, or JSON/YAML text. */
  config: z.union([z.string().max(1_000_000), z.record(z.string(), z.unknown())]),
  name: z.string().max(200).optional(),
  seed: z.number().int().optional(),
  device: deviceChoice.optional(),
  /** Queue it straight away. Defaults to true. */
  start: z.boolean().default(true),
});

/** One layer's training health by epoch (columns), in model order. */
export const layerHealthSeries = z.object({
  layer: z.string(),
  /** 0-based epochs; the arrays below are aligned with it. */
  epoch: z.array(z.number().int()),
  /** ‖W‖₂ of the layer's trainable weights. */
  weightNorm: z.array(metricValue),
  /** ‖∇W‖₂ on the epoch's last step. */
  gradientNorm: z.array(metricValue),
  /** ‖ΔW‖ / ‖W‖ of the epoch's last update (about 1e-3 is healthy). */
  updateRatio: z.array(metricValue),
  /** ReLU layers: the fraction of units never positive on the health batch; null elsewhere. */
  deadFraction: z.array(metricValue),
});
export type LayerHealthSeries = z.infer<typeof layerHealthSeries>;

const averagedScores = z.object({ precision: metricValue, recall: metricValue, f1: metricValue });
/**
 * A classification run's final evaluation on its test split (else validation), computed when the
 * run completed. Binary runs carry one ROC/PR curve (the positive class); multiclass runs one
 * one-vs-rest curve per class, with `auc`/`averagePrecision` their macro mean.
 */
export const classificationEvaluation = z.object({
  split: z.enum(['validation', 'test']),
  /** The last epoch trained (0-based) when it was computed. */
  epoch: z.number().int().nullable(),
  createdAt: time,
  samples: z.number().int().nonnegative(),
  numClasses: z.number().int().positive(),
  classNames: z.array(z.string()),
  accuracy: metricValue,
  /** `confusionMatrix[true][predicted]`: counts. */
  confusionMatrix: z.array(z.array(z.number().int().nonnegative())),
  perClass: z.array(
    averagedScores.extend({ className: z.string(), support: z.number().int().nonnegative() }),
  ),
  macro: averagedScores,
  weighted: averagedScores,
  roc: z.object({
    auc: metricValue,
    curves: z.array(
      z.object({
        className: z.string(),
        fpr: z.array(z.number()),
        tpr: z.array(z.number()),
        auc: metricValue,
      }),
    ),
  }),
  precisionRecall: z.object({
    averagePrecision: metricValue,
    curves: z.array(
      z.object({
        className: z.string(),
        recall: z.array(z.number()),
        precision: z.array(z.number()),
        averagePrecision: metricValue,
      }),
    ),
  }),
});
export type ClassificationEvaluation = z.infer<typeof classificationEvaluation>;

export const diagnosisVerdict = z.enum([
  'insufficient-data',
  'diverged',
  'exploding-gradients',
  'vanishing-gradients',
  'overfitting',
  'underfitting',
  'still-improving',
  'good-fit',
]);
export type DiagnosisVerdict = z.infer<typeof diagnosisVerdict>;
const nullableNumber = z.number().nullable();
/** A bias/variance diagnosis of a run (core/lab/runs/diagnosis.ts). Epochs are 0-based. */
export const runDiagnosis = z.object({
  verdict: diagnosisVerdict,
  /** One sentence: the verdict in words with its main number. */
  headline: z.string(),
  /** Everything noticed, the verdict first. */
  findings: z.array(
    z.object({
      kind: z.union([diagnosisVerdict, z.enum(['dead-relu', 'large-updates'])]),
      message: z.string(),
    }),
  ),
  evidence: z.object({
    epochs: z.number().int().nonnegative(),
    finalTrainLoss: nullableNumber,
    bestTrainLoss: nullableNumber,
    finalValidationLoss: nullableNumber,
    bestValidationLoss: nullableNumber,
    bestValidationEpoch: z.number().int().nullable(),
    /** Final validation minus final training loss, and that over the training loss. */
    gap: nullableNumber,
    relativeGap: nullableNumber,
    /** The epoch after which the validation loss rose, when it did. */
    validationTurnEpoch: z.number().int().nullable(),
    /** Relative change per epoch over the last `trendWindow` epochs (negative: falling). */
    trainTrend: nullableNumber,
    validationTrend: nullableNumber,
    trendWindow: z.number().int(),
    /** The loss of a know-nothing model (ln K for cross-entropy), when known. */
    baselineLoss: nullableNumber,
    lossVsBaseline: nullableNumber,
    metric: z
      .object({ name: z.string(), finalTrain: nullableNumber, finalValidation: nullableNumber })
      .nullable(),
    gradientNorms: z.array(
      z.object({ layer: z.string(), first: nullableNumber, last: nullableNumber, max: nullableNumber }),
    ),
    gradientRatioFirstToLast: nullableNumber,
    maxUpdateRatio: z.object({ layer: z.string(), value: z.number() }).nullable(),
    maxDeadFraction: z.object({ layer: z.string(), value: z.number() }).nullable(),
  }),
  /** Concrete things to try, most promising first. */
  nextSteps: z.array(z.string()),
});
export type RunDiagnosis = z.infer<typeof runDiagnosis>;
