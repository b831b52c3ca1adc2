// The runs port on the real runs side: the RunManager for everything that changes a run, the
// store's repositories for reading, and the runs side's errors turned into LabErrors.
import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DatasetImportError } from '../datasets/index.js';
import {
  RunConfigError,
  RunInUseError,
  RunManager,
  RunNotFoundError,
  RunOwnedElsewhereError,
  RunStateError,
  type RunEvent,
} from '../runs/run-manager.js';
import { deleteModel, ModelError, predictWithModel, saveModel } from '../runs/models.js';
import {
  getModel,
  getModelByName,
  getRun,
  listArtifacts,
  listAllTags,
  listModels,
  listRuns,
  ModelNameTakenError,
  readSeries,
  type ModelRow,
  type RunRow,
  type Store,
} from '../store/index.js';
import {
  LabError,
  type JsonValue,
  type LabEvent,
  type ModelSummary,
  type RunDetail,
  type RunSummary,
} from './contract.js';
import { predictInput } from './predict-input.js';
import { diagnose, evaluationOf, healthSeries } from './run-insights.js';
import type { RunsPort } from './runs-port.js';

export interface RunsAdapterOptions {
  manager: RunManager;
  store: Store;
  dataDir: string;
}

/** Scheduling begins on the first run created or resumed, or when `start()` is called. */
export interface RunsAdapter extends RunsPort {
  readonly manager: RunManager;
}

/** Past this a model travels by `nnlab models export` rather than as base64 over IPC or a socket. */
export const MODEL_EXPORT_MAX_BYTES = 256 * 2 ** 20;

/** A model name as a file name on every platform: path separators and reserved characters become '_'. */
function safeFileName(name: string): string {
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim();
  return cleaned.length > 0 ? cleaned : 'model';
}

export function createRunsAdapter({ manager, store, dataDir }: RunsAdapterOptions): RunsAdapter {
  const guard = <T>(action: () => T): T => {
    try {
      return action();
    } catch (error) {
      throw fromRunsError(error);
    }
  };
  const guardAsync = async <T>(action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw fromRunsError(error);
    }
  };

  return {
    manager,
    start: () => manager.start(),

    create: async (request) =>
      guard(() => {
        manager.start();
        const run = manager.createRun(request.config, {
          ...(request.device !== undefined && { device: request.device }),
          ...(request.seed !== undefined && { seed: request.seed }),
          ...(request.name !== undefined && { name: request.name }),
        });
        return summarize(request.start ? run : manager.pause(run.id));
      }),
    list: (request) => {
      const { runs, total } = listRuns(store, request);
      return { runs: runs.map(summarize), total };
    },
    get: (id) => {
      const run = getRun(store, id);
      return run && detail(store, run);
    },
    series: (request) => ({
      runId: request.runId,
      axis: request.axis,
      series: readSeries(store, request.runId, {
        axis: request.axis,
        maxPoints: request.maxPoints,
        ...(request.metrics && { metrics: request.metrics }),
      }),
    }),
    cancel: async (id) => guard(() => summarize(manager.cancel(id))),
    pause: async (id) => guard(() => summarize(manager.pause(id))),
    resume: async (id) =>
      guard(() => {
        manager.start();
        return summarize(manager.resume(id));
      }),
    delete: (id) => guardAsync(() => manager.deleteRun(id)),
    tag: (id, add, remove) => guard(() => manager.tag(id, add, remove)),
    note: (id, notes) => guard(() => summarize(manager.setNotes(id, notes))),
    tags: () => listAllTags(store),
    health: (id) => healthSeries(store, requireRun(store, id)),
    evaluation: (id) => evaluationOf(store, requireRun(store, id).id),
    diagnose: (id) => diagnose(store, requireRun(store, id)),
    detectDevice: (refresh) => manager.detectDevice(refresh),

    listModels: () => listModels(store).map(modelSummary),
    saveModel: (request) => guardAsync(async () => modelSummary(await saveModel(store, dataDir, request))),
    deleteModel: async (id) => deleteModel(store, id),
    modelFile: (key) => {
      const model = getModel(store, key) ?? getModelByName(store, key);
      return model?.file ? join(dataDir, model.file) : undefined;
    },
    exportModel: (modelId) =>
      guardAsync(async () => {
        const model = getModel(store, modelId);
        if (!model?.file) throw new LabError('not-found', `No saved model with id '${modelId}'.`);
        const path = join(dataDir, model.file);
        const { size } = await stat(path).catch(() => {
          throw new LabError(
            'not-found',
            `The file of model '${model.name}' is missing from the data folder.`,
          );
        });
        if (size > MODEL_EXPORT_MAX_BYTES)
          throw new LabError(
            'bad-request',
            `Model '${model.name}' is ${(size / 2 ** 20).toFixed(0)} MiB, past the ${MODEL_EXPORT_MAX_BYTES / 2 ** 20} MiB a download carries; use: nnlab models export ${model.id}`,
          );
        const content = await readFile(path);
        return {
          fileName: `${safeFileName(model.name)}${extname(model.file)}`,
          sizeBytes: content.length,
          contentBase64: content.toString('base64'),
        };
      }),
    predict: (request) =>
      guardAsync(async () => {
        if (!getModel(store, request.modelId))
          throw new LabError('not-found', `No model with id '${request.modelId}'.`);
        const input = await predictInput(request.input, dataDir);
        const { meta, predictions } = await predictWithModel(store, dataDir, request.modelId, input);
        return { modelId: request.modelId, task: meta.task, classNames: meta.classNames, predictions };
      }),

    subscribe: (listener) => manager.subscribe((event) => toLabEvents(event).forEach(listener)),
    shutdown: () => manager.shutdown(),
  };
}

