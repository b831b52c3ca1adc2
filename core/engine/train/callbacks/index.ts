export { EarlyStopping, earlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { TerminateOnNaN, terminateOnNaN } from './terminate-on-nan.js';
export {
  ReduceLROnPlateau,
  reduceLROnPlateau,
  type ReduceLROnPlateauOptions,
} from './reduce-lr-on-plateau.js';
export { onProgress } from './lambda.js';
export { resolveMode, improves, type MonitorMode } from './monitor.js';
export {
  ModelCheckpoint,
  modelCheckpoint,
  type ModelCheckpointOptions,
  type CheckpointInfo,
} from './model-checkpoint.js';
