/**
 * Weight initializers, as in Keras. Each draws its values on the host in float64 from a seeded
 * `Random`, so a model built with the same seed gets the same weights in float32 and float64.
 *
 * Fans follow Keras: for a [fanIn, fanOut] matrix they are its dimensions; for a convolution
 * kernel [kH, kW, Cin, Cout] they are kH·kW·Cin and kH·kW·Cout; for a vector both are its length.
 *
 * | name | values |
 * |---|---|
 * | zeros, ones, constant (value, default 0) | fixed |
 * | randomUniform (minval −0.05, maxval 0.05) | U(minval, maxval) |
 * | randomNormal (mean 0, stddev 0.05) | N(mean, stddev²) |
 * | truncatedNormal (mean 0, stddev 0.05) | N(mean, stddev²) redrawn outside ±2·stddev |
 * | gaussian | N(0, 1/fanIn), untruncated |
 * | glorotUniform (the default for kernels) | U(±√(6/(fanIn+fanOut))) |
 * | glorotNormal | truncated N with std √(2/(fanIn+fanOut)) |
 * | heNormal / heUniform | truncated N, std √(2/fanIn) / U(±√(6/fanIn)) |
 * | lecunNormal / lecunUniform | truncated N, std √(1/fanIn) / U(±√(3/fanIn)) |
 * | orthogonal (gain 1) | a (semi-)orthogonal matrix from the QR of a normal draw |
 *
 * The truncated normals are scaled so that their standard deviation after truncation is the
 * one stated (÷0.87962566103423978, as Keras's VarianceScaling does).
 *
 * @example { "kernelInitializer": "heNormal" } or { "kernelInitializer": { "type": "constant", "value": 0.1 } }
 */
import { tensor } from '../ops/creation.js';
import type { DType } from '../tensor/dtype.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  anyNumber,
  numberIn,
  optional,
  readOptions,
  typedSpec,
  SpecError,
  type OptionTable,
} from './options.js';

/** A name, or `{type, ...options}`. */
export type InitializerSpec = string | { type: string; [option: string]: number | string };

export interface Initializer {
  /** The normalised spec (a bare name when every option has its default). */
  readonly config: InitializerSpec;
  /** `shape`'s values in row-major order. */
  sample(shape: readonly number[], random: Random): Float64Array;
}

/** The standard deviation of N(0,1) truncated to ±2, which Keras divides by. */
const TRUNCATED_STD = 0.87962566103423978;

export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = shape.slice(0, -2).reduce((n, d) => n * d, 1);
  return { fanIn: shape.at(-2)! * receptive, fanOut: shape.at(-1)! * receptive };
}

function size(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function filled(shape: readonly number[], draw: () => number): Float64Array {
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) out[i] = draw();
  return out;
}

type Sampler = (shape: readonly number[], random: Random, options: Record<string, number>) => Float64Array;

interface InitializerKind {
  options: OptionTable;
  sample: Sampler;
}

const noOptions: OptionTable = {};
const positive = numberIn(0, Infinity, { minOpen: true });

function uniformScaled(scale: (fans: { fanIn: number; fanOut: number }) => number): InitializerKind {
  return {
    options: noOptions,
    sample: (shape, random) => {
      const limit = Math.sqrt(3 * scale(computeFans(shape)));
      return filled(shape, () => random.uniform(-limit, limit));
    },
  };
}

function truncatedScaled(scale: (fans: { fanIn: number; fanOut: number }) => number): InitializerKind {
  return {
    options: noOptions,
    sample: (shape, random) => {
      const std = Math.sqrt(scale(computeFans(shape))) / TRUNCATED_STD;
      return filled(shape, () => random.truncatedNormal(0, std));
    },
  };
}

