// One training job, inside a trainer process: load the dataset, fit preprocessing on the run's
// training rows, build the model from its spec, run `fit`, and report everything as protocol
// messages. Checkpoints are written here (the trainer holds the weights), atomically.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetSchema } from '../datasets/index.js';
import { Random, setBackend } from '../../engine/index.js';
import { Sequential, type ModelSpec } from '../../engine/nn/index.js';
import { optimizerFromConfig, scheduleFromConfig, type ScheduleConfig } from '../../engine/optim/index.js';
import {
  ByteRows,
  earlyStopping,
  evaluate,
  fit,
  loadCheckpoint,
  resolveMode,
  restoreCheckpoint,
  saveCheckpoint,
  type Callback,
  type EpochEvent,
  type StepEvent,
} from '../../engine/train/index.js';
import { optimizerConfig, type RunConfig } from './config.js';
import { resolveDevice } from './device.js';
import { evaluateClassifier } from './evaluation.js';
import {
  augmentationCallback,
  prepareData,
  toDevice,
  usesByteRows,
  type PreparedData,
} from './train-data.js';
import type { HostMessage, TrainerMessage } from './protocol.js';

export type JobMessage = Extract<HostMessage, { type: 'job' }>;

export interface TrainJobIo {
  send(message: TrainerMessage): void;
  /** Aborted when the host cancels. */
  signal: AbortSignal;
  /** Awaited between steps: resolves at once unless the host paused the run. */
  pause(): Promise<void>;
}

/** What a checkpoint carries besides weights, so a saved model predicts like the run did. */
export interface CheckpointExtra {
  runId: string;
  step: number;
  task: 'classification' | 'regression';
  /** The dataset schema with this run's fitted scaling: a Preprocessor for new inputs. */
  schema: DatasetSchema;
  monitor: string;
  monitorValue: number | null;
}

const PROGRESS_INTERVAL_MS = 100;

/** Writes bytes under `folder` as `<sha256>.ckpt`: temp name, fsync, rename. Returns the relative path and hash. */
export async function writeCheckpointFile(
  dataDir: string,
  folder: string,
  bytes: Uint8Array,
): Promise<{ file: string; sha256: string }> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const relative = join(folder, `${sha256}.ckpt`);
  const target = join(dataDir, relative);
  await mkdir(join(dataDir, folder), { recursive: true });
  const temp = join(dataDir, folder, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { file: relative, sha256 };
}

function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** Keras log names → (split, name): `val_accuracy` → validation/accuracy. */
function splitName(logName: string): { split: string; name: string } {
  return logName.startsWith('val_')
    ? { split: 'validation', name: logName.slice(4) }
    : { split: 'train', name: logName };
}

