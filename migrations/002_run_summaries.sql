-- Version 2: what the run list shows without touching the metrics table, and indexes for the
-- list's sort keys.
-- last_epoch / last_step: the latest epoch and global step with a recorded metric.
-- final_metrics_json: {"split": {"name": value}}, the latest value of each series, kept up to date
-- by the host at every flush (a cache of the metrics table, rebuilt on resume).
-- planned_epochs: the epochs the config asks for, so a list can show "7 / 20".
ALTER TABLE runs ADD COLUMN last_epoch INTEGER;
ALTER TABLE runs ADD COLUMN last_step INTEGER;
ALTER TABLE runs ADD COLUMN final_metrics_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE runs ADD COLUMN planned_epochs INTEGER;

CREATE INDEX runs_by_name ON runs (name COLLATE NOCASE);
CREATE INDEX runs_by_started ON runs (started_at);
CREATE INDEX runs_by_ended ON runs (ended_at);
CREATE INDEX runs_by_status_created ON runs (status, created_at);
CREATE INDEX artifacts_by_kind ON artifacts (run_id, kind);

-- What an artifact is of: for a checkpoint {"epoch", "step", "monitorValue", "best"}, so a resume
-- knows which recorded steps come after it.
ALTER TABLE artifacts ADD COLUMN meta_json TEXT;

-- What a saved model predicts: {"task", "classNames", "featureShape", "inputKind"}, so a list of
-- models needs no file reads.
ALTER TABLE models ADD COLUMN meta_json TEXT;

-- Series reads (both axes) are range scans of the metrics primary key; the epoch index only
-- repeated every key (about 40% of the table's size) and no query uses it.
DROP INDEX metrics_by_epoch;
