/**
 * The training loop's vocabulary: the model interface `fit` needs, callbacks and the events
 * they receive, per-layer health, and the history a run leaves behind.
 */
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Optimizer } from '../optim/optimizer.js';

/** A weight as layers expose it. */
export interface NamedWeight {
  name: string;
  value: Tensor;
  trainable: boolean;
}

/** What the loop needs of a layer (nn/layer.ts's Layer satisfies it). */
export interface TrainableLayer {
  readonly name: string;
  readonly type: string;
  readonly weights: readonly NamedWeight[];
  readonly activationName?: string;
}

export interface ApplyOptions {
  training: boolean;
  /** Called with each layer's output as the forward pass runs (health probes). */
  onLayerOutput?: (layer: TrainableLayer, output: Tensor) => void;
}

/** What the loop needs of a model (nn/sequential.ts's Sequential satisfies it). */
export interface TrainableModel {
  readonly layers: readonly TrainableLayer[];
  readonly built: boolean;
  build(inputShape: readonly number[]): void;
  apply(x: Tensor, options: ApplyOptions): Tensor;
  trainableWeights(): Tensor[];
  namedWeights(): NamedWeight[];
  getWeightValues(): Promise<Map<string, Float32Array>>;
  setWeightValues(values: Map<string, Float32Array>): void;
  regularizationLoss(): Tensor | null;
  toSpec(): unknown;
  readonly random: Random;
}

export type StopReason = 'completed' | 'earlyStopping' | 'diverged' | 'cancelled';

/** Per-layer training health, measured on the last step of each epoch. */
export interface LayerHealth {
  layer: string;
  type: string;
  /** ‖W‖₂ over the layer's trainable weights (null for a layer without any). */
  weightNorm: number | null;
  /** ‖∇W‖₂ over the same weights, on the epoch's last step. */
  gradientNorm: number | null;
  /** ‖ΔW‖ / ‖W‖ of the epoch's last update: ~1e-3 is healthy, far below is stalled, far above unstable. */
  updateRatio: number | null;
  /** For ReLU layers: the fraction of units (last-axis channels) never positive on the health batch. */
  deadReluFraction: number | null;
}

export interface StepEvent {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step within the epoch. */
  step: number;
  stepsPerEpoch: number;
  /** 1-based count of steps in this run (the optimizer's iteration count on resume). */
  globalStep: number;
  batchSize: number;
  /** This step's loss (regularisation included). */
  loss: number;
  /** Running means over the epoch so far: `loss` and each training metric. */
  logs: Record<string, number>;
  learningRate: number;
  samplesPerSecond: number;
  /** Estimated seconds until the run's last epoch ends. */
  etaSeconds: number;
}

export interface EpochEvent {
  epoch: number;
  /** `loss`, metrics, and with validation `val_loss`, `val_<metric>` (Keras names). */
  logs: Record<string, number>;
  learningRate: number;
  durationMs: number;
  samplesPerSecond: number;
  etaSeconds: number;
  health: LayerHealth[] | null;
}

/** One finished epoch as kept in History (the event fit sent). */
export type EpochRecord = EpochEvent;

export interface History {
  epochs: EpochRecord[];
  /** Keras's shape: one series per log name (`loss`, `val_loss`, `accuracy`, …). */
  history: Record<string, number[]>;
  /** Every step's loss, in order. */
  stepLosses: number[];
  stopReason: StopReason;
  /** Why the run stopped early, naming the step for a divergence. */
  stopMessage: string | null;
  /** The epoch whose weights were restored at the end (early stopping), else null. */
  restoredEpoch: number | null;
  wallTimeMs: number;
}

export interface TrainingParams {
  epochs: number;
  initialEpoch: number;
  batchSize: number;
  stepsPerEpoch: number;
  samples: number;
  validationSamples: number;
}

/** What callbacks can see and do during `fit`. */
export interface TrainingContext {
  readonly model: TrainableModel;
  readonly optimizer: Optimizer;
  readonly params: TrainingParams;
  readonly history: History;
  /** Ends the run after the current step with this reason (and a message for the record). */
  stop(reason: Exclude<StopReason, 'completed'>, message?: string): void;
  readonly stopRequested: boolean;
}

/**
 * A training callback; every hook is optional and may be async (fit awaits it).
 * Hooks run in the order the callbacks were given.
 */
export interface Callback {
  onTrainBegin?(ctx: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void | Promise<void>;
  onStepEnd?(event: StepEvent, ctx: TrainingContext): void | Promise<void>;
  onEpochEnd?(event: EpochEvent, ctx: TrainingContext): void | Promise<void>;
  onTrainEnd?(history: History, ctx: TrainingContext): void | Promise<void>;
}