/** Runs the job to its end and reports it. Never throws: failures become a `failed` message. */
export async function runTrainJob(job: JobMessage, io: TrainJobIo): Promise<void> {
  const owned: { dispose(): void }[] = [];
  let model: Sequential | null = null;
  let optimizer: ReturnType<typeof optimizerFromConfig> | null = null;
  let gpu: { destroy(): void } | null = null;
  try {
    const config = job.config as unknown as RunConfig;
    const data = await prepareData(job.dataDir, job.datasetId, job.seed, config);
    const { schema } = data;
    const task = config.task ?? schema.task;

    model = Sequential.fromSpec(
      { ...(config.model as unknown as ModelSpec), inputShape: schema.featureShape },
      { seed: job.seed },
    );
    const parameters = model.countParams();
    const resolved = await resolveDevice(job.device, parameters);
    if (resolved.backend) {
      // Weights were created on the default CPU backend; rebuild them on the chosen one.
      setBackend(resolved.backend);
      gpu = resolved.backend;
      model.dispose();
      model = Sequential.fromSpec(
        { ...(config.model as unknown as ModelSpec), inputShape: schema.featureShape },
        { seed: job.seed },
      );
    }
    const asBytes = usesByteRows(data, config);
    const [trainX, trainY] = toDevice(data.train, schema, data.labelWidth, asBytes);
    owned.push(trainX, trainY);
    const validation = data.validation ? toDevice(data.validation, schema, data.labelWidth, asBytes) : null;
    if (validation) owned.push(...validation);

    optimizer = optimizerFromConfig(optimizerConfig(config));
    const shuffleRandom = new Random(job.seed ^ 0x51f7);
    let initialEpoch = 0;
    let bestMonitorValue: number | null = null;
    if (job.resume) {
      const checkpoint = loadCheckpoint(
        new Uint8Array(await readFile(join(job.dataDir, job.resume.checkpointFile))),
      );
      restoreCheckpoint(checkpoint, { model, optimizer, random: shuffleRandom });
      initialEpoch = checkpoint.epoch;
      bestMonitorValue = job.resume.bestMonitorValue;
    }
    const epochs = config.training.epochs;
    const stepsPerEpoch = Math.ceil(data.train.rows / config.training.batchSize);
    io.send({
      type: 'started',
      device: resolved.device,
      backend: resolved.backendName,
      adapter: resolved.adapter,
      datasetContentHash: schema.contentHash,
      epochs,
      initialEpoch,
      stepsPerEpoch,
      parameters,
    });
    io.send({ type: 'diagnostic', level: 'info', message: resolved.reason });
    if (asBytes) {
      io.send({
        type: 'diagnostic',
        level: 'info',
        message: `${data.train.rows} training rows kept as uint8 on the ${resolved.backendName} backend (${(data.train.bytes!.data.length / 2 ** 20).toFixed(1)} MiB, a quarter of float32), scaled per batch as they are gathered`,
      });
    }

    const monitor = config.training.checkpoint.monitor ?? (validation ? 'val_loss' : 'loss');
    const mode = resolveMode(monitor, config.training.checkpoint.mode);
    let points: TrainerMessage & { type: 'progress' } = emptyProgress(initialEpoch);
    let lastSent = 0;
    const sendProgress = () => {
      if (points.points.length === 0 && !points.health) return;
      io.send(points);
      points = emptyProgress(points.epoch);
      lastSent = performance.now();
    };

    const reporter: Callback = {
      onStepEnd(event: StepEvent) {
        points.epoch = event.epoch;
        points.step = event.globalStep;
        points.samplesPerSecond = finite(event.samplesPerSecond);
        points.etaSeconds = finite(event.etaSeconds);
        points.points.push({
          split: 'train',
          name: 'batch_loss',
          step: event.globalStep,
          epoch: event.epoch,
          value: finite(event.loss),
          wallTime: Date.now(),
        });
        if (performance.now() - lastSent >= PROGRESS_INTERVAL_MS) sendProgress();
      },
      async onEpochEnd(event: EpochEvent) {
        const step = optimizer!.iterations;
        const wallTime = Date.now();
        points.epoch = event.epoch;
        points.step = step;
        for (const [logName, value] of Object.entries(event.logs)) {
          points.points.push({
            ...splitName(logName),
            step,
            epoch: event.epoch,
            value: finite(value),
            wallTime,
          });
        }
        points.points.push({
          split: 'train',
          name: 'learning_rate',
          step,
          epoch: event.epoch,
          value: finite(event.learningRate),
          wallTime,
        });
        if (event.health) {
          points.health = event.health.map((layer) => ({
            epoch: event.epoch,
            layer: layer.layer,
            weightNorm: finite(layer.weightNorm ?? undefined),
            gradientNorm: finite(layer.gradientNorm ?? undefined),
            updateRatio: finite(layer.updateRatio ?? undefined),
            deadFraction: finite(layer.deadReluFraction ?? undefined),
          }));
        }
        sendProgress();
        if (io.signal.aborted) return;
        const monitorValue = finite(event.logs[monitor]);
        const best =
          monitorValue !== null &&
          (bestMonitorValue === null ||
            (mode === 'min' ? monitorValue < bestMonitorValue : monitorValue > bestMonitorValue));
        if (best) bestMonitorValue = monitorValue;
        const extra: CheckpointExtra = { runId: job.runId, step, task, schema, monitor, monitorValue };
        const bytes = await saveCheckpoint({
          model: model!,
          optimizer,
          epoch: event.epoch + 1,
          random: shuffleRandom,
          extra,
        });
        const { file, sha256 } = await writeCheckpointFile(
          job.dataDir,
          join(job.runFolder, 'checkpoints'),
          bytes,
        );
        io.send({
          type: 'checkpoint',
          file,
          sizeBytes: bytes.byteLength,
          sha256,
          epoch: event.epoch + 1,
          step,
          monitorValue,
          best,
        });
      },
    };

    const callbacks: Callback[] = [reporter];
    const early = config.training.earlyStopping;
    if (early) {
      callbacks.unshift(
        earlyStopping({
          monitor: early.monitor ?? (validation ? 'val_loss' : 'loss'),
          patience: early.patience,
          minDelta: early.minDelta,
          mode: early.mode,
          restoreBestWeights: early.restoreBestWeights,
        }),
      );
    }
    if (config.training.augmentation && !(trainX instanceof ByteRows)) {
      callbacks.unshift(augmentationCallback(config, job.seed, data.train.x, schema, trainX));
    }

    const history = await fit(model, trainX, trainY, {
      loss: config.training.loss ?? 'sparseCategoricalCrossentropy',
      optimizer,
      epochs,
      initialEpoch,
      batchSize: config.training.batchSize,
      shuffle: config.training.shuffle,
      random: shuffleRandom,
      ...(validation ? { validationData: validation } : {}),
      metrics: config.training.metrics ?? [],
      callbacks,
      ...(config.training.schedule
        ? { schedule: scheduleFromConfig(config.training.schedule as ScheduleConfig) }
        : {}),
      signal: io.signal,
      pause: io.pause,
      health: config.training.health,
      terminateOnNaN: config.training.terminateOnNaN,
    });
    sendProgress();

    if (history.stopReason === 'cancelled' || io.signal.aborted) {
      io.send({ type: 'finished', outcome: 'cancelled', message: history.stopMessage });
      return;
    }
    if (history.stopReason === 'diverged') {
      io.send({
        type: 'finished',
        outcome: 'diverged',
        message: history.stopMessage ?? 'the loss became NaN or infinite',
      });
      return;
    }
    if (data.test) {
      const [testX, testY] = toDevice(data.test, schema, data.labelWidth, asBytes);
      owned.push(testX, testY);
      const result = await evaluate(model, testX, testY, {
        loss: config.training.loss ?? 'sparseCategoricalCrossentropy',
        metrics: config.training.metrics ?? [],
        batchSize: config.training.batchSize,
      });
      const step = optimizer.iterations;
      const epoch = Math.max(0, history.epochs.at(-1)?.epoch ?? initialEpoch - 1);
      const wallTime = Date.now();
      const testPoints = [{ split: 'test', name: 'loss', step, epoch, value: finite(result.loss), wallTime }];
      for (const [name, value] of Object.entries(result.metrics)) {
        testPoints.push({ split: 'test', name, step, epoch, value: finite(value), wallTime });
      }
      io.send({ ...emptyProgress(epoch), step, points: testPoints });
    }
    if (task === 'classification') {
      const lastEpoch = history.epochs.at(-1)?.epoch ?? (initialEpoch > 0 ? initialEpoch - 1 : null);
      await sendEvaluation(io, model, data, config.training.batchSize, lastEpoch);
    }
    io.send({ type: 'finished', outcome: 'completed', message: history.stopMessage });
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    io.send({ type: 'failed', error: err.message, stack: err.stack ?? null });
  } finally {
    for (const value of owned) value.dispose();
    optimizer?.dispose();
    model?.dispose();
    // Releases the device so the process can exit.
    gpu?.destroy();
  }
}

/**
 * The final evaluation on the test split (else validation), sent as one message. A failure here
 * costs the run its evaluation, not its outcome: it becomes a warning.
 */
async function sendEvaluation(
  io: TrainJobIo,
  model: Sequential,
  data: PreparedData,
  batchSize: number,
  epoch: number | null,
): Promise<void> {
  const split = data.test ? 'test' : data.validation ? 'validation' : null;
  if (!split) return;
  try {
    const report = await evaluateClassifier(
      model,
      split,
      data[split]!,
      data.schema.featureShape,
      data.schema.target.classNames,
      batchSize,
    );
    io.send({ type: 'evaluation', split, epoch, report: { ...report } });
  } catch (error) {
    io.send({
      type: 'diagnostic',
      level: 'warning',
      message: `the final evaluation on the ${split} split failed: ${(error as Error).message}`,
    });
  }
}

function emptyProgress(epoch: number): TrainerMessage & { type: 'progress' } {
  return { type: 'progress', epoch, step: 0, points: [], samplesPerSecond: null, etaSeconds: null };
}
