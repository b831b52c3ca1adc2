// The LabApi contract: every request, response and event the UI can use, with a runtime schema
// for each. Channel names are `domain:method`; the Electron preload, the WebSocket client, the
// service and the server are all derived from the `channels` table below.
//
// This module runs in the browser too: no Node imports here (zod only).
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Shared pieces

const id = z.string().min(1).max(200);
const name = z.string().trim().min(1).max(200);
/** Unix epoch milliseconds. */
const time = z.number().int().nonnegative();
/** A metric value: JSON has no NaN or Infinity, so a non-finite value travels as null. */
const metricValue = z.number().nullable();

export const jsonValue = z.json();
export type JsonValue = z.infer<typeof jsonValue>;

export const datasetTask = z.enum(['classification', 'regression']);
export const datasetSourceKind = z.enum(['csv', 'idx', 'npy', 'image-folder', 'sample']);
export const columnType = z.enum(['numeric', 'categorical', 'boolean', 'ignored']);
export const categoricalEncoding = z.enum(['onehot', 'ordinal']);
export const missingPolicy = z.enum(['drop', 'mean', 'median', 'constant', 'refuse']);
export const scalingKind = z.enum(['none', 'standardize', 'minmax01', 'minmax11', 'divide255']);
export const sampleName = z.enum(['xor', 'spirals', 'moons', 'circles', 'sine', 'ice-cream']);
export const importPhase = z.enum(['scanning', 'reading', 'decoding', 'preprocessing', 'writing', 'done']);

export const runStatus = z.enum([
  'queued',
  'running',
  'completed',
  'failed',
  'diverged',
  'interrupted',
  'cancelled',
  'paused',
]);
export type RunStatus = z.infer<typeof runStatus>;
export const deviceChoice = z.enum(['auto', 'cpu', 'gpu']);
export const split = z.enum(['train', 'validation', 'test']);
export type Split = z.infer<typeof split>;

/** A metric series is named by its split and metric name, e.g. validation/accuracy. */
export const metricKey = z.object({ split: z.string().min(1).max(50), name: z.string().min(1).max(100) });
export type MetricKey = z.infer<typeof metricKey>;
/** Final (or chosen-epoch) metric values: split → metric name → value. */
export const metricTable = z.record(z.string(), z.record(z.string(), metricValue));
export type MetricTable = z.infer<typeof metricTable>;

/** A file sent with the request (the browser cannot hand over a path): base64 content. */
export const uploadedFile = z.object({
  fileName: z.string().min(1).max(255),
  contentBase64: z.base64(),
});

const empty = z.object({});
const deleted = z.object({ deleted: z.boolean() });

// ---------------------------------------------------------------------------------------------
// Datasets

const csvOptions = {
  delimiter: z.string().min(1).max(4).optional(),
  header: z.boolean().optional(),
  columnTypes: z.record(z.string(), columnType).optional(),
  encodings: z.record(z.string(), categoricalEncoding).optional(),
  categoricalEncoding: categoricalEncoding.optional(),
  /** Column name or 0-based index. Defaults to the last column. */
  target: z.union([z.string(), z.number().int().nonnegative()]).optional(),
  task: datasetTask.optional(),
  missing: missingPolicy.optional(),
  missingConstant: z.union([z.number(), z.string()]).optional(),
};

