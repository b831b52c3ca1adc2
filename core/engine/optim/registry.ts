/**
 * Optimizers by name, from JSON configs (run configs, checkpoints, sweeps). Unknown types and
 * unknown options are refused with the list of what is valid.
 */
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { Rmsprop } from './rmsprop.js';
import { Sgd } from './sgd.js';

const clippingOptions = ['clipValue', 'clipNorm', 'globalClipNorm'];

const optimizers: Record<string, { options: string[]; make: (o: Record<string, unknown>) => Optimizer }> = {
  sgd: { options: ['momentum', 'nesterov'], make: (o) => new Sgd(o) },
  adagrad: { options: ['initialAccumulatorValue', 'epsilon'], make: (o) => new Adagrad(o) },
  rmsprop: { options: ['rho', 'momentum', 'epsilon', 'centered'], make: (o) => new Rmsprop(o) },
  adam: { options: ['beta1', 'beta2', 'epsilon'], make: (o) => new Adam(o) },
  adamw: { options: ['beta1', 'beta2', 'epsilon', 'weightDecay'], make: (o) => new AdamW(o) },
};

/** The optimizer type names `optimizerFromConfig` accepts. */
export const optimizerTypes: readonly string[] = Object.keys(optimizers);

export interface OptimizerConfigInput {
  type: string;
  learningRate?: number;
  [option: string]: unknown;
}

/**
 * An optimizer from `{ type, learningRate, ...options }`. The type is case-insensitive.
 * @example optimizerFromConfig({ type: 'adam', learningRate: 1e-3, globalClipNorm: 1 })
 */
export function optimizerFromConfig(config: OptimizerConfigInput): Optimizer {
  const type = String(config.type ?? '').toLowerCase();
  const entry = optimizers[type];
  if (!entry) {
    throw new Error(
      `unknown optimizer type '${String(config.type)}'; valid types: ${optimizerTypes.join(', ')}`,
    );
  }
  const allowed = ['type', 'learningRate', ...entry.options, ...clippingOptions];
  for (const [key, value] of Object.entries(config)) {
    if (!allowed.includes(key)) {
      throw new Error(
        `optimizer '${type}': unknown option '${key}'; valid options: ${allowed.filter((k) => k !== 'type').join(', ')}`,
      );
    }
    if (
      key !== 'type' &&
      key !== 'nesterov' &&
      key !== 'centered' &&
      value !== undefined &&
      typeof value !== 'number'
    ) {
      throw new Error(`optimizer '${type}': option '${key}' must be a number, got ${JSON.stringify(value)}`);
    }
    if ((key === 'nesterov' || key === 'centered') && typeof value !== 'boolean') {
      throw new Error(
        `optimizer '${type}': option '${key}' must be true or false, got ${JSON.stringify(value)}`,
      );
    }
  }
  const { type: _type, ...options } = config;
  return entry.make(options);
}
