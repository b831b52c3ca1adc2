/**
 * Learning-rate schedules: pure functions of the epoch (0-based) or the step (1-based
 * optimizer iteration) that give the learning rate to use. `fit` applies one given in its
 * `schedule` option before each epoch or step. reduceLROnPlateau, which reacts to a metric,
 * is a callback (train/callbacks/reduce-lr-on-plateau.ts).
 */

export interface LearningRateSchedule {
  /** Whether `at` takes the epoch index (from 0) or the step number (from 1). */
  readonly unit: 'epoch' | 'step';
  /** The learning rate at epoch/step `t`. */
  at(t: number): number;
  /** A JSON description, for run records and `scheduleFromConfig`. */
  toConfig(): ScheduleConfig;
}

export type ScheduleConfig =
  | ({ type: 'exponentialDecay' } & ExponentialDecayOptions)
  | ({ type: 'stepDecay' } & StepDecayOptions)
  | ({ type: 'cosineDecay' } & CosineDecayOptions)
  | ({ type: 'constant' } & { learningRate: number });

export interface ExponentialDecayOptions {
  initialLearningRate: number;
  /** The factor per `decayEvery` epochs, e.g. 0.98. */
  decayRate: number;
  /** Defaults to 1 (decay every epoch). */
  decayEvery?: number;
  /** Decay in whole steps of `decayEvery` (lr constant in between). Defaults to false. */
  staircase?: boolean;
}

/**
 * lr(e) = initial · decayRate^(e / decayEvery), per epoch.
 * @example exponentialDecay({ initialLearningRate: 0.01, decayRate: 0.98 }) // ×0.98 an epoch
 */
export function exponentialDecay(options: ExponentialDecayOptions): LearningRateSchedule {
  const every = options.decayEvery ?? 1;
  if (!(options.decayRate > 0))
    throw new Error(`exponentialDecay: decayRate must be positive, got ${options.decayRate}`);
  if (!(every > 0)) throw new Error(`exponentialDecay: decayEvery must be positive, got ${every}`);
  return {
    unit: 'epoch',
    at: (epoch) => {
      const p = epoch / every;
      return options.initialLearningRate * options.decayRate ** (options.staircase ? Math.floor(p) : p);
    },
    toConfig: () => ({ type: 'exponentialDecay', ...options }),
  };
}

export interface StepDecayOptions {
  initialLearningRate: number;
  /** Multiply by `factor` every `stepSize` epochs. */
  stepSize: number;
  /** Defaults to 0.1. */
  factor?: number;
}

/** lr(e) = initial · factor^⌊e / stepSize⌋ (PyTorch's StepLR), per epoch. */
export function stepDecay(options: StepDecayOptions): LearningRateSchedule {
  const factor = options.factor ?? 0.1;
  if (!(options.stepSize >= 1)) throw new Error(`stepDecay: stepSize must be ≥ 1, got ${options.stepSize}`);
  return {
    unit: 'epoch',
    at: (epoch) => options.initialLearningRate * factor ** Math.floor(epoch / options.stepSize),
    toConfig: () => ({ type: 'stepDecay', ...options }),
  };
}

export interface CosineDecayOptions {
  /** The rate at the start of the decay (after warm-up). */
  initialLearningRate: number;
  /** Steps of the cosine decay after warm-up. */
  decaySteps: number;
  /** Steps of linear warm-up from `warmupStart` to initialLearningRate. Defaults to 0. */
  warmupSteps?: number;
  /** The rate the warm-up starts from. Defaults to 0. */
  warmupStart?: number;
  /** The final rate as a fraction of initialLearningRate. Defaults to 0. */
  alpha?: number;
}

/**
 * Linear warm-up, then a half cosine (Loshchilov & Hutter's SGDR without restarts), per step:
 * for s ≤ W: lr = start + (initial − start)·s/W;
 * after: lr = initial·(α + (1−α)·½(1 + cos(π·min(s−W, D)/D))).
 */
export function cosineDecay(options: CosineDecayOptions): LearningRateSchedule {
  const warmup = options.warmupSteps ?? 0;
  const start = options.warmupStart ?? 0;
  const alpha = options.alpha ?? 0;
  if (!(options.decaySteps > 0))
    throw new Error(`cosineDecay: decaySteps must be positive, got ${options.decaySteps}`);
  return {
    unit: 'step',
    at: (step) => {
      if (warmup > 0 && step <= warmup)
        return start + ((options.initialLearningRate - start) * step) / warmup;
      const progress = Math.min(step - warmup, options.decaySteps) / options.decaySteps;
      return options.initialLearningRate * (alpha + (1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    },
    toConfig: () => ({ type: 'cosineDecay', ...options }),
  };
}

export function constantSchedule(learningRate: number): LearningRateSchedule {
  return { unit: 'epoch', at: () => learningRate, toConfig: () => ({ type: 'constant', learningRate }) };
}

/** A schedule from its JSON description. */
export function scheduleFromConfig(config: ScheduleConfig): LearningRateSchedule {
  switch (config.type) {
    case 'exponentialDecay':
      return exponentialDecay(config);
    case 'stepDecay':
      return stepDecay(config);
    case 'cosineDecay':
      return cosineDecay(config);
    case 'constant':
      return constantSchedule(config.learningRate);
    default:
      throw new Error(
        `unknown schedule type '${(config as { type: string }).type}'; valid types: exponentialDecay, stepDecay, cosineDecay, constant`,
      );
  }
}
