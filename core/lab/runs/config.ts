// The run config: what a run trains on, with what model and settings. JSON or YAML; option names
// follow Keras (batchSize, learningRate, sparseCategoricalCrossentropy, heNormal). Every object
// is strict: an unknown or misspelt option is refused with the closest valid name and the list
// of valid ones.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { lossFromName, lossNamesList } from '../../engine/nn/losses.js';
import { optimizerFromConfig, optimizerTypes } from '../../engine/optim/registry.js';
import { suggestName, unknownNameMessage } from './suggest.js';

const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).lt(1);

/** Preprocessing, fitted on the run's training split. */
const preprocessingSchema = z.strictObject({
  /**
   * `standardize`: zero mean, unit variance; `minMax`: to [0, 1]; `minMax11`: to [-1, 1];
   * `scalePixels`: divide by 255; `none`; `dataset`: the scaling chosen at import (refitted on
   * this run's training rows). Defaults to `dataset`.
   */
  scaling: z.enum(['dataset', 'standardize', 'minMax', 'minMax11', 'scalePixels', 'none']).default('dataset'),
});

const layerSchema = z.looseObject({ type: z.string().min(1) });
/** The model spec handed to `Sequential.fromSpec` (layers in Keras vocabulary). */
const modelSchema = z.looseObject({
  layers: z.array(layerSchema).min(1),
});

const optimizerObject = z.looseObject({
  type: z.string().min(1),
  learningRate: z.number().positive().optional(),
});
const optimizerSchema = z.union([z.string().min(1), optimizerObject]);

const lossObject = z.strictObject({
  name: z.string().min(1),
  fromLogits: z.boolean().optional(),
  delta: z.number().positive().optional(),
});
const lossSchema = z.union([z.string().min(1), lossObject]);

const scheduleSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('exponentialDecay'),
    initialLearningRate: z.number().positive(),
    decayRate: z.number().positive(),
    decayEvery: z.number().positive().optional(),
    staircase: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('stepDecay'),
    initialLearningRate: z.number().positive(),
    stepSize: positiveInt,
    factor: z.number().positive().optional(),
  }),
  z.strictObject({
    type: z.literal('cosineDecay'),
    initialLearningRate: z.number().positive(),
    decaySteps: positiveInt,
    warmupSteps: z.number().int().nonnegative().optional(),
    warmupStart: z.number().nonnegative().optional(),
    alpha: z.number().min(0).max(1).optional(),
  }),
  z.strictObject({ type: z.literal('constant'), learningRate: z.number().positive() }),
]);

const earlyStoppingSchema = z.strictObject({
  /** Defaults to `val_loss` (`loss` when there is no validation data). */
  monitor: z.string().min(1).optional(),
  /** Epochs without improvement before stopping. Defaults to 5. */
  patience: z.number().int().nonnegative().default(5),
  /** Defaults to 0. */
  minDelta: z.number().nonnegative().default(0),
  /** Defaults to `auto`: `min` for losses and errors, `max` otherwise. */
  mode: z.enum(['auto', 'min', 'max']).default('auto'),
  /** Defaults to true. */
  restoreBestWeights: z.boolean().default(true),
});

const augmentationSchema = z.strictObject({
  horizontalFlip: z.boolean().optional(),
  verticalFlip: z.boolean().optional(),
  rotationDegrees: z.number().min(0).max(180).optional(),
  translateFraction: z.number().min(0).max(0.5).optional(),
  brightness: z.number().min(0).optional(),
  contrast: z.number().min(0).max(1).optional(),
  fill: z.number().optional(),
});

/** Which checkpoint is "best": the epoch where `monitor` is best. */
const checkpointSchema = z.strictObject({
  /** Defaults to `val_loss` (`loss` without validation data). */
  monitor: z.string().min(1).optional(),
  mode: z.enum(['auto', 'min', 'max']).default('auto'),
});

