-- Version 3: several hosts on one database. The CLI, `nnlab serve` and the desktop app may open
-- the same data folder at once; each registers itself here while its run queue is live, and
-- each run records the host that trains (or queued) it. A host marks `interrupted` only the runs
-- of hosts that are gone, never those of a live neighbour.
CREATE TABLE hosts (
  id             TEXT PRIMARY KEY,
  pid            INTEGER NOT NULL,
  hostname       TEXT NOT NULL,
  -- What the OS says about when that pid started (Linux: /proc/<pid>/stat field 22), so a pid
  -- reused by another program is not taken for the host; null where the OS does not say.
  process_start  TEXT,
  started_at     INTEGER NOT NULL,
  -- Refreshed every few seconds; a host whose liveness cannot be checked through its pid
  -- (another machine, no start mark) is gone once this is older than the lease.
  heartbeat_at   INTEGER NOT NULL
);

-- The host that owns the run while it is queued, running or paused. A host that shuts down
-- cleanly deletes its row, which clears this column.
ALTER TABLE runs ADD COLUMN host_id TEXT REFERENCES hosts (id) ON DELETE SET NULL;
-- Set by another host that was asked to cancel the run; the owner sees it on its next heartbeat
-- and cancels, so a run's status and metrics are only ever written by the host that trains it.
ALTER TABLE runs ADD COLUMN cancel_requested_at INTEGER;
CREATE INDEX runs_by_host ON runs (host_id, status);
