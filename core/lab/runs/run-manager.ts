// The run manager: the host side of training. It queues runs with a concurrency limit, starts
// one trainer process per run, records what trainers report (metrics in one transaction per
// flush), fans events out to subscribers, and turns every way a trainer can end into a status.
import { fork, type ChildProcess } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addTags,
  deleteEvaluations,
  deleteHealthAfter,
  deleteMetricsAfter,
  deleteRunRow,
  ACTIVE_STATUSES,
  FINAL_STATUSES,
  getArtifact,
  getDataset,
  getRun,
  insertRun,
  listDatasets,
  recomputeRunSummary,
  requestCancel,
  removeTags,
  RunInUseError,
  setRunHost,
  setRunNotes,
  takeCancelRequests,
  updateRun,
  upsertEvaluation,
  type LayerHealthRow,
  type MetricTable,
  type RunRow,
  type RunStatus,
  type Store,
} from '../store/index.js';
import { runFolder } from '../paths.js';
import {
  defaultLoss,
  defaultMetrics,
  parseRunConfig,
  RunConfigError,
  type DeviceChoice,
  type RunConfig,
} from './config.js';
import { AUTO_GPU_MIN_FLOPS_PER_SAMPLE, type DeviceReport } from './device.js';
import { probeDevice } from './device-probe.js';
import { HostLease } from './host-lease.js';
import { RunRecorder } from './run-recorder.js';
import '../../engine/index.js'; // installs the default CPU backend that countParameters builds on
import { Sequential, type ModelSpec } from '../../engine/nn/index.js';
import { parseTrainerMessage, type HostMessage, type ResumeFrom, type TrainerMessage } from './protocol.js';

export interface RunManagerOptions {
  store: Store;
  /** The data folder: datasets, run folders (checkpoints) live under it. */
  dataDir: string;
  /** CPU trials at once. Defaults to the number of cores. */
  maxCpuTrials?: number;
  /** GPU trials at once. Defaults to 1 (one trial owns the GPU). */
  maxGpuTrials?: number;
  /** Milliseconds between metric flushes. Defaults to 250. */
  flushIntervalMs?: number;
  /** Milliseconds a cancelled or shut-down trainer gets to exit before SIGKILL. Defaults to 1000. */
  killGraceMs?: number;
  /** Recorded on each run. Defaults to package.json's version. */
  appVersion?: string;
  /** The trainer entry module. Defaults to ./trainer-main.ts beside this file. */
  trainerEntry?: string;
  /** Node flags for the trainer. Defaults to `['--import', 'tsx']` (see `spawnTrainer`). */
  trainerExecArgv?: string[];
  /** Extra environment for trainers (e.g. NNLAB_DISABLE_GPU), over this process's. */
  trainerEnv?: Record<string, string>;
  /**
   * Milliseconds between host heartbeats; each also looks for runs of hosts that are gone and
   * for cancel requests from other hosts. Defaults to 2000.
   */
  heartbeatMs?: number;
  /** A host on another machine is gone after this many ms without a heartbeat. Defaults to 30000. */
  hostLeaseMs?: number;
}

export interface CreateRunOverrides {
  device?: DeviceChoice;
  seed?: number;
  name?: string;
  sweepId?: string;
}

/** Everything subscribers hear. Runs are named by id; read the row for the rest. */
export type RunEvent =
  | { type: 'created'; runId: string }
  | { type: 'status'; runId: string; status: RunStatus; error: string | null }
  | {
      type: 'progress';
      runId: string;
      epoch: number;
      /** Planned epochs, when known. */
      epochs: number | null;
      /** The global step (steps done since the run began). */
      step: number;
      /** Steps in one epoch, when known: with `step`, how far the current epoch is. */
      stepsPerEpoch: number | null;
      /** The latest value of each metric in this update: split → name → value. */
      metrics: MetricTable;
      samplesPerSecond: number | null;
      etaSeconds: number | null;
    }
  | { type: 'health'; runId: string; epoch: number; layers: LayerHealthRow[] }
  | { type: 'checkpoint'; runId: string; artifactId: string; epoch: number; best: boolean }
  | { type: 'diagnostic'; runId: string; level: 'info' | 'warning'; message: string }
  /** The final evaluation of a classification run was stored (readEvaluation). */
  | { type: 'evaluation'; runId: string; split: 'validation' | 'test' }
  /** Tags, notes or name changed. */
  | { type: 'changed'; runId: string }
  | { type: 'deleted'; runId: string };