/** Where to import from. Paths are on the machine running the host (Electron main or `nnlab serve`). */
export const datasetSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('csv'), file: z.string().min(1), ...csvOptions }),
  /** A CSV/TSV sent by the browser. */
  z.object({ kind: z.literal('csv-upload'), file: uploadedFile, ...csvOptions }),
  z.object({
    kind: z.literal('idx'),
    images: z.string().min(1),
    labels: z.string().min(1),
    testImages: z.string().min(1).optional(),
    testLabels: z.string().min(1).optional(),
    classNames: z.array(z.string()).optional(),
  }),
  /** A folder holding IDX image/label pairs (train-*, and optionally t10k-* or test-*). */
  z.object({
    kind: z.literal('idx-folder'),
    folder: z.string().min(1),
    classNames: z.array(z.string()).optional(),
  }),
  z.object({ kind: z.literal('fashion-mnist'), folder: z.string().min(1).optional() }),
  z.object({
    kind: z.literal('npy'),
    features: z.string().min(1),
    labels: z.string().min(1),
    testFeatures: z.string().min(1).optional(),
    testLabels: z.string().min(1).optional(),
    task: datasetTask.optional(),
    classNames: z.array(z.string()).optional(),
  }),
  z.object({
    kind: z.literal('image-folder'),
    folder: z.string().min(1),
    testFolder: z.string().min(1).optional(),
    width: z.number().int().min(1).max(1024).optional(),
    height: z.number().int().min(1).max(1024).optional(),
    color: z.enum(['rgb', 'grayscale']).optional(),
  }),
  z.object({
    kind: z.literal('sample'),
    sample: sampleName,
    rows: z.number().int().min(4).max(1_000_000).optional(),
    noise: z.number().min(0).max(10).optional(),
    seed: z.number().int().optional(),
  }),
]);
export type DatasetSourceInput = z.input<typeof datasetSource>;

export const splitOptions = z.object({
  validationFraction: z.number().min(0).lt(1).optional(),
  testFraction: z.number().min(0).lt(1).optional(),
  seed: z.number().int().optional(),
  stratify: z.boolean().optional(),
});

export const datasetSummary = z.object({
  id,
  name: z.string(),
  sourceKind: datasetSourceKind,
  task: datasetTask,
  createdAt: time,
  rows: z.number().int().nonnegative(),
  trainRows: z.number().int().nonnegative(),
  validationRows: z.number().int().nonnegative(),
  testRows: z.number().int().nonnegative(),
  featureShape: z.array(z.number().int()),
  /** Class names for classification; null for regression. */
  classNames: z.array(z.string()).nullable(),
  targetName: z.string(),
  bytes: z.number().int().nonnegative(),
  contentHash: z.string(),
});
export type DatasetSummary = z.infer<typeof datasetSummary>;

const columnPreview = z.object({
  name: z.string(),
  type: z.union([columnType, z.literal('pixel')]),
  role: z.enum(['feature', 'target', 'ignored']),
  count: z.number(),
  missing: z.number(),
  distinct: z.number(),
  distinctCapped: z.boolean(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  top: z.array(z.object({ value: z.string(), count: z.number() })),
});

export const datasetPreview = z.object({
  dataset: datasetSummary,
  /** The stored `schema.json` (see core/lab/datasets/schema.ts), for detail views. */
  schema: z.record(z.string(), z.unknown()),
  firstRows: z.object({ header: z.array(z.string()), rows: z.array(z.array(z.string())) }),
  columns: z.array(columnPreview),
  classBalance: z
    .array(
      z.object({
        classIndex: z.number().int(),
        className: z.string(),
        total: z.number().int(),
        train: z.number().int(),
        validation: z.number().int(),
        test: z.number().int(),
      }),
    )
    .nullable(),
  /** Sample images per class: HWC uint8 pixels, base64. */
  samples: z
    .object({
      height: z.number().int(),
      width: z.number().int(),
      channels: z.number().int(),
      classes: z.array(
        z.object({
          className: z.string(),
          images: z.array(z.object({ row: z.number().int(), pixelsBase64: z.string() })),
        }),
      ),
    })
    .nullable(),
});
export type DatasetPreview = z.infer<typeof datasetPreview>;

// ---------------------------------------------------------------------------------------------
// Runs

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

// ---------------------------------------------------------------------------------------------
// Devices

/** What the device picker shows: the GPU adapter a run would get, or why there is none. */
export const deviceReport = z.object({
  gpu: z.discriminatedUnion('available', [
    z.object({
      available: z.literal(true),
      /** Dawn's backend (vulkan, metal, d3d12) and the engine backend on it (webgpu). */
      backend: z.string(),
      engineBackend: z.string(),
      vendor: z.string(),
      architecture: z.string(),
      device: z.string(),
      description: z.string(),
      /** A CPU emulating a GPU (lavapipe, SwiftShader): it works, but is no faster than the CPU backend. */
      software: z.boolean(),
      limits: z.record(z.string(), z.number()),
    }),
    z.object({ available: z.literal(false), reason: z.string() }),
  ]),
  cpu: z.object({ cores: z.number().int().positive(), model: z.string() }),
  /** When the adapter was probed (the host asks a trainer process once, then caches). */
  detectedAt: time,
});
export type DeviceReport = z.infer<typeof deviceReport>;

// ---------------------------------------------------------------------------------------------
// Models

export const modelSummary = z.object({
  id,
  name: z.string(),
  runId: z.string().nullable(),
  artifactId: z.string(),
  createdAt: time,
  sizeBytes: z.number().int().nonnegative().nullable(),
  task: datasetTask.nullable(),
  classNames: z.array(z.string()).nullable(),
});
export type ModelSummary = z.infer<typeof modelSummary>;

/** Raw rows: objects keyed by source column name (tables), or arrays of feature values. */
export const predictRow = z.union([
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  z.array(z.number()),
]);

export const predictRequest = z.object({
  modelId: id,
  input: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('rows'), rows: z.array(predictRow).min(1).max(100_000) }),
    /** A CSV of raw rows, or an image (PNG/JPEG) for image models. */
    z.object({ kind: z.literal('file'), file: uploadedFile }),
    /** A file on the host's machine. */
    z.object({ kind: z.literal('path'), path: z.string().min(1) }),
  ]),
});

