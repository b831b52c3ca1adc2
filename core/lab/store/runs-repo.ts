// Typed access to the `runs` table: create, read, list (filter, sort, page), status changes,
// notes, and the per-run summary the list shows (last epoch, final metrics).
import type { Store } from './open-store.js';
import { tagsForRuns } from './tags-repo.js';

export const RUN_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'diverged',
  'interrupted',
  'cancelled',
  'paused',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses a run never leaves on its own (a person may still resume some of them). */
export const FINAL_STATUSES: readonly RunStatus[] = [
  'completed',
  'failed',
  'diverged',
  'interrupted',
  'cancelled',
];
/** Statuses of a run that holds (or waits for) a trainer. */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused'];

/** split → metric name → latest value (null for a non-finite one). */
export type MetricTable = Record<string, Record<string, number | null>>;

/** One run, with its JSON columns parsed and its tags. Times are Unix epoch milliseconds. */
export interface RunRow {
  id: string;
  name: string;
  status: RunStatus;
  /** The validated config (defaults filled in). */
  config: unknown;
  /** The device the run asked for or got: 'auto', 'cpu', 'gpu'. */
  device: string | null;
  /** The GPU adapter's description (vendor, architecture, …), when a GPU ran it. */
  adapter: unknown;
  /** The engine backend that ran it: 'cpu', 'webgpu'. */
  backend: string | null;
  seed: number;
  appVersion: string;
  datasetId: string | null;
  datasetContentHash: string | null;
  sweepId: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  error: string | null;
  notes: string;
  bestCheckpointId: string | null;
  lastCheckpointId: string | null;
  plannedEpochs: number | null;
  /** The latest epoch with a recorded metric (0-based), null before the first. */
  lastEpoch: number | null;
  lastStep: number | null;
  finalMetrics: MetricTable;
  tags: string[];
  /** The host process that owns the run while it is queued, running or paused (hosts-repo). */
  hostId: string | null;
}

export interface NewRun {
  id: string;
  name: string;
  config: unknown;
  status?: RunStatus;
  device?: string | null;
  seed: number;
  appVersion: string;
  datasetId?: string | null;
  datasetContentHash?: string | null;
  sweepId?: string | null;
  createdAt: number;
  plannedEpochs?: number | null;
  notes?: string;
  /** The host that queues it (hosts-repo). */
  hostId?: string | null;
}

/** Columns a host may change on an existing run. */
export interface RunPatch {
  name?: string;
  status?: RunStatus;
  device?: string | null;
  adapter?: unknown;
  backend?: string | null;
  datasetContentHash?: string | null;
  startedAt?: number | null;
  endedAt?: number | null;
  error?: string | null;
  notes?: string;
  bestCheckpointId?: string | null;
  lastCheckpointId?: string | null;
  plannedEpochs?: number | null;
}

interface RunRecord {
  id: string;
  name: string;
  config_json: string;
  status: RunStatus;
  device: string | null;
  adapter_json: string | null;
  backend: string | null;
  seed: number;
  app_version: string;
  dataset_id: string | null;
  dataset_content_hash: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  error: string | null;
  best_checkpoint_id: string | null;
  last_checkpoint_id: string | null;
  sweep_id: string | null;
  notes: string;
  last_epoch: number | null;
  last_step: number | null;
  final_metrics_json: string;
  planned_epochs: number | null;
  host_id: string | null;
}

const columns =
  'id, name, config_json, status, device, adapter_json, backend, seed, app_version, dataset_id, ' +
  'dataset_content_hash, created_at, started_at, ended_at, error, best_checkpoint_id, ' +
  'last_checkpoint_id, sweep_id, notes, last_epoch, last_step, final_metrics_json, planned_epochs, host_id';

function fromRecord(record: RunRecord, tags: string[]): RunRow {
  return {
    id: record.id,
    name: record.name,
    status: record.status,
    config: JSON.parse(record.config_json) as unknown,
    device: record.device,
    adapter: record.adapter_json === null ? null : (JSON.parse(record.adapter_json) as unknown),
    backend: record.backend,
    seed: record.seed,
    appVersion: record.app_version,
    datasetId: record.dataset_id,
    datasetContentHash: record.dataset_content_hash,
    sweepId: record.sweep_id,
    createdAt: record.created_at,
    startedAt: record.started_at,
    endedAt: record.ended_at,
    error: record.error,
    notes: record.notes,
    bestCheckpointId: record.best_checkpoint_id,
    lastCheckpointId: record.last_checkpoint_id,
    plannedEpochs: record.planned_epochs,
    lastEpoch: record.last_epoch,
    lastStep: record.last_step,
    finalMetrics: JSON.parse(record.final_metrics_json) as MetricTable,
    tags,
    hostId: record.host_id,
  };
}

export function insertRun(store: Store, run: NewRun): RunRow {
  store.db
    .prepare(
      `INSERT INTO runs (id, name, config_json, status, device, seed, app_version, dataset_id, ` +
        `dataset_content_hash, created_at, sweep_id, notes, planned_epochs, host_id) VALUES (@id, @name, ` +
        `@config_json, @status, @device, @seed, @app_version, @dataset_id, @dataset_content_hash, ` +
        `@created_at, @sweep_id, @notes, @planned_epochs, @host_id)`,
    )
    .run({
      id: run.id,
      name: run.name,
      config_json: JSON.stringify(run.config),
      status: run.status ?? 'queued',
      device: run.device ?? null,
      seed: run.seed,
      app_version: run.appVersion,
      dataset_id: run.datasetId ?? null,
      dataset_content_hash: run.datasetContentHash ?? null,
      created_at: run.createdAt,
      sweep_id: run.sweepId ?? null,
      notes: run.notes ?? '',
      planned_epochs: run.plannedEpochs ?? null,
      host_id: run.hostId ?? null,
    });
  return getRun(store, run.id)!;
}

