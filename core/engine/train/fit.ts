/**
 * The training loop: `fit(model, x, y, options) → History`.
 *
 * Each epoch shuffles the row indices with a seeded generator and takes each batch's rows
 * with `gather(x, indices)`, so data uploaded once stays on the device. Each step runs in one
 * `tidy`: forward in training mode, loss (+ regularisation), gradients, one optimizer step.
 *
 * Reading the loss back: on a backend with synchronous reads (the CPU) each step's loss is
 * read at once and `onStepEnd` fires after every step. On an asynchronous backend (a GPU) the
 * step's loss — and, when metrics are asked for, its predictions and targets — are kept on
 * the device and read every `lossReadInterval` steps (and at each epoch's end), stacked so
 * that each kind is one read-back, so the device runs a few steps ahead of the host and no
 * step waits for the GPU; the step events for those steps then fire together, in order.
 *
 * Control: `signal` (an AbortSignal) or a callback's `ctx.stop()` end the run between steps;
 * `pause` is awaited before every step (the lab resolves it when the user resumes). The loop
 * yields to the event loop every `yieldIntervalMs` so cancel/pause messages get through.
 */
import type { Tensor } from '../tensor/tensor.js';
import { Random } from '../tensor/random.js';
import { dispose, tidy } from '../tensor/scope.js';
import { grad } from '../autodiff/grad.js';
import { add } from '../ops/elementwise.js';
import { gather } from '../ops/indexing.js';
import { detach } from '../ops/shape.js';
import { Optimizer } from '../optim/optimizer.js';
import { optimizerFromConfig, type OptimizerConfigInput } from '../optim/registry.js';
import type { LearningRateSchedule } from '../optim/schedules.js';
import type { LossFn } from '../nn/losses.js';
import {
  batchIndices,
  checkSamples,
  epochOrder,
  rowsAsTensor,
  splitValidation,
  stepsFor,
  takeRows,
  type Features,
} from './batches.js';
import { evaluateWith, resolveLoss, type LossSpec } from './evaluate.js';
import { deadReluFractions, healthRecords, layerParamIndices, measureStep } from './health.js';
import { readStacked, resolveMetrics, updateWith, type MetricSpec } from './metrics.js';
import { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
import type {
  Callback,
  EpochEvent,
  History,
  StepEvent,
  StopReason,
  TrainableModel,
  TrainingContext,
  TrainingParams,
} from './types.js';

export interface FitOptions {
  /** A loss function, a Keras name ('mse', 'sparse_categorical_crossentropy', …) or {name, fromLogits}. */
  loss: LossSpec;
  /** An optimizer, or a config for optimizerFromConfig (its slots are freed when fit returns). */
  optimizer: Optimizer | OptimizerConfigInput;
  /** The epoch to stop before. Defaults to 1. */
  epochs?: number;
  /** The epoch to start from (resuming). Defaults to 0. */
  initialEpoch?: number;
  /** Defaults to 32. */
  batchSize?: number;
  /** Shuffle the rows every epoch. Defaults to true. */
  shuffle?: boolean;
  /** Seeds the shuffling; defaults to a generator forked from the model's `random`. */
  seed?: number;
  /** The shuffling generator itself (wins over seed), e.g. restored from a checkpoint. */
  random?: Random;
  /** Hold out the last fraction of the rows (before shuffling) for validation. */
  validationSplit?: number;
  /** Validation data (wins over validationSplit); features as a tensor or ByteRows. */
  validationData?: readonly [Features, Tensor];
  /** Defaults to batchSize. */
  validationBatchSize?: number;
  /** Metric names (resolved by the metrics registry) or metric objects. */
  metrics?: readonly MetricSpec[];
  callbacks?: readonly Callback[];
  /** Sets the optimizer's learning rate before each epoch or step (by the schedule's unit). */
  schedule?: LearningRateSchedule;
  /** Aborting it cancels the run between steps (stop reason 'cancelled'). */
  signal?: AbortSignal;
  /** Awaited before every step: training pauses until it resolves. */
  pause?: () => void | Promise<void>;
  /** Record per-layer health each epoch. Defaults to true, with a 256-row sample. */
  health?: boolean | { sampleSize?: number };
  /** End the run as diverged on a NaN/Inf loss. Defaults to true. */
  terminateOnNaN?: boolean;
  /** Asynchronous backends: read step losses every this many steps. Defaults to 8. */
  lossReadInterval?: number;
  /** Yield to the event loop at least this often, in ms. Defaults to 50. */
  yieldIntervalMs?: number;
  /**
   * Recompute the running training metrics for step events every this many steps (and on each
   * epoch's last step); events in between repeat the last values. Some metrics (exact AUC)
   * cost O(n log n) per result. Defaults to 10.
   */
  stepMetricsInterval?: number;
}

interface PendingLoss {
  value: Tensor;
  /** The step's predictions and targets, kept for the metrics (null without metrics). */
  pred: Tensor | null;
  yb: Tensor | null;
  epoch: number;
  step: number;
  globalStep: number;
  count: number;
  learningRate: number;
}

/**
 * Trains `model` on (x, y).
 * @example
 * const history = await fit(model, x, y, {
 *   loss: 'sparse_categorical_crossentropy', optimizer: { type: 'adam', learningRate: 1e-3 },
 *   epochs: 10, batchSize: 64, validationSplit: 0.1, metrics: ['accuracy'],
 *   callbacks: [earlyStopping({ patience: 2, restoreBestWeights: true })],
 * });
 */
export async function fit(
  model: TrainableModel,
  x: Features,
  y: Tensor,
  options: FitOptions,
): Promise<History> {
  checkSamples('fit', x, y);
  const epochs = options.epochs ?? 1;
  const initialEpoch = options.initialEpoch ?? 0;
  const batchSize = options.batchSize ?? 32;
  checkWhole('epochs', epochs, 0);
  checkWhole('initialEpoch', initialEpoch, 0);
  checkWhole('batchSize', batchSize, 1);
  const loss: LossFn = resolveLoss(options.loss);
  const metrics = resolveMetrics(options.metrics);
  const ownOptimizer = !(options.optimizer instanceof Optimizer);
  const optimizer =
    options.optimizer instanceof Optimizer ? options.optimizer : optimizerFromConfig(options.optimizer);
  const random =
    options.random ?? (options.seed !== undefined ? new Random(options.seed) : model.random.fork());
  const shuffle = options.shuffle ?? true;
  const readInterval = Math.max(1, options.lossReadInterval ?? 8);
  const metricsInterval = Math.max(1, options.stepMetricsInterval ?? 10);
  const yieldInterval = options.yieldIntervalMs ?? 50;
  const healthOn = options.health !== false;
  const healthSampleSize = typeof options.health === 'object' ? (options.health.sampleSize ?? 256) : 256;

  // Views over the caller's tensors, disposed before returning.
  const owned: Features[] = [];
  let trainX = x;
  let trainY = y;
  let valX: Features | null = null;
  let valY: Tensor | null = null;
  if (options.validationData) {
    [valX, valY] = options.validationData;
    checkSamples('fit (validationData)', valX, valY);
  } else if (options.validationSplit !== undefined && options.validationSplit > 0) {
    const split = splitValidation(x, y, options.validationSplit);
    owned.push(split.x, split.y, split.valX, split.valY);
    ({ x: trainX, y: trainY, valX, valY } = split);
  }
  if (!model.built) model.build(x.shape.slice(1));

  const samples = trainX.shape[0]!;
  const stepsPerEpoch = stepsFor(samples, batchSize);
  const params = model.trainableWeights();
  if (params.length === 0) throw new Error('fit: the model has no trainable weights');
  const groups = layerParamIndices(model, params);
  const healthSample = healthOn ? rowsAsTensor(trainX, 0, Math.min(healthSampleSize, samples)) : null;
  if (healthSample) owned.push(healthSample);

  const callbacks: Callback[] = [...(options.callbacks ?? [])];
  if (options.terminateOnNaN !== false) callbacks.unshift(new TerminateOnNaN());

  const history: History = {
    epochs: [],
    history: {},
    stepLosses: [],
    stopReason: 'completed',
    stopMessage: null,
    restoredEpoch: null,
    wallTimeMs: 0,
  };
  let stopReason: Exclude<StopReason, 'completed'> | null = null;
  const trainingParams: TrainingParams = {
    epochs,
    initialEpoch,
    batchSize,
    stepsPerEpoch,
    samples,
    validationSamples: valX?.shape[0] ?? 0,
  };
  const ctx: TrainingContext = {
    model,
    optimizer,
    params: trainingParams,
    history,
    stop(reason, message) {
      if (stopReason) return;
      stopReason = reason;
      history.stopMessage = message ?? null;
    },
    get stopRequested() {
      return stopReason !== null;
    },
  };
  const emit = async <K extends keyof Callback>(hook: K, ...args: unknown[]): Promise<void> => {
    for (const cb of callbacks) {
      const fn = cb[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      if (fn) await fn.apply(cb, [...args, ctx]);
    }
  };

  const runStart = performance.now();
  let lastYield = runStart;
  let stepsDone = 0;
  const totalSteps = (epochs - initialEpoch) * stepsPerEpoch;
  const eta = () => {
    const perStep = stepsDone > 0 ? (performance.now() - runStart) / 1000 / stepsDone : 0;
    return perStep * Math.max(0, totalSteps - stepsDone);
  };
  let order: Int32Array | undefined;
  const pending: PendingLoss[] = [];

  try {
    await emit('onTrainBegin');
    for (let epoch = initialEpoch; epoch < epochs && !stopReason; epoch++) {
      if (options.schedule?.unit === 'epoch') optimizer.learningRate = options.schedule.at(epoch);
      await emit('onEpochBegin', epoch);
      order = epochOrder(samples, shuffle ? random : null, order);
      for (const m of metrics) m.reset();
      let lossSum = 0;
      let seen = 0;
      const stepMetrics: Record<string, number> = {};
      const epochStart = performance.now();
      let norms: Tensor | null = null;

      const flush = async (): Promise<void> => {
        const batch = pending.splice(0);
        try {
          const withMetrics = metrics.length > 0 && batch.length > 0;
          const [losses, preds, truths] = await Promise.all([
            readStacked(batch.map((p) => p.value)),
            withMetrics ? readStacked(batch.map((p) => p.pred!)) : null,
            withMetrics ? readStacked(batch.map((p) => p.yb!)) : null,
          ]);
          for (const [i, p] of batch.entries()) {
            const value = losses[i]!.data[0]!;
            if (preds && truths) updateWith(metrics, truths[i]!, preds[i]!);
            history.stepLosses.push(value);
            lossSum += value * p.count;
            seen += p.count;
            if (p.step % metricsInterval === 0 || p.step === stepsPerEpoch - 1) {
              for (const m of metrics) stepMetrics[m.name] = m.result();
            }
            const logs: Record<string, number> = { loss: lossSum / seen, ...stepMetrics };
            const elapsed = (performance.now() - epochStart) / 1000;
            const event: StepEvent = {
              epoch: p.epoch,
              step: p.step,
              stepsPerEpoch,
              globalStep: p.globalStep,
              batchSize: p.count,
              loss: value,
              logs,
              learningRate: p.learningRate,
              samplesPerSecond: elapsed > 0 ? seen / elapsed : 0,
              etaSeconds: eta(),
            };
            await emit('onStepEnd', event);
          }
        } finally {
          dispose(batch.map((p) => [p.value, p.pred, p.yb]));
        }
      };

      try {
        for (let step = 0; step < stepsPerEpoch && !stopReason; step++) {
          if (options.signal?.aborted) ctx.stop('cancelled', 'training was cancelled');
          else if (options.pause) {
            await options.pause();
            if (options.signal?.aborted) ctx.stop('cancelled', 'training was cancelled');
          }
          if (stopReason) break;
          if (performance.now() - lastYield > yieldInterval) {
            await yieldToEventLoop();
            lastYield = performance.now();
          }
          if (options.schedule?.unit === 'step')
            optimizer.learningRate = options.schedule.at(optimizer.iterations + 1);
          const measureHealth = healthOn && step === stepsPerEpoch - 1;
          const result = tidy(() => {
            const indices = batchIndices(order!, step, batchSize);
            const xb = takeRows(trainX, indices);
            const yb = gather(trainY, indices);
            const pred = model.apply(xb, { training: true });
            let total = loss(yb, pred);
            const regularization = model.regularizationLoss();
            if (regularization) total = add(total, regularization);
            const grads = grad(total, params);
            const finish = measureHealth ? measureStep(groups, params, grads) : null;
            optimizer.applyGradients(grads.map((g, i) => ({ grad: g, param: params[i]! })));
            return {
              value: detach(total),
              pred: detach(pred),
              yb: detach(yb),
              norms: finish ? finish() : null,
              count: indices.size,
            };
          });
          // One submission per step: the device runs this step while the host records the next.
          result.value.backend.flush();
          stepsDone++;
          if (result.norms) norms = result.norms;
          if (metrics.length === 0) dispose([result.pred, result.yb]);
          pending.push({
            value: result.value,
            pred: metrics.length > 0 ? result.pred : null,
            yb: metrics.length > 0 ? result.yb : null,
            epoch,
            step,
            globalStep: optimizer.iterations,
            count: result.count,
            learningRate: optimizer.learningRate,
          });
          if (result.value.backend.readSync || pending.length >= readInterval || step === stepsPerEpoch - 1) {
            await flush();
          }
        }
        await flush();
        // A run cancelled or diverged mid-epoch leaves no record of the unfinished epoch.
        if (stopReason && seen < samples) break;

        const logs: Record<string, number> = { loss: lossSum / seen };
        for (const m of metrics) logs[m.name] = m.result();
        if (valX && valY) {
          const val = await evaluateWith(
            model,
            valX,
            valY,
            loss,
            metrics,
            options.validationBatchSize ?? batchSize,
          );
          logs.val_loss = val.loss;
          for (const [name, value] of Object.entries(val.metrics)) logs[`val_${name}`] = value;
        }
        let health = null;
        if (healthOn) {
          const normValues = norms ? ((await norms.data()) as Float32Array) : null;
          const deadTensor = deadReluFractions(model, healthSample!);
          const dead = (await deadTensor.data()) as Float32Array;
          deadTensor.dispose();
          health = healthRecords(model, normValues, dead);
        }
        const durationMs = performance.now() - epochStart;
        const event: EpochEvent = {
          epoch,
          logs,
          learningRate: optimizer.learningRate,
          durationMs,
          samplesPerSecond: seen / (durationMs / 1000),
          etaSeconds: eta(),
          health,
        };
        history.epochs.push(event);
        for (const [name, value] of Object.entries(logs)) (history.history[name] ??= []).push(value);
        await emit('onEpochEnd', event);
      } finally {
        norms?.dispose();
      }
    }
    history.stopReason = stopReason ?? 'completed';
    history.wallTimeMs = performance.now() - runStart;
    await emit('onTrainEnd', history);
    return history;
  } finally {
    dispose(pending.map((p) => [p.value, p.pred, p.yb]));
    dispose(owned);
    if (ownOptimizer) optimizer.dispose();
  }
}

function checkWhole(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min)
    throw new Error(`fit: ${name} must be a whole number ≥ ${min}, got ${value}`);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}