export type RunEventListener = (event: RunEvent) => void;

/** No run with this id. */
export class RunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`No run with id '${runId}'.`);
    this.name = 'RunNotFoundError';
  }
}

/** The run's status forbids the request (e.g. pausing a completed run). */
export class RunStateError extends Error {
  constructor(
    readonly runId: string,
    readonly status: RunStatus,
    action: string,
    allowed: readonly RunStatus[],
  ) {
    super(`Cannot ${action} run ${runId}: it is ${status}; only a ${allowed.join(' or ')} run can be.`);
    this.name = 'RunStateError';
  }
}

/**
 * Another live host process (the CLI, the desktop app, `nnlab serve`) trains the run; only it
 * may pause, resume or delete it. Cancel works from any host (it is passed on).
 */
export class RunOwnedElsewhereError extends Error {
  constructor(
    readonly runId: string,
    readonly pid: number,
    readonly hostname: string,
    action: string,
  ) {
    super(
      `Cannot ${action} run ${runId}: another NN Lab process (pid ${pid} on ${hostname}) is training it; ` +
        `${action} it there, or cancel it from here.`,
    );
    this.name = 'RunOwnedElsewhereError';
  }
}

export { RunConfigError, RunInUseError };

type Slot = 'cpu' | 'gpu';

interface ActiveTrainer {
  runId: string;
  child: ChildProcess;
  slot: Slot;
  /** The last `finished` or `failed` message: the run's outcome. */
  outcome: TrainerMessage | null;
  /** Why the host ended it: a person cancelled, or the host is shutting down. */
  stopping: 'cancel' | 'shutdown' | null;
  /** Set when the trainer broke the protocol; becomes the run's error. */
  protocolError: string | null;
  plannedEpochs: number | null;
  /** Steps in one epoch, from the trainer's `started` message. */
  stepsPerEpoch: number | null;
  stderrTail: string;
  killTimer: NodeJS.Timeout | null;
  exited: Promise<void>;
}

const CANCELLABLE: readonly RunStatus[] = ['queued', 'running', 'paused'];
const RESUMABLE: readonly RunStatus[] = ['interrupted', 'failed', 'cancelled'];

