// The LabApi contract: every request, response and event the UI can use, with a runtime schema
// for each. Channel names are `domain:method`; the Electron preload, the WebSocket client, the
// service and the server are all derived from the `channels` table below.
//
// The schemas live by domain in schemas/ and are re-exported here; this module assembles the
// channels, events and errors. It runs in the browser too: no Node imports (zod only).
import { z } from 'zod';
import {
  datasetTask,
  scalingKind,
  sampleName,
  importPhase,
  runStatus,
  metricTable,
} from './schemas/common.js';
import { id, name, metricValue, empty, deleted } from './schemas/fields.js';

import { datasetSource, splitOptions, datasetSummary, datasetPreview } from './schemas/datasets.js';
import {
  runSummary,
  runDetail,
  runListRequest,
  seriesAxis,
  metricSeries,
  seriesRequest,
  runCreateRequest,
  layerHealthSeries,
  classificationEvaluation,
  runDiagnosis,
} from './schemas/runs.js';
import { deviceReport } from './schemas/devices.js';
import { modelSummary, predictRequest, prediction } from './schemas/models.js';
import { compareRequest, compareResponse } from './schemas/compare.js';
export * from './schemas/datasets.js';
export * from './schemas/runs.js';
export * from './schemas/devices.js';
export * from './schemas/models.js';
export * from './schemas/compare.js';
export * from './schemas/common.js';

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