const trainingSchema = z.strictObject({
  /** A type name (`'adam'`) or `{ type, learningRate, …options }`. Defaults to `adam`. */
  optimizer: optimizerSchema.default('adam'),
  /** Shorthand for `optimizer.learningRate`. Defaults to the optimizer's own default. */
  learningRate: z.number().positive().optional(),
  /** Defaults to `sparseCategoricalCrossentropy` (classification) or `meanSquaredError`. */
  loss: lossSchema.optional(),
  /** Defaults to `['accuracy']` for classification, `['mae']` for regression. */
  metrics: z.array(z.string().min(1)).optional(),
  /** Defaults to 10. */
  epochs: positiveInt.max(100_000).default(10),
  /** Defaults to 32. */
  batchSize: positiveInt.max(1_000_000).default(32),
  /**
   * Hold out this fraction of the training rows for validation. Defaults to using the dataset's
   * own validation split (none when it has none).
   */
  validationSplit: fraction.optional(),
  /** Defaults to true. */
  shuffle: z.boolean().default(true),
  schedule: scheduleSchema.optional(),
  clipValue: z.number().positive().optional(),
  clipNorm: z.number().positive().optional(),
  globalClipNorm: z.number().positive().optional(),
  earlyStopping: earlyStoppingSchema.optional(),
  augmentation: augmentationSchema.optional(),
  checkpoint: checkpointSchema.default({ mode: 'auto' }),
  /** Record per-layer health each epoch. Defaults to true. */
  health: z.boolean().default(true),
  /** End the run as diverged on a NaN or infinite loss. Defaults to true. */
  terminateOnNaN: z.boolean().default(true),
  /** Evaluate on the dataset's test split when training ends. Defaults to true. */
  evaluateTest: z.boolean().default(true),
});

export const runConfigSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  /** A dataset id or its exact name. */
  dataset: z.string().min(1),
  /** Defaults to the dataset's task. */
  task: z.enum(['classification', 'regression']).optional(),
  preprocessing: preprocessingSchema.default({ scaling: 'dataset' }),
  model: modelSchema,
  training: trainingSchema.default(() => trainingSchema.parse({})),
  /** Seeds initialisation, shuffling, splits, dropout and augmentation. Defaults to a random seed, recorded. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  /** `auto` (GPU when it helps, else CPU), `cpu` or `gpu`. Defaults to `auto`. */
  device: z.enum(['auto', 'cpu', 'gpu']).default('auto'),
});

/** A run config as written by a person: options may be left out. */
export type RunConfigInput = z.input<typeof runConfigSchema>;
/** A validated run config, defaults filled in. */
export type RunConfig = z.output<typeof runConfigSchema>;
export type DeviceChoice = RunConfig['device'];

/** Thrown for a config that cannot be used; `issues` holds one line per problem, with its path. */
export class RunConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid run config:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'RunConfigError';
  }
}

/** Reads JSON or YAML text (JSON is YAML, but JSON's own parser gives the better message). */
export function parseConfigText(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new RunConfigError([`config is not valid JSON: ${(error as Error).message}`]);
    }
  }
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new RunConfigError([`config is not valid YAML: ${(error as Error).message}`]);
  }
}

/**
 * Validates a config (an object, or JSON/YAML text) and fills in defaults. Engine-level names
 * (optimizer type and options, loss) are checked here too, so a bad config fails at creation,
 * not minutes later in a trainer.
 */
export function parseRunConfig(input: unknown): RunConfig {
  const raw = typeof input === 'string' ? parseConfigText(input) : input;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RunConfigError(['config must be an object (a mapping of options)']);
  }
  const result = runConfigSchema.safeParse(raw);
  if (!result.success)
    throw new RunConfigError(result.error.issues.map((issue) => describeIssue(issue, raw)));
  const config = result.data;
  const problems = [...checkOptimizer(config), ...checkLoss(config)];
  if (problems.length > 0) throw new RunConfigError(problems);
  return config;
}

/** The optimizer as `optimizerFromConfig` takes it, with the `learningRate` shorthand applied. */
export function optimizerConfig(config: RunConfig): {
  type: string;
  learningRate?: number;
  [key: string]: unknown;
} {
  const base =
    typeof config.training.optimizer === 'string'
      ? { type: config.training.optimizer }
      : config.training.optimizer;
  const clipping = {
    ...(config.training.clipValue !== undefined ? { clipValue: config.training.clipValue } : {}),
    ...(config.training.clipNorm !== undefined ? { clipNorm: config.training.clipNorm } : {}),
    ...(config.training.globalClipNorm !== undefined
      ? { globalClipNorm: config.training.globalClipNorm }
      : {}),
  };
  const learningRate = config.training.learningRate ?? base.learningRate;
  return { ...base, ...clipping, ...(learningRate !== undefined ? { learningRate } : {}) };
}

/** The loss for a task when the config names none. */
export function defaultLoss(task: 'classification' | 'regression'): string {
  return task === 'classification' ? 'sparseCategoricalCrossentropy' : 'meanSquaredError';
}

