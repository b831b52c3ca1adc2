// Compare several runs: their metric series on one shared x axis, the config paths whose values
// differ, and every metric at the last, the best or a chosen epoch. Pure functions on data the
// runs side already returns.
import type {
  ClassificationEvaluation,
  CompareAt,
  CompareResult,
  JsonValue,
  MetricSeries,
  MetricTable,
  RunDetail,
} from './contract.js';

/** Lower is better for these; higher for everything else (accuracy, precision, r2, …). */
const LOWER_IS_BETTER = /loss|error|mse|mae|rmse|mape|perplexity/i;

export interface CompareInput {
  runs: RunDetail[];
  /** Per run (same order), the series on the requested axis. */
  series: MetricSeries[][];
  /** Per run (same order), every series by epoch, not downsampled: used to read metrics at an epoch. */
  epochSeries: MetricSeries[][];
  /** Per run (same order), its final classification evaluation or null. Defaults to none. */
  evaluations?: (ClassificationEvaluation | null)[];
  maxPoints: number;
  at: CompareAt;
}

export function compareRuns(input: CompareInput): CompareResult {
  return {
    runs: input.runs.map((run) => ({ id: run.id, name: run.name, status: run.status })),
    series: alignSeries(input.series, input.maxPoints),
    configDiff: diffConfigs(input.runs.map((run) => run.config)),
    metricsAt: input.runs.map((run, r) => {
      const epoch = chooseEpoch(input.epochSeries[r] ?? [], input.at);
      return {
        runId: run.id,
        epoch,
        metrics: epoch === null ? {} : metricsAtEpoch(input.epochSeries[r] ?? [], epoch),
      };
    }),
    evaluations: input.runs.map((_, r) => input.evaluations?.[r] ?? null),
  };
}

/**
 * One entry per metric any run has, in first-seen order; x is the union of the runs' x values
 * (bucketed into `maxPoints` equal-width bins when longer, keeping each run's last value per bin).
 */
export function alignSeries(perRun: MetricSeries[][], maxPoints: number): CompareResult['series'] {
  const keys = new Map<string, { split: string; name: string }>();
  for (const list of perRun) {
    for (const series of list)
      keys.set(`${series.split}\u0000${series.name}`, { split: series.split, name: series.name });
  }
  return [...keys.entries()].map(([key, { split, name }]) => {
    const found = perRun.map((list) => list.find((s) => `${s.split}\u0000${s.name}` === key));
    const union = [...new Set(found.flatMap((s) => s?.x ?? []))].sort((a, b) => a - b);
    if (union.length <= maxPoints) {
      const values = found.map((series) => {
        if (!series) return union.map(() => null);
        const at = new Map(series.x.map((x, i) => [x, series.value[i] ?? null]));
        return union.map((x) => at.get(x) ?? null);
      });
      return { split, name, x: union, values };
    }
    const lo = union[0]!;
    const hi = union.at(-1)!;
    const width = (hi - lo) / maxPoints;
    const bin = (x: number) => Math.min(maxPoints - 1, Math.floor((x - lo) / width));
    const binX = new Array<number | null>(maxPoints).fill(null);
    for (const x of union) binX[bin(x)] = x;
    const values = found.map((series) => {
      const row = new Array<number | null>(maxPoints).fill(null);
      series?.x.forEach((x, i) => {
        const value = series.value[i] ?? null;
        if (value !== null) row[bin(x)] = value;
      });
      return row;
    });
    const kept = binX.flatMap((x, i) => (x === null ? [] : [i]));
    return {
      split,
      name,
      x: kept.map((i) => binX[i]!),
      values: values.map((row) => kept.map((i) => row[i]!)),
    };
  });
}

/** The epoch `at` picks from a run's by-epoch series, or null when the run has none. */
export function chooseEpoch(series: MetricSeries[], at: CompareAt): number | null {
  if (at.kind === 'epoch') return series.some((s) => s.x.includes(at.epoch)) ? at.epoch : null;
  if (at.kind === 'last') {
    const last = series.flatMap((s) => s.x.slice(-1));
    return last.length ? Math.max(...last) : null;
  }
  const target = series.find((s) => s.split === at.metric.split && s.name === at.metric.name);
  if (!target) return null;
  const minimize = (at.mode ?? (LOWER_IS_BETTER.test(at.metric.name) ? 'min' : 'max')) === 'min';
  let best: number | null = null;
  let bestValue = 0;
  target.value.forEach((value, i) => {
    if (value === null || !Number.isFinite(value)) return;
    if (best === null || (minimize ? value < bestValue : value > bestValue)) {
      best = target.x[i]!;
      bestValue = value;
    }
  });
  return best;
}

export function metricsAtEpoch(series: MetricSeries[], epoch: number): MetricTable {
  const table: MetricTable = {};
  for (const s of series) {
    const i = s.x.lastIndexOf(epoch);
    if (i < 0) continue;
    (table[s.split] ??= {})[s.name] = s.value[i] ?? null;
  }
  return table;
}

/** Config paths whose values are not the same in every run; a run without the path reads null. */
export function diffConfigs(configs: JsonValue[]): CompareResult['configDiff'] {
  const flat = configs.map((config) => flatten(config));
  const paths = new Set(flat.flatMap((map) => [...map.keys()]));
  const diff: CompareResult['configDiff'] = [];
  for (const path of paths) {
    const texts = flat.map((map) => (map.has(path) ? JSON.stringify(map.get(path)) : undefined));
    if (texts.every((text) => text === texts[0])) continue;
    diff.push({ path, values: flat.map((map) => (map.has(path) ? map.get(path)! : null)) });
  }
  return diff;
}

/** Leaves by path: `optimizer.learningRate`, `layers[2].units`; empty objects and arrays are leaves. */
export function flatten(
  value: JsonValue,
  prefix = '',
  out = new Map<string, JsonValue>(),
): Map<string, JsonValue> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((item, i) => flatten(item, `${prefix}[${i}]`, out));
  } else if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0
  ) {
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) flatten(item, prefix ? `${prefix}.${key}` : key, out);
    }
  } else {
    out.set(prefix || '(root)', value);
  }
  return out;
}
