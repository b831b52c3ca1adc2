/**
 * Metrics by Keras-style name, for run configs and `fit({ metrics: ['accuracy', 'auc'] })`.
 * Names are matched ignoring case, underscores and hyphens, so `'top_k_categorical_accuracy'`
 * and `'topKCategoricalAccuracy'` are the same metric. The metric's history key is the name as
 * written (Keras's behaviour) unless the `name` option says otherwise. Unknown names and
 * options are refused with the list of what is valid.
 */
import type { Metric } from './accumulator.js';
import {
  Accuracy,
  BinaryAccuracy,
  F1Score,
  LogLoss,
  Precision,
  Recall,
  TopKAccuracy,
  type AccuracyOptions,
  type BinaryAccuracyOptions,
  type ClassScoreOptions,
  type LogLossOptions,
  type TopKAccuracyOptions,
} from './classification.js';
import { Auc, AveragePrecision, type AucOptions, type AveragePrecisionOptions } from './ranking.js';
import {
  CosineSimilarity,
  MeanAbsoluteError,
  MeanSquaredError,
  R2Score,
  RootMeanSquaredError,
  type CosineSimilarityOptions,
  type R2ScoreOptions,
  type RegressionOptions,
} from './regression.js';

type OptionKind = 'number' | 'string' | 'boolean';
type Options = Record<string, unknown>;

interface Entry {
  options: Record<string, OptionKind>;
  make: (options: Options) => Metric;
}

const labels = { labels: 'string' } as const;
const classScore = { average: 'string', positiveClass: 'number', threshold: 'number', ...labels } as const;

// The casts hand the checked option bag to the typed constructor: `createMetric` first makes
// every key one the constructor declares, with the declared primitive type; values are then
// checked by the constructor itself.
const entries = {
  accuracy: { options: { threshold: 'number', ...labels }, make: (o) => new Accuracy(o as AccuracyOptions) },
  categoricalAccuracy: {
    options: {},
    make: (o) => new Accuracy({ ...o, labels: 'oneHot' } as AccuracyOptions),
  },
  sparseCategoricalAccuracy: {
    options: {},
    make: (o) => new Accuracy({ ...o, labels: 'sparse' } as AccuracyOptions),
  },
  binaryAccuracy: {
    options: { threshold: 'number' },
    make: (o) => new BinaryAccuracy(o as BinaryAccuracyOptions),
  },
  topKCategoricalAccuracy: {
    options: { k: 'number', ...labels },
    make: (o) => new TopKAccuracy(o as TopKAccuracyOptions),
  },
  sparseTopKCategoricalAccuracy: {
    options: { k: 'number' },
    make: (o) => new TopKAccuracy({ ...o, labels: 'sparse' } as TopKAccuracyOptions),
  },
  precision: { options: classScore, make: (o) => new Precision(o as ClassScoreOptions) },
  recall: { options: classScore, make: (o) => new Recall(o as ClassScoreOptions) },
  f1: { options: classScore, make: (o) => new F1Score(o as ClassScoreOptions) },
  auc: { options: labels, make: (o) => new Auc(o as AucOptions) },
  averagePrecision: { options: labels, make: (o) => new AveragePrecision(o as AveragePrecisionOptions) },
  logLoss: {
    options: { eps: 'number', fromLogits: 'boolean', ...labels },
    make: (o) => new LogLoss(o as LogLossOptions),
  },
  mae: { options: {}, make: (o) => new MeanAbsoluteError(o as RegressionOptions) },
  mse: { options: {}, make: (o) => new MeanSquaredError(o as RegressionOptions) },
  rmse: { options: {}, make: (o) => new RootMeanSquaredError(o as RegressionOptions) },
  r2: { options: { multioutput: 'string' }, make: (o) => new R2Score(o as R2ScoreOptions) },
  cosineSimilarity: { options: {}, make: (o) => new CosineSimilarity(o as CosineSimilarityOptions) },
} satisfies Record<string, Entry>;

/** The canonical metric names `createMetric` accepts (aliases in `metricAliases`). */
export type MetricName = keyof typeof entries;

export const metricNames = Object.keys(entries) as readonly MetricName[];

/** Other spellings users bring from Keras and scikit-learn, and the metric they mean. */
export const metricAliases: Readonly<Record<string, MetricName>> = {
  acc: 'accuracy',
  f1Score: 'f1',
  rocAuc: 'auc',
  crossentropy: 'logLoss',
  binaryCrossentropy: 'logLoss',
  categoricalCrossentropy: 'logLoss',
  sparseCategoricalCrossentropy: 'logLoss',
  meanAbsoluteError: 'mae',
  meanSquaredError: 'mse',
  rootMeanSquaredError: 'rmse',
  r2Score: 'r2',
  cosine: 'cosineSimilarity',
};

const normalise = (name: string) => name.toLowerCase().replace(/[_-]/g, '');
const lookup = new Map<string, MetricName>([
  ...metricNames.map((n) => [normalise(n), n] as const),
  ...Object.entries(metricAliases).map(([alias, n]) => [normalise(alias), n] as const),
]);

/** The canonical name for any accepted spelling, or undefined. */
export function canonicalMetricName(name: string): MetricName | undefined {
  return lookup.get(normalise(name));
}

/**
 * A fresh metric by name, with options checked against what that metric takes.
 * Every metric takes `name` (the history key; defaults to `name` as written).
 *
 * @example
 * createMetric('accuracy');
 * createMetric('top_k_categorical_accuracy', { k: 3 });
 * createMetric('f1', { average: 'weighted' });
 */
export function createMetric(name: string, options: Options = {}): Metric {
  const canonical = canonicalMetricName(name);
  if (canonical === undefined) {
    throw new Error(
      `unknown metric '${name}'; valid metrics: ${metricNames.join(', ')} ` +
        `(aliases: ${Object.keys(metricAliases).join(', ')})`,
    );
  }
  const entry: Entry = entries[canonical as MetricName];
  const allowed: Record<string, OptionKind> = { name: 'string', ...entry.options };
  for (const [key, value] of Object.entries(options)) {
    const kind = allowed[key];
    if (kind === undefined) {
      throw new Error(
        `metric '${name}': unknown option '${key}'; valid options: ${Object.keys(allowed).join(', ')}`,
      );
    }
    if (value !== undefined && typeof value !== kind) {
      throw new Error(`metric '${name}': option '${key}' must be a ${kind}, got ${JSON.stringify(value)}`);
    }
  }
  return entry.make({ ...options, name: options.name ?? name });
}