export const prediction = z.object({
  /** Classification: the predicted class index and name, and every class's probability. */
  label: z.number().int().optional(),
  className: z.string().optional(),
  probabilities: z.array(z.number()).optional(),
  /** Regression: the predicted value(s). */
  value: z.union([z.number(), z.array(z.number())]).optional(),
});
export type Prediction = z.infer<typeof prediction>;

// ---------------------------------------------------------------------------------------------
// Compare

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

// ---------------------------------------------------------------------------------------------
// Channels

function channel<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) {
  return { request, response };
}

/** Every channel of the LabApi: `domain:method` → request and response schemas. */
export const channels = {
  'datasets:import': channel(
    z.object({
      source: datasetSource,
      name: z.string().max(200).optional(),
      split: splitOptions.optional(),
      scaling: scalingKind.optional(),
      /** Chosen by the caller to match `datasets:import-progress` events; generated when absent. */
      importId: z.string().min(1).max(100).optional(),
    }),
    z.object({ importId: z.string(), dataset: datasetSummary }),
  ),
  'datasets:cancelImport': channel(
    z.object({ importId: z.string().min(1) }),
    z.object({ cancelled: z.boolean() }),
  ),
  'datasets:list': channel(empty, z.object({ datasets: z.array(datasetSummary) })),
  'datasets:get': channel(z.object({ id }), datasetSummary),
  'datasets:preview': channel(
    z.object({
      id,
      rows: z.number().int().min(0).max(1000).optional(),
      samplesPerClass: z.number().int().min(0).max(64).optional(),
    }),
    datasetPreview,
  ),
  'datasets:rename': channel(z.object({ id, name }), datasetSummary),
  'datasets:delete': channel(z.object({ id }), deleted),
  'datasets:samples': channel(empty, z.object({ samples: z.array(sampleName) })),

  'runs:create': channel(runCreateRequest, runSummary),
  'runs:list': channel(runListRequest, z.object({ runs: z.array(runSummary), total: z.number().int() })),
  'runs:get': channel(z.object({ id }), runDetail),
  'runs:series': channel(
    seriesRequest,
    z.object({ runId: id, axis: seriesAxis, series: z.array(metricSeries) }),
  ),
  'runs:cancel': channel(z.object({ id }), runSummary),
  'runs:pause': channel(z.object({ id }), runSummary),
  'runs:resume': channel(z.object({ id }), runSummary),
  'runs:delete': channel(z.object({ id }), deleted),
  'runs:tag': channel(
    z.object({
      id,
      add: z.array(z.string().trim().min(1).max(100)).default([]),
      remove: z.array(z.string()).default([]),
    }),
    z.object({ id, tags: z.array(z.string()) }),
  ),
  'runs:note': channel(z.object({ id, notes: z.string().max(100_000) }), runSummary),
  /** Every tag in use across all runs, with how many runs carry it (most used first). */
  'runs:tags': channel(
    empty,
    z.object({ tags: z.array(z.object({ tag: z.string(), runs: z.number().int().positive() })) }),
  ),
  /** Per-layer health by epoch: weight and gradient norms, update/weight ratio, dead ReLUs. */
  'runs:health': channel(
    z.object({ runId: id }),
    z.object({ runId: id, layers: z.array(layerHealthSeries) }),
  ),
  /** The final evaluation of a classification run (null until it completes, and for regression). */
  'runs:evaluation': channel(
    z.object({ runId: id }),
    z.object({ runId: id, evaluation: classificationEvaluation.nullable() }),
  ),
  /** A bias/variance diagnosis from the run's curves and health, with next steps. */
  'runs:diagnose': channel(z.object({ runId: id }), z.object({ runId: id, diagnosis: runDiagnosis })),

  /** The GPU adapter a run would get (cached; `refresh` probes again), or why there is none. */
  'devices:detect': channel(z.object({ refresh: z.boolean().default(false) }), deviceReport),

  'models:list': channel(empty, z.object({ models: z.array(modelSummary) })),
  'models:save': channel(
    z.object({ runId: id, name, checkpoint: z.enum(['best', 'last']).default('best') }),
    modelSummary,
  ),
  'models:delete': channel(z.object({ id }), deleted),
  /** The saved model's file as bytes, for a download in the UI (what `nnlab models export` copies). */
  'models:export': channel(
    z.object({ id }),
    z.object({
      fileName: z.string().min(1),
      sizeBytes: z.number().int().nonnegative(),
      contentBase64: z.string(),
    }),
  ),
  'models:predict': channel(
    predictRequest,
    z.object({
      modelId: id,
      task: datasetTask,
      classNames: z.array(z.string()).nullable(),
      predictions: z.array(prediction),
    }),
  ),

  'compare:runs': channel(compareRequest, compareResponse),
} as const;

