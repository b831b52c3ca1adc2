// What the UI reads about a run beyond its curves: per-layer health as series, the final
// classification evaluation, and the bias/variance diagnosis — read from the store and shaped
// for the contract. Host side, read-only.
import { diagnoseRun, type DiagnosisInput } from '../runs/diagnosis.js';
import {
  getDataset,
  readEvaluation,
  readHealth,
  readSeries,
  type RunRow,
  type Store,
} from '../store/index.js';
import {
  classificationEvaluation,
  type ClassificationEvaluation,
  type LayerHealthSeries,
  type RunDiagnosis,
} from './contract.js';

/** Lower is better for these (as in compare.ts). */
const LOWER_IS_BETTER = /loss|error|mse|mae|rmse|mape|perplexity/i;

/**
 * The layer names the model gets, in model order, from the run's config: an explicit `name`, else
 * `<type>_<n>` numbered per type (the engine's rule in Sequential), so health rows — stored by
 * name — can be put back in model order.
 */
export function layerOrder(config: unknown): string[] {
  const layers = (config as { model?: { layers?: unknown } } | null)?.model?.layers;
  if (!Array.isArray(layers)) return [];
  const specs = layers.map((layer) =>
    typeof layer === 'object' && layer !== null ? (layer as { type?: unknown; name?: unknown }) : {},
  );
  const taken = new Set(specs.flatMap((spec) => (typeof spec.name === 'string' ? [spec.name] : [])));
  const counts = new Map<string, number>();
  return specs.map((spec) => {
    if (typeof spec.name === 'string') return spec.name;
    const type = typeof spec.type === 'string' ? spec.type : 'layer';
    let name: string;
    do {
      const n = (counts.get(type) ?? 0) + 1;
      counts.set(type, n);
      name = `${type}_${n}`;
    } while (taken.has(name));
    taken.add(name);
    return name;
  });
}

/** The run's health as one series per layer, in model order (unknown names last, by name). */
export function healthSeries(store: Store, run: RunRow): LayerHealthSeries[] {
  const byLayer = new Map<string, LayerHealthSeries>();
  for (const row of readHealth(store, run.id)) {
    let series = byLayer.get(row.layer);
    if (!series) {
      series = {
        layer: row.layer,
        epoch: [],
        weightNorm: [],
        gradientNorm: [],
        updateRatio: [],
        deadFraction: [],
      };
      byLayer.set(row.layer, series);
    }
    series.epoch.push(row.epoch);
    series.weightNorm.push(row.weightNorm);
    series.gradientNorm.push(row.gradientNorm);
    series.updateRatio.push(row.updateRatio);
    series.deadFraction.push(row.deadFraction);
  }
  const order = layerOrder(run.config);
  const rank = (layer: string) => {
    const at = order.indexOf(layer);
    return at < 0 ? order.length : at;
  };
  return [...byLayer.values()].sort(
    (a, b) => rank(a.layer) - rank(b.layer) || a.layer.localeCompare(b.layer),
  );
}

/** The run's stored evaluation in the contract's shape, or null (none, or unreadable). */
export function evaluationOf(store: Store, runId: string): ClassificationEvaluation | null {
  const row = readEvaluation(store, runId);
  if (!row) return null;
  const parsed = classificationEvaluation.safeParse({
    ...(row.report as object),
    split: row.split,
    epoch: row.epoch,
    createdAt: row.createdAt,
  });
  return parsed.success ? parsed.data : null;
}

/**
 * The loss of a model that has learnt nothing, where the loss says what that is: cross-entropy
 * over K classes predicting the uniform distribution gives ln K. Null otherwise (a regression
 * loss depends on the target's scale).
 */
export function baselineLoss(store: Store, run: RunRow): number | null {
  const loss = (run.config as { training?: { loss?: unknown } } | null)?.training?.loss;
  if (loss === 'binaryCrossentropy') return Math.log(2);
  if (loss !== 'sparseCategoricalCrossentropy' && loss !== 'categoricalCrossentropy') return null;
  const classes = classCount(store, run);
  return classes !== null && classes >= 2 ? Math.log(classes) : null;
}

/** Classes from the dataset's schema, else the model's output units. */
function classCount(store: Store, run: RunRow): number | null {
  const dataset = run.datasetId ? getDataset(store, run.datasetId) : undefined;
  if (dataset) {
    try {
      const names = (JSON.parse(dataset.schemaJson) as { target?: { classNames?: unknown } }).target
        ?.classNames;
      if (Array.isArray(names)) return names.length;
    } catch {
      // Fall through to the model's outputs.
    }
  }
  const layers = (run.config as { model?: { layers?: { units?: unknown }[] } } | null)?.model?.layers;
  const units = Array.isArray(layers) ? layers.at(-1)?.units : undefined;
  return typeof units === 'number' ? Math.max(2, units) : null;
}

/** The diagnosis input from the store: epoch-level losses, the main metric, health. */
export function diagnosisInput(store: Store, run: RunRow): DiagnosisInput {
  const series = readSeries(store, run.id, { axis: 'epoch', maxPoints: 100_000 });
  const find = (split: string, name: string) => series.find((s) => s.split === split && s.name === name);
  const trainLossSeries = find('train', 'loss');
  const epochs = trainLossSeries?.x ?? [];
  const aligned = (split: string, name: string) => {
    const found = find(split, name);
    if (!found) return null;
    const at = new Map(found.x.map((x, i) => [x, found.value[i] ?? null]));
    return epochs.map((epoch) => at.get(epoch) ?? null);
  };
  const metricName = series.find(
    (s) => s.split === 'train' && !['loss', 'batch_loss', 'learning_rate'].includes(s.name),
  )?.name;
  return {
    epochs,
    trainLoss: trainLossSeries?.value ?? [],
    validationLoss: aligned('validation', 'loss'),
    metric: metricName
      ? {
          name: metricName,
          higherIsBetter: !LOWER_IS_BETTER.test(metricName),
          train: aligned('train', metricName)!,
          validation: aligned('validation', metricName),
        }
      : null,
    health: healthSeries(store, run),
    status: run.status,
    baselineLoss: baselineLoss(store, run),
  };
}

export function diagnose(store: Store, run: RunRow): RunDiagnosis {
  return diagnoseRun(diagnosisInput(store, run));
}
