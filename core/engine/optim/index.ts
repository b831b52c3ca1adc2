/** Optimizers, gradient clipping and learning-rate schedules. */
export { Optimizer } from './optimizer.js';
export type {
  GradientPair,
  OptimizerOptions,
  OptimizerConfig,
  OptimizerState,
  SlotState,
} from './optimizer.js';
export { Sgd, sgd, type SgdOptions } from './sgd.js';
export { Adagrad, adagrad, type AdagradOptions } from './adagrad.js';
export { Rmsprop, rmsprop, type RmspropOptions } from './rmsprop.js';
export { Adam, AdamW, adam, adamw, type AdamOptions, type AdamWOptions } from './adam.js';
export {
  clipByValue,
  clipByNorm,
  clipByGlobalNorm,
  clipGradients,
  globalNorm,
  l2Norm,
  type ClippingOptions,
} from './clipping.js';
export {
  exponentialDecay,
  stepDecay,
  cosineDecay,
  constantSchedule,
  scheduleFromConfig,
  type LearningRateSchedule,
  type ScheduleConfig,
  type ExponentialDecayOptions,
  type StepDecayOptions,
  type CosineDecayOptions,
} from './schedules.js';
export { optimizerFromConfig, optimizerTypes, type OptimizerConfigInput } from './registry.js';
