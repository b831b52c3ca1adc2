// Typed access to `run_evaluations`: a classification run's final evaluation (confusion matrix,
// per-class scores, ROC and PR curves), one JSON report per (run, split).
import type { Store } from './open-store.js';

export interface EvaluationRow {
  runId: string;
  split: 'validation' | 'test';
  epoch: number | null;
  createdAt: number;
  /** The report as the trainer computed it (core/lab/runs/evaluation.ts). */
  report: unknown;
}

/** Inserts or replaces the run's evaluation on `split`. */
export function upsertEvaluation(store: Store, row: EvaluationRow): void {
  store.db
    .prepare(
      'INSERT OR REPLACE INTO run_evaluations (run_id, split, epoch, created_at, report_json) VALUES (?, ?, ?, ?, ?)',
    )
    .run(row.runId, row.split, row.epoch, row.createdAt, JSON.stringify(row.report));
}

/** The run's evaluation: the test split's when there is one, else the validation split's. */
export function readEvaluation(store: Store, runId: string): EvaluationRow | undefined {
  const record = store.db
    .prepare(
      'SELECT run_id, split, epoch, created_at, report_json FROM run_evaluations WHERE run_id = ? ' +
        "ORDER BY CASE split WHEN 'test' THEN 0 ELSE 1 END LIMIT 1",
    )
    .get(runId) as
    | {
        run_id: string;
        split: 'validation' | 'test';
        epoch: number | null;
        created_at: number;
        report_json: string;
      }
    | undefined;
  return (
    record && {
      runId: record.run_id,
      split: record.split,
      epoch: record.epoch,
      createdAt: record.created_at,
      report: JSON.parse(record.report_json) as unknown,
    }
  );
}

/** Drops the run's evaluations (a resume recomputes them when it completes). */
export function deleteEvaluations(store: Store, runId: string): void {
  store.db.prepare('DELETE FROM run_evaluations WHERE run_id = ?').run(runId);
}
