-- NN Lab schema, version 1.
-- Times are Unix epoch milliseconds (INTEGER). JSON columns hold UTF-8 JSON text.
-- Bulk bytes (dataset blocks, weights) live in files under the data folder; rows hold their
-- relative path, size and hash.

CREATE TABLE datasets (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL,
  source_kind      TEXT NOT NULL CHECK (source_kind IN ('csv', 'idx', 'npy', 'image-folder', 'sample')),
  task             TEXT NOT NULL CHECK (task IN ('classification', 'regression')),
  created_at       INTEGER NOT NULL,
  schema_json      TEXT NOT NULL,
  content_hash     TEXT NOT NULL,
  folder           TEXT NOT NULL UNIQUE,          -- relative to the data folder
  train_rows       INTEGER NOT NULL CHECK (train_rows >= 0),
  validation_rows  INTEGER NOT NULL CHECK (validation_rows >= 0),
  test_rows        INTEGER NOT NULL CHECK (test_rows >= 0),
  feature_shape    TEXT NOT NULL,                 -- JSON array, e.g. [28,28,1] or [4]
  bytes            INTEGER NOT NULL CHECK (bytes >= 0)
);
CREATE INDEX datasets_by_created ON datasets (created_at);

CREATE TABLE sweeps (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  config_json  TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'paused')),
  created_at   INTEGER NOT NULL,
  started_at   INTEGER,
  ended_at     INTEGER
);

CREATE TABLE runs (
  id                    TEXT PRIMARY KEY,
  name                  TEXT NOT NULL,
  config_json           TEXT NOT NULL,
  status                TEXT NOT NULL CHECK (status IN
                          ('queued', 'running', 'completed', 'failed', 'diverged', 'interrupted', 'cancelled', 'paused')),
  device                TEXT,
  adapter_json          TEXT,
  backend               TEXT,
  seed                  INTEGER NOT NULL,
  app_version           TEXT NOT NULL,
  -- A run outlives its dataset: the row keeps the content hash it trained on.
  dataset_id            TEXT REFERENCES datasets (id) ON DELETE SET NULL,
  dataset_content_hash  TEXT,
  created_at            INTEGER NOT NULL,
  started_at            INTEGER,
  ended_at              INTEGER,
  error                 TEXT,
  best_checkpoint_id    TEXT REFERENCES artifacts (id) ON DELETE SET NULL,
  last_checkpoint_id    TEXT REFERENCES artifacts (id) ON DELETE SET NULL,
  sweep_id              TEXT REFERENCES sweeps (id) ON DELETE SET NULL,
  notes                 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_created ON runs (created_at);
CREATE INDEX runs_by_dataset ON runs (dataset_id);
CREATE INDEX runs_by_sweep ON runs (sweep_id);
CREATE INDEX runs_by_status ON runs (status);

-- One value per (run, split, metric, step): an upsert replaces, never duplicates.
CREATE TABLE metrics (
  run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  split      TEXT NOT NULL,
  name       TEXT NOT NULL,
  step       INTEGER NOT NULL,
  epoch      INTEGER,
  value      REAL,
  wall_time  INTEGER NOT NULL,
  PRIMARY KEY (run_id, split, name, step)
) WITHOUT ROWID;
-- The primary key serves series reads by step; this one serves reads by epoch.
CREATE INDEX metrics_by_epoch ON metrics (run_id, split, name, epoch);

CREATE TABLE layer_health (
  run_id         TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch          INTEGER NOT NULL,
  layer          TEXT NOT NULL,
  weight_norm    REAL,
  grad_norm      REAL,
  update_ratio   REAL,
  dead_fraction  REAL,
  PRIMARY KEY (run_id, epoch, layer)
) WITHOUT ROWID;

CREATE TABLE artifacts (
  id          TEXT PRIMARY KEY,
  run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,                      -- 'checkpoint', 'model', 'report', ...
  file        TEXT NOT NULL,                      -- relative to the data folder
  size_bytes  INTEGER NOT NULL CHECK (size_bytes >= 0),
  hash        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX artifacts_by_run ON artifacts (run_id);

-- A saved model pins its artifact: deleting the run (and so its artifacts) is refused while a
-- saved model still points at one of them. Delete the model first.
CREATE TABLE models (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  run_id       TEXT REFERENCES runs (id) ON DELETE SET NULL,
  artifact_id  TEXT NOT NULL REFERENCES artifacts (id) ON DELETE RESTRICT,
  created_at   INTEGER NOT NULL
);

CREATE TABLE tags (
  run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  tag     TEXT NOT NULL,
  PRIMARY KEY (run_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_by_tag ON tags (tag);

CREATE TABLE trials (
  id           TEXT PRIMARY KEY,
  sweep_id     TEXT NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  trial_index  INTEGER NOT NULL,
  run_id       TEXT REFERENCES runs (id) ON DELETE SET NULL,
  config_json  TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN
                 ('queued', 'running', 'completed', 'failed', 'diverged', 'interrupted', 'cancelled', 'paused', 'pruned')),
  created_at   INTEGER NOT NULL,
  UNIQUE (sweep_id, trial_index)
);
CREATE INDEX trials_by_run ON trials (run_id);
