// The training form: each hyperparameter with its default and a short explanation of what it does.

export type OptimizerName = 'adam' | 'adamw' | 'sgd' | 'rmsprop' | 'adagrad';
export type InitializerChoice = 'layer' | 'glorotUniform' | 'heNormal' | 'heUniform' | 'lecunNormal';
export type DeviceChoice = 'auto' | 'cpu' | 'gpu';

export interface Hyperparameters {
  name: string;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  /** Overrides the rate of every Dropout layer when set. */
  dropoutRate: number | null;
  initializer: InitializerChoice;
  weightDecay: number;
  earlyStoppingPatience: number;
  seed: number;
  device: DeviceChoice;
}

export function defaultHyperparameters(): Hyperparameters {
  return {
    name: '',
    epochs: 20,
    batchSize: 32,
    optimizer: 'adam',
    learningRate: 0.01,
    dropoutRate: null,
    initializer: 'layer',
    weightDecay: 0,
    earlyStoppingPatience: 0,
    seed: 42,
    device: 'auto',
  };
}

export const HELP: Record<keyof Hyperparameters, string> = {
  name: 'A label for the run history. Left empty, the lab names the run for you.',
  epochs:
    'One epoch is one full pass over the training rows. More epochs fit the data more closely, until the validation loss turns upward (overfitting).',
  batchSize:
    'How many rows each gradient step averages over. Small batches give noisy but frequent updates; large ones are smoother and faster per row on a GPU but need a larger learning rate.',
  optimizer:
    'How each step turns gradients into weight updates. Adam adapts a step size per weight and is a safe start; SGD is simpler and can generalise better with a tuned rate.',
  learningRate:
    'The size of each weight update. Too large and the loss jumps or diverges; too small and training crawls. Adam usually works between 0.0001 and 0.01.',
  dropoutRate:
    'The share of units a Dropout layer switches off at random in each training step, so the network cannot lean on any single unit. 0.1–0.5 fights overfitting; it does nothing at prediction time.',
  initializer:
    'How starting weights are drawn. He initialisation scales them by √(2 / inputs), which keeps ReLU activations from shrinking or exploding layer after layer; Glorot suits tanh and sigmoid.',
  weightDecay:
    'An L2 penalty pulling weights toward zero: a gentle regulariser against overfitting. 0 turns it off.',
  earlyStoppingPatience:
    'Stop when the validation loss has not improved for this many epochs, keeping the best weights. 0 trains every epoch.',
  seed: 'Seeds weight initialisation, shuffling and dropout: the same seed, config and data reproduce the same run.',
  device:
    'Where the run computes. Auto uses the GPU when an adapter exists and the model is large enough to gain from it.',
};

/** Problems with the form, by field: empty when it can be submitted. */
export function validateHyperparameters(h: Hyperparameters): Partial<Record<keyof Hyperparameters, string>> {
  const errors: Partial<Record<keyof Hyperparameters, string>> = {};
  if (!Number.isInteger(h.epochs) || h.epochs < 1 || h.epochs > 100_000)
    errors.epochs = 'A whole number from 1 to 100000.';
  if (!Number.isInteger(h.batchSize) || h.batchSize < 1 || h.batchSize > 65_536)
    errors.batchSize = 'A whole number from 1 to 65536.';
  if (!(h.learningRate > 0 && h.learningRate <= 10))
    errors.learningRate = 'A number above 0, at most 10 (try 0.001).';
  if (h.dropoutRate !== null && !(h.dropoutRate >= 0 && h.dropoutRate < 1))
    errors.dropoutRate = 'At least 0 and below 1.';
  if (!(h.weightDecay >= 0 && h.weightDecay < 1)) errors.weightDecay = 'At least 0 and below 1.';
  if (!Number.isInteger(h.earlyStoppingPatience) || h.earlyStoppingPatience < 0)
    errors.earlyStoppingPatience = 'A whole number, 0 or more.';
  if (!Number.isInteger(h.seed) || h.seed < 0 || h.seed > 2 ** 31 - 1)
    errors.seed = 'A whole number from 0 to 2147483647.';
  return errors;
}