function requireRun(store: Store, id: string): RunRow {
  const run = getRun(store, id);
  if (!run) throw new LabError('not-found', `No run with id '${id}'.`);
  return run;
}

export function summarize(run: RunRow): RunSummary {
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    device: run.device,
    backend: run.backend,
    seed: run.seed,
    datasetId: run.datasetId,
    sweepId: run.sweepId,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    error: run.error,
    notes: run.notes,
    tags: run.tags,
    lastEpoch: run.lastEpoch,
    finalMetrics: run.finalMetrics,
  };
}

function detail(store: Store, run: RunRow): RunDetail {
  return {
    ...summarize(run),
    config: run.config as JsonValue,
    artifacts: listArtifacts(store, run.id).map((artifact) => ({
      id: artifact.id,
      kind: artifact.kind,
      sizeBytes: artifact.sizeBytes,
      createdAt: artifact.createdAt,
    })),
    plannedEpochs: run.plannedEpochs,
    epochTimesMs: epochTimes(store, run),
    bestCheckpointId: run.bestCheckpointId,
    lastCheckpointId: run.lastCheckpointId,
  };
}

/**
 * Each epoch's wall time, from the previous epoch's last recorded point to this epoch's last one.
 * The first epoch starts one average step before its first recorded step, so the trainer's
 * start-up (process, data loading, compilation) is not counted as training; the run's start time
 * is the fallback. Read-only over `metrics`.
 */
export function epochTimes(store: Store, run: RunRow): number[] {
  const epochs = store.db
    .prepare(
      'SELECT epoch, min(wall_time) AS first, max(wall_time) AS last, count(DISTINCT step) AS steps ' +
        "FROM metrics WHERE run_id = ? AND epoch IS NOT NULL AND split IN ('train', 'validation') " +
        'GROUP BY epoch ORDER BY epoch',
    )
    .all(run.id) as { epoch: number; first: number; last: number; steps: number }[];
  if (epochs.length === 0) return [];
  const head = epochs[0]!;
  const firstStep = store.db
    .prepare(
      "SELECT min(wall_time) AS first, max(wall_time) AS last, count(*) AS n FROM metrics WHERE run_id = ? AND split = 'train' AND name = 'batch_loss' AND epoch = ?",
    )
    .get(run.id, head.epoch) as { first: number | null; last: number | null; n: number };
  let previous = run.startedAt ?? head.first;
  if (firstStep.n >= 2 && firstStep.first !== null && firstStep.last !== null) {
    previous = firstStep.first - (firstStep.last - firstStep.first) / (firstStep.n - 1);
  }
  const times: number[] = [];
  for (const { last } of epochs) {
    times.push(Math.max(0, Math.round(last - previous)));
    previous = last;
  }
  return times;
}

function modelSummary(model: ModelRow): ModelSummary {
  const meta = model.meta ?? {};
  const task = meta.task === 'classification' || meta.task === 'regression' ? meta.task : null;
  const classNames =
    Array.isArray(meta.classNames) && meta.classNames.every((name) => typeof name === 'string')
      ? (meta.classNames as string[])
      : null;
  return {
    id: model.id,
    name: model.name,
    runId: model.runId,
    artifactId: model.artifactId,
    createdAt: model.createdAt,
    sizeBytes: model.sizeBytes,
    task,
    classNames,
  };
}

/** Run events in the contract's shapes; diagnostics stay host-side. */
export function toLabEvents(event: RunEvent): LabEvent[] {
  switch (event.type) {
    case 'progress':
      return [
        {
          type: 'runs:progress',
          runId: event.runId,
          epoch: event.epoch,
          epochs: event.epochs,
          step: event.step,
          stepsPerEpoch: event.stepsPerEpoch,
          metrics: event.metrics,
          samplesPerSecond: event.samplesPerSecond,
          etaSeconds: event.etaSeconds,
        },
      ];
    case 'health':
      return [
        {
          type: 'runs:health',
          runId: event.runId,
          epoch: event.epoch,
          layers: event.layers.map(({ layer, weightNorm, gradientNorm, updateRatio, deadFraction }) => ({
            layer,
            weightNorm,
            gradientNorm,
            updateRatio,
            deadFraction,
          })),
        },
      ];
    case 'status':
      return [
        { type: 'runs:status', runId: event.runId, status: event.status, error: event.error },
        { type: 'runs:changed', runId: event.runId },
      ];
    case 'created':
    case 'changed':
    case 'deleted':
    case 'checkpoint':
    case 'evaluation':
      return [{ type: 'runs:changed', runId: event.runId }];
    default:
      return [];
  }
}

/** The runs side's errors as LabErrors: a bad config names each bad option. */
export function fromRunsError(error: unknown): unknown {
  if (error instanceof RunConfigError) {
    const issues = error.issues.map((line) => {
      const at = line.indexOf(': ');
      return at > 0
        ? { path: line.slice(0, at), message: line.slice(at + 2) }
        : { path: '(config)', message: line };
    });
    return new LabError('bad-request', error.message, issues);
  }
  if (error instanceof RunNotFoundError) return new LabError('not-found', error.message);
  if (error instanceof ModelError || error instanceof DatasetImportError)
    return new LabError('bad-request', error.message);
  if (
    error instanceof RunStateError ||
    error instanceof RunOwnedElsewhereError ||
    error instanceof RunInUseError ||
    error instanceof ModelNameTakenError
  ) {
    return new LabError('conflict', error.message);
  }
  return error;
}
