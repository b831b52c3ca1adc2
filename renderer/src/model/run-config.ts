// Turns the builder's layers and the training form into a run config (core/lab/runs/config.ts):
// Keras vocabulary, strict objects, so every key here must be one the host accepts.
import type { DatasetSummary } from '../../../core/lab/api/contract.js';
import type { LayerSpec } from './layers.js';
import type { Hyperparameters } from './hyperparameters.js';

export interface RunConfigInput {
  datasetId: string;
  layers: LayerSpec[];
  form: Hyperparameters;
  dataset: DatasetSummary | null;
}

export function buildRunConfig(input: RunConfigInput): Record<string, unknown> {
  const { form } = input;
  // AdamW decays weights itself; for the other optimizers weight decay is an L2 penalty on kernels.
  const l2 =
    form.weightDecay > 0 && form.optimizer !== 'adamw' ? { type: 'l2', alpha: form.weightDecay } : null;
  const layers = input.layers.map((layer): Record<string, unknown> => {
    if (layer.type === 'dropout' && form.dropoutRate !== null) return { ...layer, rate: form.dropoutRate };
    if (layer.type === 'dense' || layer.type === 'conv2d') {
      return {
        ...layer,
        ...(form.initializer !== 'layer' ? { kernelInitializer: form.initializer } : {}),
        ...(l2 ? { kernelRegularizer: l2 } : {}),
      };
    }
    return { ...layer };
  });
  const optimizer: Record<string, unknown> = { type: form.optimizer, learningRate: form.learningRate };
  if (form.optimizer === 'adamw' && form.weightDecay > 0) optimizer.weightDecay = form.weightDecay;
  return {
    ...(form.name.trim() ? { name: form.name.trim() } : {}),
    dataset: input.datasetId,
    model: { layers },
    training: {
      optimizer,
      epochs: form.epochs,
      batchSize: form.batchSize,
      ...(form.earlyStoppingPatience > 0 ? { earlyStopping: { patience: form.earlyStoppingPatience } } : {}),
    },
    seed: form.seed,
    device: form.device,
  };
}
