/**
 * Weight penalties added to the loss, as in Keras:
 * - `l1` (alpha, default 0.01): alpha·Σ|w|
 * - `l2` (alpha, default 0.01): alpha·Σw² (no ½, as Keras)
 * - `l1l2` (l1 default 0.01, l2 default 0.01): l1·Σ|w| + l2·Σw²
 *
 * @example { "kernelRegularizer": { "type": "l2", "alpha": 0.001 } } or { "kernelRegularizer": "l1" }
 */
import { abs, add, mul, square } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import type { Tensor } from '../tensor/tensor.js';
import { numberIn, optional, readOptions, typedSpec, SpecError, type OptionTable } from './options.js';

export type RegularizerSpec = string | { type: string; [option: string]: number | string };

export interface Regularizer {
  /** The normalised spec. */
  readonly config: RegularizerSpec;
  /** The penalty for `w`, a scalar tensor of w's dtype (recorded for autodiff). */
  penalty(w: Tensor): Tensor;
}

const alpha = optional(numberIn(0, Infinity), 0.01);

interface RegularizerKind {
  options: OptionTable;
  penalty: (w: Tensor, options: Record<string, number>) => Tensor;
}

const l1 = (w: Tensor, a: number): Tensor => mul(sum(abs(w)), a);
const l2 = (w: Tensor, a: number): Tensor => mul(sum(square(w)), a);

const kinds: Record<string, RegularizerKind> = {
  l1: { options: { alpha }, penalty: (w, o) => l1(w, o['alpha']!) },
  l2: { options: { alpha }, penalty: (w, o) => l2(w, o['alpha']!) },
  l1l2: { options: { l1: alpha, l2: alpha }, penalty: (w, o) => add(l1(w, o['l1']!), l2(w, o['l2']!)) },
};

export const regularizerNames: readonly string[] = Object.keys(kinds);

/** A regularizer from its spec; `null` (no regularizer) for null or undefined. */
export function createRegularizer(value: unknown, where = 'regularizer'): Regularizer | null {
  if (value === null || value === undefined) return null;
  const spec = typedSpec(value, where);
  const kind = kinds[spec.type];
  if (!kind) {
    throw new SpecError(
      `${where}: unknown regularizer "${spec.type}"; valid ones are ${regularizerNames.join(', ')}`,
    );
  }
  const options = readOptions(`${where} ${spec.type}`, spec, kind.options) as Record<string, number>;
  return { config: { type: spec.type, ...options }, penalty: (w) => kind.penalty(w, options) };
}

/** Validates a regularizer spec (null allowed) and returns its normalised form. */
export function parseRegularizer(value: unknown, where = 'regularizer'): RegularizerSpec | null {
  return createRegularizer(value, where)?.config ?? null;
}
