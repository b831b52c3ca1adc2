// Typed access to `layer_health`: per-layer training health, one row per (run, epoch, layer).
import type { Store } from './open-store.js';

export interface LayerHealthRow {
  epoch: number;
  layer: string;
  /** ‖W‖₂ over the layer's trainable weights. */
  weightNorm: number | null;
  /** ‖∇W‖₂ on the epoch's last step. */
  gradientNorm: number | null;
  /** ‖ΔW‖ / ‖W‖ of the epoch's last update. */
  updateRatio: number | null;
  /** ReLU layers: the fraction of units never positive on the health batch. */
  deadFraction: number | null;
}

function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** Inserts or replaces (a resumed run re-measures an epoch rather than duplicating it). */
export function upsertHealth(store: Store, runId: string, rows: readonly LayerHealthRow[]): void {
  const statement = store.db.prepare(
    'INSERT OR REPLACE INTO layer_health (run_id, epoch, layer, weight_norm, grad_norm, update_ratio, dead_fraction) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (const row of rows) {
    statement.run(
      runId,
      row.epoch,
      row.layer,
      finite(row.weightNorm),
      finite(row.gradientNorm),
      finite(row.updateRatio),
      finite(row.deadFraction),
    );
  }
}

/** A run's health rows by epoch then layer; only `epoch` when given. */
export function readHealth(store: Store, runId: string, options: { epoch?: number } = {}): LayerHealthRow[] {
  const rows = (
    options.epoch === undefined
      ? store.db
          .prepare(
            'SELECT epoch, layer, weight_norm, grad_norm, update_ratio, dead_fraction FROM layer_health ' +
              'WHERE run_id = ? ORDER BY epoch, layer',
          )
          .all(runId)
      : store.db
          .prepare(
            'SELECT epoch, layer, weight_norm, grad_norm, update_ratio, dead_fraction FROM layer_health ' +
              'WHERE run_id = ? AND epoch = ? ORDER BY layer',
          )
          .all(runId, options.epoch)
  ) as {
    epoch: number;
    layer: string;
    weight_norm: number | null;
    grad_norm: number | null;
    update_ratio: number | null;
    dead_fraction: number | null;
  }[];
  return rows.map((row) => ({
    epoch: row.epoch,
    layer: row.layer,
    weightNorm: row.weight_norm,
    gradientNorm: row.grad_norm,
    updateRatio: row.update_ratio,
    deadFraction: row.dead_fraction,
  }));
}

/** Drops health recorded after `epoch` (a run resumed from an earlier checkpoint). */
export function deleteHealthAfter(store: Store, runId: string, epoch: number): void {
  store.db.prepare('DELETE FROM layer_health WHERE run_id = ? AND epoch > ?').run(runId, epoch);
}
