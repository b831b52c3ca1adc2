/** The training loop, inference, callbacks and per-layer health. */
export { fit, type FitOptions } from './fit.js';
export {
  evaluate,
  resolveLoss,
  type EvaluateOptions,
  type EvaluateResult,
  type LossSpec,
} from './evaluate.js';
export { predict, type PredictOptions } from './predict.js';
export { epochOrder, splitValidation, type Features } from './batches.js';
export { ByteRows, type ByteRowsOptions } from './byte-rows.js';
export { resolveMetrics, type MetricSpec } from './metrics.js';
export * from './callbacks/index.js';
export type {
  Callback,
  EpochEvent,
  EpochRecord,
  History,
  LayerHealth,
  NamedWeight,
  StepEvent,
  StopReason,
  TrainableLayer,
  TrainableModel,
  TrainingContext,
  TrainingParams,
} from './types.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  restoreCheckpoint,
  modelFromCheckpoint,
  CheckpointError,
  CHECKPOINT_MAGIC,
  CHECKPOINT_VERSION,
  type Checkpoint,
  type CheckpointHeader,
  type SaveCheckpointOptions,
} from './checkpoint.js';
export { crc32 } from './crc32.js';
