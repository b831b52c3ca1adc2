/**
 * Activation functions by name, as layers' `activation` option spells them:
 * linear, step, sigmoid, tanh, relu, leakyRelu (alpha, default 0.2), elu (alpha, default 1),
 * selu, softplus, softmax (over the last axis).
 *
 * @example { "activation": "relu" } or { "activation": { "type": "leakyRelu", "alpha": 0.1 } }
 */
import { elu, leakyRelu, relu, selu, sigmoid, softplus, step, tanh } from '../ops/elementwise.js';
import { reshape } from '../ops/shape.js';
import { softmax } from '../ops/softmax.js';
import type { Tensor } from '../tensor/tensor.js';
import { anyNumber, optional, readOptions, typedSpec, SpecError, type OptionTable } from './options.js';

export type ActivationSpec = string | { type: string; alpha: number };

export interface Activation {
  /** The activation's name ('relu', 'linear', …). */
  readonly name: string;
  /** The normalised spec: a bare name when alpha has its default. */
  readonly config: ActivationSpec;
  /** Applies it (a new tensor, a view of `x` for linear). */
  apply(x: Tensor): Tensor;
}

interface ActivationKind {
  options: OptionTable;
  apply: (x: Tensor, alpha: number) => Tensor;
}

const plain = (apply: (x: Tensor) => Tensor): ActivationKind => ({ options: {}, apply: (x) => apply(x) });

const kinds: Record<string, ActivationKind> = {
  // A view rather than x itself, so that disposing a layer's output never disposes its input.
  linear: plain((x) => reshape(x, x.shape)),
  step: plain(step),
  sigmoid: plain(sigmoid),
  tanh: plain(tanh),
  relu: plain(relu),
  leakyRelu: { options: { alpha: optional(anyNumber, 0.2) }, apply: (x, alpha) => leakyRelu(x, alpha) },
  elu: { options: { alpha: optional(anyNumber, 1) }, apply: (x, alpha) => elu(x, alpha) },
  selu: plain(selu),
  softplus: plain(softplus),
  softmax: plain((x) => softmax(x, -1)),
};

export const activationNames: readonly string[] = Object.keys(kinds);

/** An activation from its spec: a name, or `{type, alpha}` for leakyRelu and elu. */
export function createActivation(value: unknown, where = 'activation'): Activation {
  const spec = typedSpec(value ?? 'linear', where);
  const kind = kinds[spec.type];
  if (!kind) {
    throw new SpecError(
      `${where}: unknown activation "${spec.type}"; valid ones are ${activationNames.join(', ')}`,
    );
  }
  const options = readOptions(`${where} ${spec.type}`, spec, kind.options) as Record<string, number>;
  const alpha = options['alpha'];
  const config: ActivationSpec =
    alpha === undefined || alpha === kind.options['alpha']!.default ? spec.type : { type: spec.type, alpha };
  return { name: spec.type, config, apply: (x) => kind.apply(x, alpha ?? 0) };
}

/** Validates an activation spec and returns its normalised form. */
export function parseActivation(value: unknown, where = 'activation'): ActivationSpec {
  return createActivation(value, where).config;
}
