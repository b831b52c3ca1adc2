// Typed access to `hosts` and the run-ownership columns of `runs`: which host process (the CLI,
// `nnlab serve`, the desktop app) owns which queued, running or paused run, so several hosts can
// share one database without stepping on each other's runs. Whether a host is still alive is the
// caller's judgement (core/lab/runs/host-lease.ts); these functions only read and write rows.
import type { Store } from './open-store.js';
import type { RunStatus } from './runs-repo.js';

export interface HostRow {
  id: string;
  pid: number;
  hostname: string;
  /** The OS's start mark for the pid, or null where it gives none. */
  processStart: string | null;
  startedAt: number;
  heartbeatAt: number;
}

interface HostRecord {
  id: string;
  pid: number;
  hostname: string;
  process_start: string | null;
  started_at: number;
  heartbeat_at: number;
}

const fromRecord = (record: HostRecord): HostRow => ({
  id: record.id,
  pid: record.pid,
  hostname: record.hostname,
  processStart: record.process_start,
  startedAt: record.started_at,
  heartbeatAt: record.heartbeat_at,
});

export function insertHost(store: Store, host: HostRow): void {
  store.db
    .prepare(
      'INSERT INTO hosts (id, pid, hostname, process_start, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(host.id, host.pid, host.hostname, host.processStart, host.startedAt, host.heartbeatAt);
}

/** Refreshes the host's heartbeat; false when its row is gone (another host judged it dead). */
export function touchHost(store: Store, id: string, now: number): boolean {
  return store.db.prepare('UPDATE hosts SET heartbeat_at = ? WHERE id = ?').run(now, id).changes > 0;
}

export function listHosts(store: Store): HostRow[] {
  return (store.db.prepare('SELECT * FROM hosts ORDER BY started_at').all() as HostRecord[]).map(fromRecord);
}

export function getHost(store: Store, id: string): HostRow | undefined {
  const record = store.db.prepare('SELECT * FROM hosts WHERE id = ?').get(id) as HostRecord | undefined;
  return record && fromRecord(record);
}

/** Deletes host rows; their runs' `host_id` becomes null (the foreign key's ON DELETE SET NULL). */
export function deleteHosts(store: Store, ids: readonly string[]): void {
  const statement = store.db.prepare('DELETE FROM hosts WHERE id = ?');
  for (const id of ids) statement.run(id);
}

/** The host that owns a run, or null (none, or its host is gone). */
export function runHostId(store: Store, runId: string): string | null {
  const row = store.db.prepare('SELECT host_id FROM runs WHERE id = ?').get(runId) as
    { host_id: string | null } | undefined;
  return row?.host_id ?? null;
}

export function setRunHost(store: Store, runId: string, hostId: string | null): void {
  store.db.prepare('UPDATE runs SET host_id = ? WHERE id = ?').run(hostId, runId);
}

/**
 * Marks `interrupted` the running or paused runs that no live host owns: those owned by one of
 * `deadHostIds`, or by no host at all (a host that stopped cleanly, or a database from before
 * hosts were recorded). Returns their ids. Call inside an immediate transaction.
 */
export function markOrphanedRunsInterrupted(
  store: Store,
  deadHostIds: readonly string[],
  now = Date.now(),
): string[] {
  const owners = deadHostIds.length ? ` OR host_id IN (${deadHostIds.map(() => '?').join(', ')})` : '';
  const where = `status IN ('running', 'paused') AND (host_id IS NULL${owners})`;
  const ids = (
    store.db.prepare(`SELECT id FROM runs WHERE ${where}`).all(...deadHostIds) as { id: string }[]
  ).map((row) => row.id);
  store.db
    .prepare(
      `UPDATE runs SET status = 'interrupted', ended_at = coalesce(ended_at, ?), ` +
        `error = coalesce(error, 'the host stopped while the run was training'), cancel_requested_at = NULL ` +
        `WHERE ${where}`,
    )
    .run(now, ...deadHostIds);
  return ids;
}

/**
 * Gives `hostId` the queued runs that no live host owns (as `markOrphanedRunsInterrupted`), so
 * runs queued by a host that is gone still run. Returns the ids of every queued run `hostId` owns
 * now, oldest first (the order they run in). Call inside an immediate transaction.
 */
export function adoptQueuedRuns(store: Store, hostId: string, deadHostIds: readonly string[]): string[] {
  const owners = deadHostIds.length ? ` OR host_id IN (${deadHostIds.map(() => '?').join(', ')})` : '';
  store.db
    .prepare(`UPDATE runs SET host_id = ? WHERE status = 'queued' AND (host_id IS NULL${owners})`)
    .run(hostId, ...deadHostIds);
  return (
    store.db
      .prepare(`SELECT id FROM runs WHERE status = 'queued' AND host_id = ? ORDER BY created_at, id`)
      .all(hostId) as { id: string }[]
  ).map((row) => row.id);
}

/** Asks the run's owner to cancel it (see `cancelRequestsFor`). */
export function requestCancel(store: Store, runId: string, now = Date.now()): void {
  store.db.prepare('UPDATE runs SET cancel_requested_at = ? WHERE id = ?').run(now, runId);
}

/** Live runs of `hostId` that another host asked to cancel; clears the requests it returns. */
export function takeCancelRequests(store: Store, hostId: string): string[] {
  const live: RunStatus[] = ['queued', 'running', 'paused'];
  const where = `host_id = ? AND cancel_requested_at IS NOT NULL`;
  const ids = (
    store.db
      .prepare(`SELECT id FROM runs WHERE ${where} AND status IN (${live.map(() => '?').join(', ')})`)
      .all(hostId, ...live) as { id: string }[]
  ).map((row) => row.id);
  if (ids.length > 0)
    store.db.prepare(`UPDATE runs SET cancel_requested_at = NULL WHERE ${where}`).run(hostId);
  return ids;
}
