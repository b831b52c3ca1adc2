/**
 * The layer API: layers, the sequential model, activations, initializers and regularizers.
 *
 * @example
 * import { Sequential } from './core/engine/nn/index.js';
 * const model = Sequential.fromSpec({ layers: [{ type: 'dense', units: 10 }], inputShape: [784] });
 */
export * from './layer.js';
export * from './sequential.js';
export * from './layers/core.js';
export * from './layers/normalization.js';
export * from './layers/convolution.js';
export * from './layers/embedding.js';
export * from './layers/recurrent.js';
export {
  activationNames,
  createActivation,
  parseActivation,
  type Activation,
  type ActivationSpec,
} from './activations.js';
export {
  computeFans,
  createInitializer,
  initialValue,
  initializerNames,
  parseInitializer,
  type Initializer,
  type InitializerSpec,
} from './initializers.js';
export {
  createRegularizer,
  parseRegularizer,
  regularizerNames,
  type Regularizer,
  type RegularizerSpec,
} from './regularizers.js';
export { SpecError, type JsonValue } from './options.js';