export function defaultMetrics(task: 'classification' | 'regression'): string[] {
  return task === 'classification' ? ['accuracy'] : ['mae'];
}

function checkOptimizer(config: RunConfig): string[] {
  const optimizer = optimizerConfig(config);
  const type = String(optimizer.type).toLowerCase();
  if (!optimizerTypes.includes(type)) {
    return [`training.optimizer: ${unknownNameMessage('optimizer', String(optimizer.type), optimizerTypes)}`];
  }
  try {
    optimizerFromConfig(optimizer).dispose();
    return [];
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /unknown option '([^']+)'; valid options: (.*)$/.exec(message);
    if (unknown) {
      const valid = unknown[2]!.split(', ');
      return [`training.optimizer: ${unknownNameMessage('option', unknown[1]!, valid)}`];
    }
    return [`training.optimizer: ${message}`];
  }
}

function checkLoss(config: RunConfig): string[] {
  const loss = config.training.loss;
  if (loss === undefined) return [];
  const name = typeof loss === 'string' ? loss : loss.name;
  try {
    lossFromName(name);
    return [];
  } catch {
    return [`training.loss: ${unknownNameMessage('loss', name, lossNamesList)}`];
  }
}

// ---------------------------------------------------------------------------------------------
// Issue messages: the path, what was wrong, and what would be right.

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const where = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const valid = keysAt(runConfigSchema, issue.path);
    return issue.keys
      .map((key) => {
        const suggestion = suggestName(key, valid);
        const at = formatPath([...issue.path, key]);
        return (
          `${at}: unknown option` +
          (suggestion ? `; did you mean '${suggestion}'?` : '.') +
          ` Valid options${issue.path.length ? ` of ${where}` : ''}: ${valid.join(', ')}`
        );
      })
      .join('\n  - ');
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const found = valueAt(raw, issue.path);
    const valid = issue.values.map(String);
    const suggestion = typeof found === 'string' ? suggestName(found, valid) : undefined;
    return (
      `${where}: ${found === undefined ? 'invalid value' : `'${String(found)}' is not allowed`}` +
      (suggestion ? `; did you mean '${suggestion}'?` : '.') +
      ` Valid values: ${valid.join(', ')}`
    );
  }
  if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
    return `${where}: unknown type; valid types: ${discriminatorValues(issue.path).join(', ')}`;
  }
  return `${where}: ${issue.message}`;
}

/** The offending value in the raw input (zod leaves it out of issues by default). */
function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current = raw;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

type AnySchema = z.core.$ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema };
    if (
      (def.type === 'optional' ||
        def.type === 'default' ||
        def.type === 'nullable' ||
        def.type === 'prefault') &&
      def.innerType
    ) {
      current = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      current = def.in;
    } else {
      return current;
    }
  }
}

/** The schemas reachable at `path` (a union yields several). */
function schemasAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema[] {
  let current = [unwrap(root)];
  for (const key of path) {
    const next: AnySchema[] = [];
    for (const schema of current) {
      for (const option of expandUnion(schema)) {
        const def = option._zod.def as {
          type: string;
          shape?: Record<string, AnySchema>;
          element?: AnySchema;
        };
        if (def.type === 'object' && typeof key === 'string' && def.shape?.[key])
          next.push(unwrap(def.shape[key]));
        if (def.type === 'array' && typeof key === 'number' && def.element) next.push(unwrap(def.element));
      }
    }
    current = next;
  }
  return current.flatMap(expandUnion);
}

function expandUnion(schema: AnySchema): AnySchema[] {
  const def = schema._zod.def as { type: string; options?: AnySchema[] };
  return def.type === 'union' && def.options ? def.options.map(unwrap).flatMap(expandUnion) : [schema];
}

function keysAt(root: AnySchema, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    const def = schema._zod.def as { type: string; shape?: Record<string, AnySchema> };
    if (def.type === 'object' && def.shape) Object.keys(def.shape).forEach((key) => keys.add(key));
  }
  return [...keys];
}

function discriminatorValues(path: readonly PropertyKey[]): string[] {
  const values: string[] = [];
  for (const schema of schemasAt(runConfigSchema, path)) {
    const def = schema._zod.def as { type: string; shape?: Record<string, AnySchema> };
    const typeSchema = def.shape?.type;
    const typeDef = typeSchema?._zod.def as { type: string; values?: unknown[] } | undefined;
    if (typeDef?.type === 'literal' && typeDef.values) values.push(...typeDef.values.map(String));
  }
  return values;
}