export type Channels = typeof channels;
export type Channel = keyof Channels;
export const CHANNELS = Object.keys(channels) as Channel[];

/** What a caller passes (defaults may be left out). */
export type RequestOf<C extends Channel> = z.input<Channels[C]['request']>;
/** What the service receives after validation (defaults filled in). */
export type ParsedRequestOf<C extends Channel> = z.output<Channels[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<Channels[C]['response']>;

export type DatasetImportRequest = RequestOf<'datasets:import'>;
export type RunListRequest = RequestOf<'runs:list'>;
export type SeriesRequest = RequestOf<'runs:series'>;
export type CompareRequest = RequestOf<'compare:runs'>;
export type PredictRequest = RequestOf<'models:predict'>;

// ---------------------------------------------------------------------------------------------
// Events

export const labEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('datasets:import-progress'),
    importId: z.string(),
    phase: importPhase,
    file: z.string().optional(),
    done: z.number(),
    total: z.number(),
  }),
  /** A dataset was added, renamed or deleted: lists should refresh. */
  z.object({ type: z.literal('datasets:changed'), datasetId: z.string() }),
  z.object({
    type: z.literal('runs:progress'),
    runId: z.string(),
    epoch: z.number().int(),
    /** Planned epochs, when known. */
    epochs: z.number().int().nullable(),
    /** The global step: steps done since the run began. */
    step: z.number().int(),
    /** Steps in one epoch, when known (then progressFraction counts the current epoch's steps). */
    stepsPerEpoch: z.number().int().positive().nullable().optional(),
    /** The latest value of each metric reported in this update. */
    metrics: metricTable,
    samplesPerSecond: z.number().nullable(),
    /** The trainer's estimate of the seconds left in the run (null or absent when unknown). */
    etaSeconds: z.number().nullable().optional(),
  }),
  /** Per-layer health at the end of an epoch (the live counterpart of `runs:health`). */
  z.object({
    type: z.literal('runs:health'),
    runId: z.string(),
    epoch: z.number().int(),
    layers: z.array(
      z.object({
        layer: z.string(),
        weightNorm: metricValue,
        gradientNorm: metricValue,
        updateRatio: metricValue,
        deadFraction: metricValue,
      }),
    ),
  }),
  z.object({
    type: z.literal('runs:status'),
    runId: z.string(),
    status: runStatus,
    error: z.string().nullable(),
  }),
  /** A run was created, deleted, tagged or annotated: lists should refresh. */
  z.object({ type: z.literal('runs:changed'), runId: z.string() }),
  z.object({ type: z.literal('models:changed'), modelId: z.string() }),
]);
export type LabEvent = z.infer<typeof labEvent>;
export type LabEventType = LabEvent['type'];
export type LabEventListener = (event: LabEvent) => void;
export type Unsubscribe = () => void;

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * bad-request: the payload failed validation or named something impossible (details say where);
 * not-found: no such dataset, run or model; conflict: the state forbids it (e.g. deleting a
 * running run); cancelled: the caller cancelled it (an import); unauthorized: a transport refused
 * the caller; internal: a bug or I/O failure.
 */
