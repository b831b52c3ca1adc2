/**
 * Saves a checkpoint at the end of an epoch — every epoch, or only when the monitored quantity
 * improves (best-model checkpoint). The engine does no I/O: the bytes go to `write`, which the
 * lab implements (an atomic file write, a database row).
 */
import { saveCheckpoint } from '../checkpoint.js';
import type { Callback, EpochEvent, TrainingContext } from '../types.js';
import { improves, readMonitor, resolveMode, type MonitorMode } from './monitor.js';

export interface CheckpointInfo {
  epoch: number;
  monitor: string;
  value: number | null;
  logs: Record<string, number>;
}

export interface ModelCheckpointOptions {
  /** Receives each checkpoint's bytes. */
  write: (bytes: Uint8Array, info: CheckpointInfo) => void | Promise<void>;
  /** Defaults to 'val_loss'. */
  monitor?: string;
  /** Save only when the monitored quantity improves. Defaults to true. */
  saveBestOnly?: boolean;
  /** Defaults to 'auto'. */
  mode?: MonitorMode;
  /** Include the optimizer state (to resume training). Defaults to true. */
  includeOptimizer?: boolean;
}

export class ModelCheckpoint implements Callback {
  private readonly monitor: string;
  private readonly saveBestOnly: boolean;
  private readonly mode: 'min' | 'max';
  private best = Number.NaN;
  /** The 0-based epoch of the last checkpoint written. */
  savedEpoch: number | null = null;

  constructor(private readonly options: ModelCheckpointOptions) {
    this.monitor = options.monitor ?? 'val_loss';
    this.saveBestOnly = options.saveBestOnly ?? true;
    this.mode = resolveMode(this.monitor, options.mode ?? 'auto');
  }

  onTrainBegin(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.savedEpoch = null;
  }

  async onEpochEnd(event: EpochEvent, ctx: TrainingContext): Promise<void> {
    const value = this.saveBestOnly
      ? readMonitor(event.logs, this.monitor, 'modelCheckpoint')
      : (event.logs[this.monitor] ?? null);
    if (this.saveBestOnly) {
      if (value === null || !improves(value, this.best, 0, this.mode)) return;
      this.best = value;
    }
    const bytes = await saveCheckpoint({
      model: ctx.model,
      optimizer: this.options.includeOptimizer === false ? null : ctx.optimizer,
      epoch: event.epoch + 1,
      extra: { logs: event.logs },
    });
    await this.options.write(bytes, { epoch: event.epoch, monitor: this.monitor, value, logs: event.logs });
    this.savedEpoch = event.epoch;
  }
}

/** @example modelCheckpoint({ monitor: 'val_accuracy', write: (bytes) => saveFile(bytes) }) */
export function modelCheckpoint(options: ModelCheckpointOptions): ModelCheckpoint {
  return new ModelCheckpoint(options);
}
