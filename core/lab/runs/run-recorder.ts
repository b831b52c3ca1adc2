/**
 * What the run manager writes while trainers report: metric points and per-layer health are
 * buffered and flushed in one transaction (every few hundred milliseconds, and before anything
 * that must see them), and checkpoints become artifacts, the ones superseded by a newer best or
 * last removed once no run or model points at them.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  artifactInUse,
  artifactsForFile,
  deleteArtifactRow,
  getArtifact,
  getRun,
  insertArtifact,
  updateRun,
  upsertHealth,
  upsertMetrics,
  type LayerHealthRow,
  type MetricPoint,
  type Store,
} from '../store/index.js';
import type { TrainerMessage } from './protocol.js';

export class RunRecorder {
  private points = new Map<string, MetricPoint[]>();
  private health = new Map<string, LayerHealthRow[]>();

  constructor(
    private readonly store: Store,
    private readonly dataDir: string,
  ) {}

  /** Buffers points and health rows of a run until the next flush. */
  add(runId: string, points: readonly MetricPoint[], health: readonly LayerHealthRow[] = []): void {
    if (points.length > 0) append(this.points, runId, points);
    if (health.length > 0) append(this.health, runId, health);
  }

  /** Drops what a run had buffered (the run is being deleted). */
  forget(runId: string): void {
    this.points.delete(runId);
    this.health.delete(runId);
  }

  /** Writes buffered metrics and health of every run in one transaction. */
  flush(): void {
    if (this.points.size === 0 && this.health.size === 0) return;
    const points = this.points;
    const health = this.health;
    this.points = new Map();
    this.health = new Map();
    this.store.db
      .transaction(() => {
        for (const [runId, list] of points) upsertMetrics(this.store, runId, list);
        for (const [runId, list] of health) upsertHealth(this.store, runId, list);
      })
      .immediate();
  }

  /**
   * Records a checkpoint as the run's last (and best, when it is or none was yet) and returns its
   * artifact id, or null when the run is gone. Buffered points are flushed first, so a resume
   * from this checkpoint never finds steps missing before it.
   */
  checkpoint(runId: string, message: Extract<TrainerMessage, { type: 'checkpoint' }>): string | null {
    this.flush();
    const run = getRun(this.store, runId);
    if (!run) return null;
    const id = randomUUID();
    const superseded: string[] = [];
    this.store.db
      .transaction(() => {
        insertArtifact(this.store, {
          id,
          runId,
          kind: 'checkpoint',
          file: message.file,
          sizeBytes: message.sizeBytes,
          hash: message.sha256,
          createdAt: Date.now(),
          meta: {
            epoch: message.epoch,
            step: message.step,
            monitorValue: message.monitorValue,
            best: message.best,
          },
        });
        updateRun(this.store, runId, {
          lastCheckpointId: id,
          ...(message.best || !run.bestCheckpointId ? { bestCheckpointId: id } : {}),
        });
        if (run.lastCheckpointId) superseded.push(run.lastCheckpointId);
        if (message.best && run.bestCheckpointId) superseded.push(run.bestCheckpointId);
      })
      .immediate();
    for (const artifactId of new Set(superseded)) void this.dropArtifactIfUnused(artifactId);
    return id;
  }

  /** Removes a checkpoint no run or model points at any more (row, and the file when unshared). */
  private async dropArtifactIfUnused(artifactId: string): Promise<void> {
    const artifact = getArtifact(this.store, artifactId);
    if (!artifact || artifactInUse(this.store, artifactId)) return;
    deleteArtifactRow(this.store, artifactId);
    if (artifactsForFile(this.store, artifact.file).length === 0) {
      await rm(join(this.dataDir, artifact.file), { force: true });
    }
  }
}

function append<T>(map: Map<string, T[]>, runId: string, items: readonly T[]): void {
  const list = map.get(runId);
  if (list) list.push(...items);
  else map.set(runId, [...items]);
}