export const labErrorCode = z.enum([
  'bad-request',
  'not-found',
  'conflict',
  'cancelled',
  'unauthorized',
  'internal',
]);
export type LabErrorCode = z.infer<typeof labErrorCode>;
export const labErrorBody = z.object({
  code: labErrorCode,
  message: z.string(),
  /** Validation issues: where (a path into the request) and what was wrong. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type LabErrorBody = z.infer<typeof labErrorBody>;

/** The one error type every transport rethrows on the caller's side. */
export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly issues: { path: string; message: string }[] | undefined;
  constructor(code: LabErrorCode, message: string, issues?: { path: string; message: string }[]) {
    super(message);
    this.name = 'LabError';
    this.code = code;
    this.issues = issues;
  }
  toBody(): LabErrorBody {
    return { code: this.code, message: this.message, ...(this.issues && { issues: this.issues }) };
  }
}

/** Validates `value` against `schema`, throwing a bad-request LabError that names each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
  throw new LabError(
    'bad-request',
    `Invalid ${what}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    issues,
  );
}

// ---------------------------------------------------------------------------------------------
// The LabApi interface: one method per channel, grouped by domain (`lab.runs.list({...})`).

type DomainOf<C extends string> = C extends `${infer D}:${string}` ? D : never;
type MethodOf<C extends string> = C extends `${string}:${infer M}` ? M : never;
export type Domain = DomainOf<Channel>;

export type LabMethod<C extends Channel> =
  Record<string, never> extends RequestOf<C>
    ? (request?: RequestOf<C>) => Promise<ResponseOf<C>>
    : (request: RequestOf<C>) => Promise<ResponseOf<C>>;

export type LabApi = {
  [D in Domain]: { [C in Channel as DomainOf<C> extends D ? MethodOf<C> : never]: LabMethod<C> };
} & {
  /** Calls `listener` with every event until the returned function is called. */
  subscribe(listener: LabEventListener): Unsubscribe;
};

export function splitChannel(channelName: Channel): { domain: Domain; method: string } {
  const at = channelName.indexOf(':');
  return { domain: channelName.slice(0, at) as Domain, method: channelName.slice(at + 1) };
}