export function getRun(store: Store, id: string): RunRow | undefined {
  const record = store.db.prepare(`SELECT ${columns} FROM runs WHERE id = ?`).get(id) as
    RunRecord | undefined;
  return record ? fromRecord(record, tagsForRuns(store, [id]).get(id) ?? []) : undefined;
}

const patchColumns: Record<keyof RunPatch, string> = {
  name: 'name',
  status: 'status',
  device: 'device',
  adapter: 'adapter_json',
  backend: 'backend',
  datasetContentHash: 'dataset_content_hash',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  error: 'error',
  notes: 'notes',
  bestCheckpointId: 'best_checkpoint_id',
  lastCheckpointId: 'last_checkpoint_id',
  plannedEpochs: 'planned_epochs',
};

/** Changes the given columns; false when there is no such run. */
export function updateRun(store: Store, id: string, patch: RunPatch): boolean {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch) as [keyof RunPatch, unknown][]) {
    if (value === undefined) continue;
    sets.push(`${patchColumns[key]} = ?`);
    values.push(key === 'adapter' ? (value === null ? null : JSON.stringify(value)) : value);
  }
  if (sets.length === 0) return getRunStatus(store, id) !== undefined;
  return store.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id).changes > 0;
}

export function getRunStatus(store: Store, id: string): RunStatus | undefined {
  const row = store.db.prepare('SELECT status FROM runs WHERE id = ?').get(id) as
    { status: RunStatus } | undefined;
  return row?.status;
}

export function setRunNotes(store: Store, id: string, notes: string): boolean {
  return updateRun(store, id, { notes });
}

export type RunSortKey = 'createdAt' | 'name' | 'status' | 'startedAt' | 'endedAt';

export interface RunListQuery {
  filter?: {
    status?: readonly RunStatus[];
    datasetId?: string;
    sweepId?: string;
    /** Runs carrying every one of these tags. */
    tags?: readonly string[];
    /** Case-insensitive substring of the name or notes. */
    search?: string;
  };
  /** Defaults to createdAt, descending. */
  sort?: { by?: RunSortKey; direction?: 'asc' | 'desc' };
  /** Defaults to offset 0, limit 50. */
  page?: { offset?: number; limit?: number };
}

const sortColumns: Record<RunSortKey, string> = {
  createdAt: 'created_at',
  name: 'name COLLATE NOCASE',
  status: 'status',
  startedAt: 'started_at',
  endedAt: 'ended_at',
};

/** One page of runs and the number matching the filter. */
export function listRuns(store: Store, query: RunListQuery = {}): { runs: RunRow[]; total: number } {
  const where: string[] = [];
  const params: unknown[] = [];
  const filter = query.filter ?? {};
  if (filter.status && filter.status.length > 0) {
    where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
    params.push(...filter.status);
  }
  if (filter.datasetId !== undefined) {
    where.push('dataset_id = ?');
    params.push(filter.datasetId);
  }
  if (filter.sweepId !== undefined) {
    where.push('sweep_id = ?');
    params.push(filter.sweepId);
  }
  for (const tag of new Set(filter.tags ?? [])) {
    where.push('id IN (SELECT run_id FROM tags WHERE tag = ?)');
    params.push(tag);
  }
  if (filter.search) {
    // instr on lower() is a plain substring test: no LIKE wildcards to escape.
    where.push('(instr(lower(name), ?) > 0 OR instr(lower(notes), ?) > 0)');
    const needle = filter.search.toLowerCase();
    params.push(needle, needle);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const by = sortColumns[query.sort?.by ?? 'createdAt'];
  const direction = query.sort?.direction === 'asc' ? 'ASC' : 'DESC';
  const limit = Math.max(1, Math.min(10_000, Math.floor(query.page?.limit ?? 50)));
  const offset = Math.max(0, Math.floor(query.page?.offset ?? 0));
  const total = (
    store.db.prepare(`SELECT count(*) AS n FROM runs ${whereSql}`).get(...params) as { n: number }
  ).n;
  const records = store.db
    .prepare(
      `SELECT ${columns} FROM runs ${whereSql} ORDER BY ${by} ${direction}, id ${direction} LIMIT ? OFFSET ?`,
    )
    .all(...params, limit, offset) as RunRecord[];
  const tags = tagsForRuns(
    store,
    records.map((record) => record.id),
  );
  return { runs: records.map((record) => fromRecord(record, tags.get(record.id) ?? [])), total };
}

/** Thrown when a run cannot be deleted because saved models were made from it. */
export class RunInUseError extends Error {
  constructor(
    readonly runId: string,
    readonly modelNames: string[],
  ) {
    super(
      `Run ${runId} cannot be deleted: the saved model(s) ${modelNames.map((n) => `'${n}'`).join(', ')} ` +
        `were made from it. Delete those models first.`,
    );
    this.name = 'RunInUseError';
  }
}

/**
 * Deletes the run's row and, by cascade, its metrics, health, artifacts rows and tags. The files
 * under the run's folder are the caller's to remove (see `deleteRunFiles` in core/lab/runs).
 * Refused with RunInUseError while a saved model points at one of its artifacts.
 */
export function deleteRunRow(store: Store, id: string): boolean {
  return store.db.transaction(() => {
    const models = store.db
      .prepare('SELECT m.name FROM models m JOIN artifacts a ON a.id = m.artifact_id WHERE a.run_id = ?')
      .all(id) as { name: string }[];
    if (models.length > 0)
      throw new RunInUseError(
        id,
        models.map((model) => model.name),
      );
    return store.db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
  })();
}
