/**
 * Layer types by their spec name. Built-in layers are registered here; `registerLayer` adds a
 * custom one so that specs (run configs, saved models) can name it too.
 */
import { Layer, type LayerSpec } from './layer.js';
import { SpecError } from './options.js';
import { ActivationLayer, Dense, Dropout, Flatten, Reshape } from './layers/core.js';
import { AveragePooling2D, Conv2D, GlobalAveragePooling2D, MaxPooling2D } from './layers/convolution.js';
import { Embedding } from './layers/embedding.js';
import { BatchNormalization, LayerNormalization } from './layers/normalization.js';
import { GRU, LSTM, SimpleRNN } from './layers/recurrent.js';

export type LayerFactory = (spec: LayerSpec) => Layer;

// Factories take the whole spec; each layer validates its own options (the spec's `type` is
// accepted and ignored by them).
/* eslint-disable @typescript-eslint/no-explicit-any */
const factories = new Map<string, LayerFactory>([
  ['dense', (spec) => new Dense(spec as any)],
  ['activation', (spec) => new ActivationLayer(spec as any)],
  ['flatten', (spec) => new Flatten(spec)],
  ['reshape', (spec) => new Reshape(spec as any)],
  ['dropout', (spec) => new Dropout(spec as any)],
  ['batchNormalization', (spec) => new BatchNormalization(spec as any)],
  ['layerNormalization', (spec) => new LayerNormalization(spec as any)],
  ['conv2d', (spec) => new Conv2D(spec as any)],
  ['maxPooling2d', (spec) => new MaxPooling2D(spec as any)],
  ['averagePooling2d', (spec) => new AveragePooling2D(spec as any)],
  ['globalAveragePooling2d', (spec) => new GlobalAveragePooling2D(spec as any)],
  ['embedding', (spec) => new Embedding(spec as any)],
  ['simpleRNN', (spec) => new SimpleRNN(spec as any)],
  ['lstm', (spec) => new LSTM(spec as any)],
  ['gru', (spec) => new GRU(spec as any)],
]);
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Makes `type` usable in specs. Registering a built-in type's name again throws; a custom
 * type may be re-registered (the new factory wins).
 * @example registerLayer('scale', (spec) => new Scale(spec))
 */
export function registerLayer(type: string, factory: LayerFactory): void {
  if (builtinTypes.has(type)) throw new Error(`registerLayer: "${type}" is a built-in layer type`);
  factories.set(type, factory);
}

const builtinTypes = new Set(factories.keys());

/** The layer types specs may use. */
export function layerTypes(): string[] {
  return [...factories.keys()];
}

/**
 * A layer from its JSON spec. An unknown type or option is refused with the valid ones listed.
 * @example layerFromSpec({ type: 'dense', units: 10, activation: 'softmax' })
 */
export function layerFromSpec(spec: LayerSpec): Layer {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new SpecError(`layer spec: expected an object {"type": ..., ...}, got ${JSON.stringify(spec)}`);
  }
  if (typeof spec.type !== 'string') {
    throw new SpecError(`layer spec: "type" is missing; valid types are ${layerTypes().join(', ')}`);
  }
  const factory = factories.get(spec.type);
  if (!factory) {
    throw new SpecError(
      `layer spec: unknown layer type "${spec.type}"; valid types are ${layerTypes().join(', ')}`,
    );
  }
  const layer = factory(spec);
  if (!(layer instanceof Layer))
    throw new Error(`layer spec: the factory for "${spec.type}" did not return a Layer`);
  return layer;
}
