-- Version 4: the final evaluation of a classification run — confusion matrix, per-class scores,
-- ROC and precision-recall curves with AUC and AP on its test split (else validation) — computed
-- by the trainer when the run completes, so Compare can show runs side by side without reloading
-- a model. One row per (run, split); a resumed run replaces it.
CREATE TABLE run_evaluations (
  run_id       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  split        TEXT NOT NULL CHECK (split IN ('validation', 'test')),
  -- The last epoch trained when it was computed (0-based).
  epoch        INTEGER,
  created_at   INTEGER NOT NULL,
  report_json  TEXT NOT NULL,
  PRIMARY KEY (run_id, split)
) WITHOUT ROWID;
