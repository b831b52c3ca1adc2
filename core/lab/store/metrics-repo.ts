// Typed access to `metrics`: one value per (run, split, name, step), written by upsert so a
// resumed run cannot duplicate steps, and read back as series (downsampled by min/max buckets).
import type { Store } from './open-store.js';
import type { MetricTable } from './runs-repo.js';

/**
 * One recorded value. Step-level series (`train/batch_loss`) have a point per optimizer step;
 * epoch-level series (`train/loss`, `validation/accuracy`, …) one per epoch, at the epoch's
 * last global step.
 */
export interface MetricPoint {
  split: string;
  name: string;
  /** The global step (1-based optimizer iteration) the value belongs to. */
  step: number;
  /** 0-based epoch, or null for a value outside any epoch. */
  epoch: number | null;
  /** null for NaN or ±Infinity (JSON and charts cannot carry them). */
  value: number | null;
  /** Unix epoch milliseconds when it was measured. */
  wallTime: number;
}

export interface MetricKey {
  split: string;
  name: string;
}

/** One series in columns; after downsampling each entry is a bucket (last value, min, max). */
export interface MetricSeries {
  split: string;
  name: string;
  x: number[];
  value: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  /** Points on this axis before downsampling. */
  total: number;
  downsampled: boolean;
}

export type SeriesAxis = 'epoch' | 'step';

export interface SeriesQuery {
  /** Defaults to every series the run recorded. */
  metrics?: readonly MetricKey[];
  /**
   * `step`: x is the global step. `epoch`: x is the epoch, one point per epoch (the epoch's last
   * value, with the epoch's min and max). Defaults to `epoch`.
   */
  axis?: SeriesAxis;
  /** Longer series are reduced to this many min/max buckets. Defaults to 1000. */
  maxPoints?: number;
}

function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/**
 * Inserts or replaces points and keeps the run's list summary (last epoch and step, latest value
 * of each series) current. Call inside a transaction to batch (the run manager does one per
 * flush); outside one it is still correct, only slower.
 */
export function upsertMetrics(store: Store, runId: string, points: readonly MetricPoint[]): void {
  if (points.length === 0) return;
  const insert = store.db.prepare(
    'INSERT INTO metrics (run_id, split, name, step, epoch, value, wall_time) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (run_id, split, name, step) DO UPDATE SET epoch = excluded.epoch, value = excluded.value, ' +
      'wall_time = excluded.wall_time',
  );
  const latest = new Map<string, MetricPoint>();
  let lastEpoch: number | null = null;
  let lastStep: number | null = null;
  for (const point of points) {
    insert.run(runId, point.split, point.name, point.step, point.epoch, finite(point.value), point.wallTime);
    const key = `${point.split}\u0000${point.name}`;
    const previous = latest.get(key);
    if (!previous || point.step >= previous.step) latest.set(key, point);
    if (point.epoch !== null && (lastEpoch === null || point.epoch > lastEpoch)) lastEpoch = point.epoch;
    if (lastStep === null || point.step > lastStep) lastStep = point.step;
  }
  const current = store.db.prepare('SELECT final_metrics_json FROM runs WHERE id = ?').get(runId) as
    { final_metrics_json: string } | undefined;
  if (!current) return;
  const table = JSON.parse(current.final_metrics_json) as MetricTable;
  // The series' value at its highest step, which this batch may not hold (a resumed run re-reporting).
  const last = store.db.prepare(
    'SELECT value FROM metrics WHERE run_id = ? AND split = ? AND name = ? ORDER BY step DESC LIMIT 1',
  );
  for (const point of latest.values()) {
    const row = last.get(runId, point.split, point.name) as { value: number | null } | undefined;
    (table[point.split] ??= {})[point.name] = row ? row.value : finite(point.value);
  }
  store.db
    .prepare(
      'UPDATE runs SET final_metrics_json = @table, ' +
        'last_epoch = CASE WHEN @epoch IS NULL THEN last_epoch ELSE max(coalesce(last_epoch, @epoch), @epoch) END, ' +
        'last_step = CASE WHEN @step IS NULL THEN last_step ELSE max(coalesce(last_step, @step), @step) END ' +
        'WHERE id = @id',
    )
    .run({ table: JSON.stringify(table), epoch: lastEpoch, step: lastStep, id: runId });
}