const kinds: Record<string, InitializerKind> = {
  zeros: { options: noOptions, sample: (shape) => new Float64Array(size(shape)) },
  ones: { options: noOptions, sample: (shape) => new Float64Array(size(shape)).fill(1) },
  constant: {
    options: { value: optional(anyNumber, 0) },
    sample: (shape, _r, o) => new Float64Array(size(shape)).fill(o['value']!),
  },
  randomUniform: {
    options: { minval: optional(anyNumber, -0.05), maxval: optional(anyNumber, 0.05) },
    sample: (shape, random, o) => filled(shape, () => random.uniform(o['minval'], o['maxval'])),
  },
  randomNormal: {
    options: { mean: optional(anyNumber, 0), stddev: optional(positive, 0.05) },
    sample: (shape, random, o) => filled(shape, () => random.normal(o['mean'], o['stddev'])),
  },
  truncatedNormal: {
    options: { mean: optional(anyNumber, 0), stddev: optional(positive, 0.05) },
    sample: (shape, random, o) => filled(shape, () => random.truncatedNormal(o['mean'], o['stddev'])),
  },
  gaussian: {
    options: noOptions,
    sample: (shape, random) => {
      const std = Math.sqrt(1 / computeFans(shape).fanIn);
      return filled(shape, () => random.normal(0, std));
    },
  },
  glorotUniform: uniformScaled(({ fanIn, fanOut }) => 2 / (fanIn + fanOut)),
  glorotNormal: truncatedScaled(({ fanIn, fanOut }) => 2 / (fanIn + fanOut)),
  heUniform: uniformScaled(({ fanIn }) => 2 / fanIn),
  heNormal: truncatedScaled(({ fanIn }) => 2 / fanIn),
  lecunUniform: uniformScaled(({ fanIn }) => 1 / fanIn),
  lecunNormal: truncatedScaled(({ fanIn }) => 1 / fanIn),
  orthogonal: {
    options: { gain: optional(positive, 1) },
    sample: (shape, random, o) => orthogonal(shape, random, o['gain']!),
  },
};

export const initializerNames: readonly string[] = Object.keys(kinds);

/** Validates an initializer spec and returns its normalised form (throws a SpecError). */
export function parseInitializer(value: unknown, where = 'initializer'): InitializerSpec {
  return createInitializer(value, where).config;
}

/** An initializer from its spec: `'heNormal'`, `{type: 'constant', value: 0.1}`. */
export function createInitializer(value: unknown, where = 'initializer'): Initializer {
  const spec = typedSpec(value, where);
  const kind = kinds[spec.type];
  if (!kind) {
    throw new SpecError(
      `${where}: unknown initializer "${spec.type}"; valid ones are ${initializerNames.join(', ')}`,
    );
  }
  const options = readOptions(`${where} ${spec.type}`, spec, kind.options) as Record<string, number>;
  const given = Object.keys(options).filter((k) => options[k] !== kind.options[k]!.default);
  const config: InitializerSpec = given.length === 0 ? spec.type : { type: spec.type, ...options };
  return { config, sample: (shape, random) => kind.sample(shape, random, options) };
}

/** A new tensor of `shape` drawn from the initializer `spec` (the caller owns it). */
export function initialValue(
  spec: InitializerSpec,
  shape: readonly number[],
  random: Random,
  dtype: DType = 'float32',
): Tensor {
  return tensor(createInitializer(spec).sample(shape, random), shape, dtype);
}

/**
 * A (semi-)orthogonal matrix: the Q of the QR decomposition of a standard normal draw, with
 * R's diagonal positive so that the distribution is uniform (Haar). Shapes of
 * rank > 2 are flattened to [∏ leading dims, last dim]. Rows are orthonormal when there are
 * fewer rows than columns, columns otherwise.
 */
function orthogonal(shape: readonly number[], random: Random, gain: number): Float64Array {
  if (shape.length < 2) {
    throw new SpecError(`orthogonal: needs a shape of rank ≥ 2, got [${shape.join(', ')}]`);
  }
  const cols = shape.at(-1)!;
  const rows = size(shape) / cols;
  // Work on the tall orientation: n vectors of length m, m ≥ n, orthonormalised by
  // modified Gram–Schmidt applied twice (enough for full float64 orthogonality).
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  const vectors: Float64Array[] = [];
  for (let j = 0; j < n; j++) vectors.push(filled([m], () => random.normal()));
  for (let j = 0; j < n; j++) {
    const v = vectors[j]!;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const q = vectors[k]!;
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i]! * v[i]!;
        for (let i = 0; i < m; i++) v[i] -= dot * q[i]!;
      }
      let norm = 0;
      for (let i = 0; i < m; i++) norm += v[i]! * v[i]!;
      norm = Math.sqrt(norm);
      for (let i = 0; i < m; i++) v[i] /= norm;
    }
  }
  // Gram–Schmidt's R has a positive diagonal, so this Q is already Keras's Q·sign(diag R).
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < n; j++) {
    const v = vectors[j]!;
    for (let i = 0; i < m; i++) {
      // Tall (rows ≥ cols): vector j is column j. Wide: vector j is row j.
      if (rows >= cols) out[i * cols + j] = gain * v[i]!;
      else out[j * cols + i] = gain * v[i]!;
    }
  }
  return out;
}