function readAppVersion(): string {
  try {
    const file = fileURLToPath(new URL('../../../package.json', import.meta.url));
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Queues and runs training runs in trainer processes.
 *
 * @example
 * const manager = new RunManager({ store, dataDir });
 * manager.start();
 * const run = manager.createRun(yamlText, { seed: 1 });
 * const off = manager.subscribe((event) => console.log(event));
 * const done = await manager.waitFor(run.id); // done.status: 'completed', 'failed', …
 */
export class RunManager {
  readonly store: Store;
  readonly dataDir: string;
  readonly maxCpuTrials: number;
  readonly maxGpuTrials: number;
  private readonly flushIntervalMs: number;
  private readonly killGraceMs: number;
  private readonly appVersion: string;
  private readonly trainerEntry: string;
  private readonly trainerExecArgv: string[];
  private readonly trainerEnv: Record<string, string>;
  private readonly heartbeatMs: number;
  /** This host's registration: the runs it owns, and how it tells other hosts alive or gone. */
  private readonly lease: HostLease;
  /** Trainable parameters per run (the `auto` device rule), computed once per host life. */
  private readonly parameters = new Map<string, number>();

  private readonly listeners = new Set<RunEventListener>();
  private readonly active = new Map<string, ActiveTrainer>();
  /** Queued run ids in the order they start. */
  private queue: string[] = [];
  private readonly waiters = new Map<string, ((run: RunRow) => void)[]>();
  /** Buffered metrics and health, and checkpoints as artifacts (run-recorder.ts). */
  private readonly recorder: RunRecorder;
  private flushTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private deviceReport: Promise<DeviceReport> | null = null;
  private started = false;
  private shuttingDown = false;

  constructor(options: RunManagerOptions) {
    this.store = options.store;
    this.dataDir = options.dataDir;
    this.recorder = new RunRecorder(this.store, this.dataDir);
    this.maxCpuTrials = Math.max(1, Math.floor(options.maxCpuTrials ?? availableParallelism()));
    this.maxGpuTrials = Math.max(1, Math.floor(options.maxGpuTrials ?? 1));
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.killGraceMs = options.killGraceMs ?? 1000;
    this.appVersion = options.appVersion ?? readAppVersion();
    this.trainerEntry = options.trainerEntry ?? fileURLToPath(new URL('./trainer-main.ts', import.meta.url));
    this.trainerExecArgv = options.trainerExecArgv ?? ['--import', 'tsx'];
    this.trainerEnv = options.trainerEnv ?? {};
    this.heartbeatMs = options.heartbeatMs ?? 2000;
    this.lease = new HostLease(this.store, options.hostLeaseMs ?? 30_000);
  }

  /** This host's id in the `hosts` table (registered on the first run created, or at start). */
  get hostId(): string {
    return this.lease.id;
  }

  // -------------------------------------------------------------------------------------------
  // Creating and scheduling

  /**
   * Validates a config (object, or JSON/YAML text), resolves its dataset (id or exact name),
   * fills in defaults (task, loss, metrics, seed, device) and queues the run. It starts when
   * `start()` has been called and a slot is free. Throws RunConfigError for a bad config.
   */
  createRun(
    config: RunConfig | Record<string, unknown> | string,
    overrides: CreateRunOverrides = {},
  ): RunRow {
    if (this.shuttingDown) throw new Error('The run manager is shutting down; no new runs.');
    const parsed = parseRunConfig(config);
    const dataset =
      getDataset(this.store, parsed.dataset) ??
      listDatasets(this.store).find((d) => d.name === parsed.dataset);
    if (!dataset) {
      const names = listDatasets(this.store).map((d) => `'${d.name}' (${d.id})`);
      throw new RunConfigError([
        `dataset: no dataset '${parsed.dataset}'. ` +
          (names.length > 0
            ? `Known datasets: ${names.join(', ')}`
            : 'Import one first (nnlab datasets import).'),
      ]);
    }
    const task = parsed.task ?? dataset.task;
    let parameters: number;
    try {
      parameters = countParameters(parsed, dataset.featureShape);
    } catch (error) {
      throw new RunConfigError([`model: ${(error as Error).message}`]);
    }
    const seed = overrides.seed ?? parsed.seed ?? randomInt(0, 2 ** 31 - 1);
    const device = overrides.device ?? parsed.device;
    const full: RunConfig = {
      ...parsed,
      dataset: dataset.id,
      task,
      seed,
      device,
      training: {
        ...parsed.training,
        loss: parsed.training.loss ?? defaultLoss(task),
        metrics: parsed.training.metrics ?? defaultMetrics(task),
      },
    };
    if (overrides.name !== undefined) full.name = overrides.name;
    const id = randomUUID();
    const run = insertRun(this.store, {
      id,
      name: full.name ?? `${dataset.name} ${id.slice(0, 8)}`,
      config: full,
      status: 'queued',
      device,
      seed,
      appVersion: this.appVersion,
      datasetId: dataset.id,
      datasetContentHash: dataset.contentHash,
      sweepId: overrides.sweepId ?? null,
      createdAt: Date.now(),
      plannedEpochs: full.training.epochs,
      hostId: this.lease.ensure(),
    });
    this.parameters.set(id, parameters);
    this.queue.push(id);
    this.emit({ type: 'created', runId: id });
    this.pump();
    return run;
  }

  /**
   * Begins running queued runs. First marks `interrupted` the runs left `running` or `paused` by
   * a host that is gone (never those of another live host sharing the database), and adopts the
   * runs such hosts left `queued`. Idempotent.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.sweepHosts();
    this.flushTimer = setInterval(() => this.flush(), this.flushIntervalMs);
    this.flushTimer.unref();
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
    this.pump();
  }

  /** Interrupts runs of gone hosts (telling subscribers) and queues the runs this host owns. */
  private sweepHosts(): void {
    const { interrupted, queued } = this.lease.sweep();
    for (const runId of interrupted) {
      const run = getRun(this.store, runId);
      if (run) this.emit({ type: 'status', runId, status: run.status, error: run.error });
    }
    const known = new Set(this.queue);
    for (const id of queued) if (!known.has(id)) this.queue.push(id);
    this.queue = this.queue.filter((id) => getRun(this.store, id)?.status === 'queued');
  }

  private heartbeat(): void {
    if (this.shuttingDown) return;
    try {
      this.lease.heartbeat();
      for (const runId of takeCancelRequests(this.store, this.lease.id)) {
        try {
          this.cancel(runId);
        } catch {
          // It ended meanwhile: nothing to cancel.
        }
      }
      this.sweepHosts();
      this.pump();
    } catch {
      // A busy or closing database: the next beat tries again.
    }
  }

  /**
   * The device a run would get (the GPU adapter, or why there is none), asked of a short-lived
   * trainer process once per host life; `refresh` asks again (e.g. after a driver update).
   */
  detectDevice(refresh = false): Promise<DeviceReport> {
    if (refresh || !this.deviceReport) {
      const probe = probeDevice(() => this.spawnTrainer());
      this.deviceReport = probe;
      // A failed probe is not cached: the next call tries again.
      probe.catch(() => {
        if (this.deviceReport === probe) this.deviceReport = null;
      });
    }
    return this.deviceReport;
  }

  /** The run's row, or undefined. */
  get(id: string): RunRow | undefined {
    return getRun(this.store, id);
  }

  /** The trainer's process id while one runs for the run (diagnostics, tests). */
  trainerPid(id: string): number | undefined {
    return this.active.get(id)?.child.pid;
  }

  /** Whether a trainer process is alive for the run. */
  isActive(id: string): boolean {
    return this.active.has(id);
  }

  /**
   * `gpu` runs take a GPU slot; `auto` runs too when the model is big enough for the trainer's
   * rule (device.ts) to pick the GPU. The trainer decides for good (it may fall back to the CPU).
   */
  private slotFor(run: RunRow): Slot {
    if (run.device === 'gpu') return 'gpu';
    if (run.device !== 'auto') return 'cpu';
    let parameters = this.parameters.get(run.id);
    if (parameters === undefined) {
      const dataset = run.datasetId ? getDataset(this.store, run.datasetId) : undefined;
      try {
        parameters = dataset ? countParameters(run.config as RunConfig, dataset.featureShape) : 0;
      } catch {
        parameters = 0;
      }
      this.parameters.set(run.id, parameters);
    }
    return parameters >= AUTO_GPU_MIN_FLOPS_PER_SAMPLE ? 'gpu' : 'cpu';
  }

  private pump(): void {
    if (!this.started || this.shuttingDown) return;
    const busy = { cpu: 0, gpu: 0 };
    for (const trainer of this.active.values()) busy[trainer.slot]++;
    const remaining: string[] = [];
    for (const id of this.queue) {
      const run = getRun(this.store, id);
      if (!run || run.status !== 'queued') continue;
      const slot = this.slotFor(run);
      const limit = slot === 'gpu' ? this.maxGpuTrials : this.maxCpuTrials;
      if (busy[slot] < limit) {
        busy[slot]++;
        this.launch(run, slot);
      } else {
        remaining.push(id);
      }
    }
    this.queue = remaining;
  }

  // -------------------------------------------------------------------------------------------
  // The trainer process

  /**
   * Starts the trainer. The entry is TypeScript, so the child runs with `--import tsx` (tsx is
   * a dependency) to load it; a packaged app points `trainerEntry` at built JS and passes no flags.
   */
  private spawnTrainer(): ChildProcess {
    return fork(this.trainerEntry, [], {
      execArgv: this.trainerExecArgv,
      env: { ...process.env, ...this.trainerEnv },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
  }

  private launch(run: RunRow, slot: Slot): void {
    const resume = this.resumePoint(run);
    const now = Date.now();
    setRunHost(this.store, run.id, this.lease.ensure());
    updateRun(this.store, run.id, {
      status: 'running',
      startedAt: run.startedAt ?? now,
      endedAt: null,
      error: null,
    });
    this.emit({ type: 'status', runId: run.id, status: 'running', error: null });

    let child: ChildProcess;
    try {
      child = this.spawnTrainer();
    } catch (error) {
      this.finalize(run.id, 'failed', `could not start the trainer process: ${(error as Error).message}`);
      return;
    }
    let resolveExit!: () => void;
    const trainer: ActiveTrainer = {
      runId: run.id,
      child,
      slot,
      outcome: null,
      stopping: null,
      protocolError: null,
      plannedEpochs: run.plannedEpochs,
      stepsPerEpoch: null,
      stderrTail: '',
      killTimer: null,
      exited: new Promise<void>((resolve) => (resolveExit = resolve)),
    };
    this.active.set(run.id, trainer);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      trainer.stderrTail = (trainer.stderrTail + chunk).slice(-4000);
    });
    child.on('message', (data: unknown) => this.onMessage(trainer, data));
    let exitHandled = false;
    const onExit = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (exitHandled) return;
      exitHandled = true;
      this.onExit(trainer, code, signal, spawnError);
      resolveExit();
    };
    child.on('exit', (code, signal) => onExit(code, signal));
    child.on('error', (error) => {
      // 'error' without a pid means it never started; otherwise 'exit' follows.
      if (child.pid === undefined) onExit(null, null, error);
    });
    const config = run.config as RunConfig;
    this.send(trainer, {
      type: 'job',
      runId: run.id,
      config: config as unknown as Record<string, unknown>,
      dataDir: this.dataDir,
      datasetId: run.datasetId ?? config.dataset,
      seed: run.seed,
      device: (run.device ?? config.device) as DeviceChoice,
      runFolder: runFolder(run.id),
      resume,
    });
  }

  /** A queued run with a last checkpoint resumes from it (see resumeFromCheckpoint). */
  private resumePoint(run: RunRow): ResumeFrom | null {
    if (!run.lastCheckpointId) return null;
    const last = getArtifact(this.store, run.lastCheckpointId);
    if (!last) return null;
    const best = run.bestCheckpointId ? getArtifact(this.store, run.bestCheckpointId) : undefined;
    const bestValue = best?.meta?.monitorValue;
    return { checkpointFile: last.file, bestMonitorValue: typeof bestValue === 'number' ? bestValue : null };
  }

  private send(trainer: ActiveTrainer, message: HostMessage): void {
    if (!trainer.child.connected) return;
    try {
      trainer.child.send(message);
    } catch {
      // The channel closed under us: the exit handler records why.
    }
  }

  private onMessage(trainer: ActiveTrainer, data: unknown): void {
    let message: TrainerMessage;
    try {
      message = parseTrainerMessage(data);
    } catch (error) {
      trainer.protocolError = (error as Error).message;
      trainer.child.kill('SIGKILL');
      return;
    }
    const runId = trainer.runId;
    // After a cancel or shutdown nothing more is recorded: what was there stays as it was.
    if (trainer.stopping && message.type !== 'finished' && message.type !== 'failed') return;
    switch (message.type) {
      case 'started':
        trainer.plannedEpochs = message.epochs;
        trainer.stepsPerEpoch = message.stepsPerEpoch;
        updateRun(this.store, runId, {
          device: message.device,
          backend: message.backend,
          adapter: message.adapter,
          datasetContentHash: message.datasetContentHash,
          plannedEpochs: message.epochs,
        });
        this.emit({ type: 'diagnostic', runId, level: 'info', message: describeStart(message) });
        return;
      case 'progress': {
        this.recorder.add(runId, message.points, message.health ?? []);
        if (message.health && message.health.length > 0) {
          this.emit({ type: 'health', runId, epoch: message.health[0]!.epoch, layers: message.health });
        }
        const metrics: MetricTable = {};
        for (const point of message.points) (metrics[point.split] ??= {})[point.name] = point.value;
        this.emit({
          type: 'progress',
          runId,
          epoch: message.epoch,
          epochs: trainer.plannedEpochs,
          step: message.step,
          stepsPerEpoch: trainer.stepsPerEpoch,
          metrics,
          samplesPerSecond: message.samplesPerSecond,
          etaSeconds: message.etaSeconds,
        });
        return;
      }
      case 'checkpoint': {
        const artifactId = this.recorder.checkpoint(runId, message);
        if (artifactId)
          this.emit({ type: 'checkpoint', runId, artifactId, epoch: message.epoch, best: message.best });
        return;
      }
      case 'diagnostic':
        this.emit({ type: 'diagnostic', runId, level: message.level, message: message.message });
        return;
      case 'evaluation':
        upsertEvaluation(this.store, {
          runId,
          split: message.split,
          epoch: message.epoch,
          createdAt: Date.now(),
          report: message.report,
        });
        this.emit({ type: 'evaluation', runId, split: message.split });
        return;
      case 'paused':
        this.setStatus(runId, 'paused', null);
        return;
      case 'resumed':
        this.setStatus(runId, 'running', null);
        return;
      case 'finished':
      case 'failed':
        trainer.outcome = message;
        return;
    }
  }

  private onExit(
    trainer: ActiveTrainer,
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError?: Error,
  ): void {
    if (trainer.killTimer) clearTimeout(trainer.killTimer);
    this.flush();
    this.active.delete(trainer.runId);
    const { status, error } = this.outcomeOf(trainer, code, signal, spawnError);
    this.finalize(trainer.runId, status, error);
    this.pump();
  }

  /** The run's outcome comes from its last message; the exit code only explains a silent death. */
  private outcomeOf(
    trainer: ActiveTrainer,
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError?: Error,
  ): { status: RunStatus; error: string | null } {
    if (trainer.stopping === 'cancel') return { status: 'cancelled', error: null };
    if (trainer.stopping === 'shutdown') {
      return { status: 'interrupted', error: 'the host shut down while the run was training' };
    }
    if (trainer.protocolError) return { status: 'failed', error: trainer.protocolError };
    const outcome = trainer.outcome;
    if (outcome?.type === 'finished') {
      return { status: outcome.outcome, error: outcome.outcome === 'diverged' ? outcome.message : null };
    }
    if (outcome?.type === 'failed') return { status: 'failed', error: outcome.error };
    const how = spawnError
      ? `could not start (${spawnError.message})`
      : signal
        ? `was killed by ${signal}`
        : `exited with code ${code}`;
    const tail = trainer.stderrTail.trim().split('\n').slice(-5).join('\n');
    return {
      status: 'failed',
      error: `the trainer process ${how} without finishing${tail ? `; its last output:\n${tail}` : ''}`,
    };
  }

  /** Writes a final status (or `interrupted`), wakes waiters, tells subscribers. */
  private finalize(runId: string, status: RunStatus, error: string | null): void {
    const current = getRun(this.store, runId);
    if (!current) return;
    if (current.status !== status || current.error !== error || current.endedAt === null) {
      updateRun(this.store, runId, { status, error, endedAt: current.endedAt ?? Date.now() });
      if (current.status !== status || current.error !== error)
        this.emit({ type: 'status', runId, status, error });
    }
    this.wake(runId);
  }

  private setStatus(runId: string, status: RunStatus, error: string | null): boolean {
    const changed = updateRun(this.store, runId, { status, error });
    if (changed) this.emit({ type: 'status', runId, status, error });
    return changed;
  }

  private wake(runId: string): void {
    if (this.active.has(runId)) return;
    const run = getRun(this.store, runId);
    if (!run || !FINAL_STATUSES.includes(run.status)) return;
    const waiting = this.waiters.get(runId);
    if (!waiting) return;
    this.waiters.delete(runId);
    for (const resolve of waiting) resolve(run);
  }

  // -------------------------------------------------------------------------------------------
  // Recording

  /** Writes buffered metrics and health of every run in one transaction. */
  flush(): void {
    this.recorder.flush();
  }

  // -------------------------------------------------------------------------------------------
  // Control

  /**
   * Cancels at once: the run is `cancelled` now, what it recorded stays, and its trainer is
   * told to stop (and killed if it has not exited within the grace period).
   */
  cancel(id: string): RunRow {
    const run = this.require(id);
    if (!CANCELLABLE.includes(run.status)) throw new RunStateError(id, run.status, 'cancel', CANCELLABLE);
    if (this.lease.ownedByLiveNeighbour(run.hostId)) {
      // Its host records the cancel (on its next heartbeat): a run is written by one host only.
      requestCancel(this.store, id);
      return run;
    }
    const trainer = this.active.get(id);
    if (trainer) {
      this.flush();
      trainer.stopping = 'cancel';
      updateRun(this.store, id, { status: 'cancelled', error: null, endedAt: Date.now() });
      this.emit({ type: 'status', runId: id, status: 'cancelled', error: null });
      this.stopTrainer(trainer);
    } else {
      this.queue = this.queue.filter((queued) => queued !== id);
      this.finalize(id, 'cancelled', null);
    }
    return this.require(id);
  }

  private stopTrainer(trainer: ActiveTrainer): void {
    this.send(trainer, { type: 'cancel' });
    trainer.killTimer ??= setTimeout(() => trainer.child.kill('SIGKILL'), this.killGraceMs);
  }

  /**
   * Holds a running run between steps (its status becomes `paused` when the trainer confirms),
   * or holds a queued run out of the queue.
   */
  pause(id: string): RunRow {
    const run = this.require(id);
    this.refuseIfOwnedElsewhere(run, 'pause');
    const trainer = this.active.get(id);
    if (trainer && run.status === 'running') {
      this.send(trainer, { type: 'pause' });
    } else if (!trainer && run.status === 'queued') {
      this.queue = this.queue.filter((queued) => queued !== id);
      this.setStatus(id, 'paused', null);
    } else if (run.status !== 'paused') {
      throw new RunStateError(id, run.status, 'pause', ['running', 'queued']);
    }
    return this.require(id);
  }

  /**
   * Resumes a paused run. For an interrupted, failed or cancelled run it is
   * `resumeFromCheckpoint`.
   */
  resume(id: string): RunRow {
    const run = this.require(id);
    this.refuseIfOwnedElsewhere(run, 'resume');
    const trainer = this.active.get(id);
    if (run.status === 'paused' && trainer) {
      this.send(trainer, { type: 'resume' });
      return run;
    }
    if (run.status === 'paused') {
      this.setStatus(id, 'queued', null);
      this.queue.push(id);
      this.pump();
      return this.require(id);
    }
    if (RESUMABLE.includes(run.status) && !trainer) return this.resumeFromCheckpoint(id);
    if (run.status === 'running' || run.status === 'queued') return run;
    throw new RunStateError(id, run.status, 'resume', ['paused', ...RESUMABLE]);
  }

  /**
   * Queues an interrupted, failed or cancelled run to continue from its last checkpoint
   * (weights, optimizer and RNG state, epoch). Metrics and health recorded after that checkpoint
   * are dropped, so no step is recorded twice; without a checkpoint the run starts over.
   */
  resumeFromCheckpoint(id: string): RunRow {
    const run = this.require(id);
    this.refuseIfOwnedElsewhere(run, 'resume');
    if (!RESUMABLE.includes(run.status) || this.active.has(id)) {
      throw new RunStateError(id, run.status, 'resume', RESUMABLE);
    }
    const last = run.lastCheckpointId ? getArtifact(this.store, run.lastCheckpointId) : undefined;
    const step = typeof last?.meta?.step === 'number' ? last.meta.step : 0;
    const epoch = typeof last?.meta?.epoch === 'number' ? last.meta.epoch : 0;
    this.store.db
      .transaction(() => {
        deleteMetricsAfter(this.store, id, step);
        // Health rows are per 0-based epoch; a checkpoint after `epoch` completed epochs keeps 0…epoch-1.
        deleteHealthAfter(this.store, id, epoch - 1);
        deleteEvaluations(this.store, id);
        recomputeRunSummary(this.store, id);
        updateRun(this.store, id, {
          status: 'queued',
          error: null,
          endedAt: null,
          ...(last ? {} : { lastCheckpointId: null }),
        });
        setRunHost(this.store, id, this.lease.ensure());
      })
      .immediate();
    this.emit({ type: 'status', runId: id, status: 'queued', error: null });
    this.queue.push(id);
    this.pump();
    return this.require(id);
  }

  /** Resolves with the run's row once it has reached a final status and its trainer has exited. */
  waitFor(id: string): Promise<RunRow> {
    const run = this.require(id);
    if (FINAL_STATUSES.includes(run.status) && !this.active.has(id)) return Promise.resolve(run);
    return new Promise((resolve) => {
      const list = this.waiters.get(id);
      if (list) list.push(resolve);
      else this.waiters.set(id, [resolve]);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Tags, notes, deletion

  tag(id: string, add: readonly string[], remove: readonly string[] = []): string[] {
    this.require(id);
    addTags(this.store, id, add);
    const tags = removeTags(this.store, id, remove);
    this.emit({ type: 'changed', runId: id });
    return tags;
  }

  setNotes(id: string, notes: string): RunRow {
    this.require(id);
    setRunNotes(this.store, id, notes);
    this.emit({ type: 'changed', runId: id });
    return this.require(id);
  }

  rename(id: string, name: string): RunRow {
    this.require(id);
    updateRun(this.store, id, { name });
    this.emit({ type: 'changed', runId: id });
    return this.require(id);
  }

  /**
   * Deletes a run: its rows (metrics, health, artifacts, tags) and its folder of files. A live
   * run is cancelled first. Refused (RunInUseError) while a saved model was made from it.
   * False when there was no such run.
   */
  async deleteRun(id: string): Promise<boolean> {
    const run = getRun(this.store, id);
    if (!run) return false;
    this.refuseIfOwnedElsewhere(run, 'delete');
    const models = this.store.db
      .prepare('SELECT m.name FROM models m JOIN artifacts a ON a.id = m.artifact_id WHERE a.run_id = ?')
      .all(id) as { name: string }[];
    if (models.length > 0)
      throw new RunInUseError(
        id,
        models.map((model) => model.name),
      );
    const trainer = this.active.get(id);
    if (trainer) {
      trainer.stopping ??= 'cancel';
      this.stopTrainer(trainer);
      await trainer.exited;
    }
    this.queue = this.queue.filter((queued) => queued !== id);
    this.recorder.forget(id);
    const deleted = deleteRunRow(this.store, id);
    await rm(join(this.dataDir, runFolder(id)), { recursive: true, force: true });
    if (deleted) this.emit({ type: 'deleted', runId: id });
    return deleted;
  }

  // -------------------------------------------------------------------------------------------
  // Events and shutdown

  /** Listens to every run event; returns the function that stops listening. */
  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: RunEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber must not stop the others, nor the run.
      }
    }
  }

  /**
   * Stops every trainer (their runs become `interrupted`, resumable from their last checkpoint),
   * flushes what they reported and stops the flush timer. Queued runs stay queued for the next
   * start. The store stays open: its owner closes it.
   */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const exits: Promise<void>[] = [];
    for (const trainer of this.active.values()) {
      trainer.stopping ??= 'shutdown';
      this.stopTrainer(trainer);
      exits.push(trainer.exited);
    }
    await Promise.all(exits);
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.flushTimer = null;
    this.heartbeatTimer = null;
    this.flush();
    // Queued runs lose their owner and wait for the next host that starts.
    this.lease.release();
  }

  /** Refuses to act on a live run that another live host trains (a run is written by one host only). */
  private refuseIfOwnedElsewhere(run: RunRow, action: string): void {
    if (!ACTIVE_STATUSES.includes(run.status)) return;
    const owner = this.lease.ownedByLiveNeighbour(run.hostId);
    if (owner) throw new RunOwnedElsewhereError(run.id, owner.pid, owner.hostname, action);
  }

  private require(id: string): RunRow {
    const run = getRun(this.store, id);
    if (!run) throw new RunNotFoundError(id);
    return run;
  }
}

/** Builds the model from its spec (validating it) and counts its parameters. */
function countParameters(config: RunConfig, featureShape: number[]): number {
  const model = Sequential.fromSpec(
    { ...(config.model as unknown as ModelSpec), inputShape: featureShape },
    { seed: 0 },
  );
  try {
    return model.countParams();
  } finally {
    model.dispose();
  }
}

function describeStart(message: Extract<TrainerMessage, { type: 'started' }>): string {
  const from = message.initialEpoch > 0 ? `, resuming at epoch ${message.initialEpoch + 1}` : '';
  return (
    `training on ${message.device} (${message.backend}): ${message.parameters} parameters, ` +
    `${message.epochs} epochs of ${message.stepsPerEpoch} steps${from}`
  );
}