/** Rebuilds a run's list summary from its metrics (after deleting points, or for repair). */
export function recomputeRunSummary(store: Store, runId: string): void {
  const rows = store.db
    .prepare(
      // The bare columns take their values from the row holding max(step): SQLite's documented
      // behaviour for a single min/max aggregate.
      'SELECT split, name, value, max(step) AS step FROM metrics WHERE run_id = ? GROUP BY split, name',
    )
    .all(runId) as { split: string; name: string; value: number | null; step: number }[];
  const table: MetricTable = {};
  for (const row of rows) (table[row.split] ??= {})[row.name] = row.value;
  const last = store.db
    .prepare('SELECT max(epoch) AS epoch, max(step) AS step FROM metrics WHERE run_id = ?')
    .get(runId) as { epoch: number | null; step: number | null };
  store.db
    .prepare('UPDATE runs SET final_metrics_json = ?, last_epoch = ?, last_step = ? WHERE id = ?')
    .run(JSON.stringify(table), last.epoch, last.step, runId);
}

/** Drops points after `step` (a run resumed from a checkpoint taken at `step`). */
export function deleteMetricsAfter(store: Store, runId: string, step: number): number {
  return store.db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(runId, step).changes;
}

/** The series a run recorded, sorted by split then name. */
export function listMetricKeys(store: Store, runId: string): MetricKey[] {
  return store.db
    .prepare('SELECT DISTINCT split, name FROM metrics WHERE run_id = ? ORDER BY split, name')
    .all(runId) as MetricKey[];
}

/** Every raw point of one series, by step. */
export function readPoints(store: Store, runId: string, key: MetricKey): MetricPoint[] {
  const rows = store.db
    .prepare(
      'SELECT step, epoch, value, wall_time FROM metrics WHERE run_id = ? AND split = ? AND name = ? ORDER BY step',
    )
    .all(runId, key.split, key.name) as {
    step: number;
    epoch: number | null;
    value: number | null;
    wall_time: number;
  }[];
  return rows.map((row) => ({
    split: key.split,
    name: key.name,
    step: row.step,
    epoch: row.epoch,
    value: row.value,
    wallTime: row.wall_time,
  }));
}

/**
 * A run's series on the chosen axis, each at most `maxPoints` long: longer ones are reduced to
 * min/max buckets (`value` is the bucket's last value), so spikes survive downsampling.
 */
export function readSeries(store: Store, runId: string, query: SeriesQuery = {}): MetricSeries[] {
  const axis = query.axis ?? 'epoch';
  const maxPoints = Math.max(2, Math.floor(query.maxPoints ?? 1000));
  const keys = query.metrics ?? listMetricKeys(store, runId);
  const statement = store.db.prepare(
    'SELECT step, epoch, value FROM metrics WHERE run_id = ? AND split = ? AND name = ? ORDER BY step',
  );
  return keys.map((key) => {
    const rows = statement.raw(true).all(runId, key.split, key.name) as [
      number,
      number | null,
      number | null,
    ][];
    const points = axis === 'step' ? stepPoints(rows) : epochPoints(rows);
    return { split: key.split, name: key.name, ...downsample(points, maxPoints) };
  });
}

interface AxisPoints {
  x: number[];
  value: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
}

function stepPoints(rows: [number, number | null, number | null][]): AxisPoints {
  const x = rows.map((row) => row[0]);
  const value = rows.map((row) => row[2]);
  return { x, value, min: value, max: value };
}

/** One point per epoch: the epoch's last value (by step) and its min and max. */
function epochPoints(rows: [number, number | null, number | null][]): AxisPoints {
  const out: AxisPoints = { x: [], value: [], min: [], max: [] };
  for (const [, epoch, value] of rows) {
    if (epoch === null) continue;
    const last = out.x.length - 1;
    if (last >= 0 && out.x[last] === epoch) {
      out.value[last] = value;
      out.min[last] = minOf(out.min[last]!, value);
      out.max[last] = maxOf(out.max[last]!, value);
    } else {
      out.x.push(epoch);
      out.value.push(value);
      out.min.push(value);
      out.max.push(value);
    }
  }
  return out;
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return b < a ? b : a;
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return b > a ? b : a;
}

/** Reduces to `buckets` equal-count buckets: x and value of the bucket's last point, min and max over it. */
export function downsample(
  points: AxisPoints,
  buckets: number,
): AxisPoints & { total: number; downsampled: boolean } {
  const total = points.x.length;
  if (total <= buckets) return { ...points, total, downsampled: false };
  const out: AxisPoints = { x: [], value: [], min: [], max: [] };
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * total) / buckets);
    const end = Math.floor(((b + 1) * total) / buckets);
    if (end <= start) continue;
    let low: number | null = null;
    let high: number | null = null;
    for (let i = start; i < end; i++) {
      low = minOf(low, points.min[i]!);
      high = maxOf(high, points.max[i]!);
    }
    out.x.push(points.x[end - 1]!);
    out.value.push(points.value[end - 1]!);
    out.min.push(low);
    out.max.push(high);
  }
  return { ...out, total, downsampled: true };
}
