/**
 * Early stopping: ends training when the monitored quantity has not improved by more than
 * `minDelta` for `patience` epochs. With `restoreBestWeights`, the best epoch's weights are put
 * back when training ends — whether it stopped early or reached the epoch limit — and the
 * restored epoch is recorded in `history.restoredEpoch`.
 */
import type { Callback, EpochEvent, History, TrainingContext } from '../types.js';
import { improves, readMonitor, resolveMode, type MonitorMode } from './monitor.js';

export interface EarlyStoppingOptions {
  /** Defaults to 'val_loss'. */
  monitor?: string;
  /** Epochs without improvement before stopping. Defaults to 0. */
  patience?: number;
  /** The smallest change that counts as an improvement. Defaults to 0. */
  minDelta?: number;
  /** Defaults to 'auto' (max for accuracy-like names, min otherwise). */
  mode?: MonitorMode;
  /** Restore the best epoch's weights at the end. Defaults to false. */
  restoreBestWeights?: boolean;
}

export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  private readonly mode: 'min' | 'max';
  private best = Number.NaN;
  private wait = 0;
  /** The 0-based epoch with the best monitored value so far. */
  bestEpoch: number | null = null;
  private bestWeights: Map<string, Float32Array> | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'val_loss';
    this.patience = options.patience ?? 0;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.mode = resolveMode(this.monitor, options.mode ?? 'auto');
    if (!(Number.isInteger(this.patience) && this.patience >= 0))
      throw new Error(`earlyStopping: patience must be a whole number ≥ 0, got ${options.patience}`);
  }

  onTrainBegin(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.wait = 0;
    this.bestEpoch = null;
    this.bestWeights = null;
  }

  async onEpochEnd(event: EpochEvent, ctx: TrainingContext): Promise<void> {
    const current = readMonitor(event.logs, this.monitor, 'earlyStopping');
    if (current === null) return;
    if (improves(current, this.best, this.minDelta, this.mode) || this.bestEpoch === null) {
      if (Number.isFinite(current)) {
        this.best = current;
        this.bestEpoch = event.epoch;
        this.wait = 0;
        if (this.restoreBestWeights) this.bestWeights = await ctx.model.getWeightValues();
        return;
      }
    }
    this.wait++;
    if (this.wait >= this.patience) {
      ctx.stop(
        'earlyStopping',
        `${this.monitor} did not improve for ${this.wait} epochs (best ${this.best} at epoch ${(this.bestEpoch ?? 0) + 1})`,
      );
    }
  }

  onTrainEnd(history: History, ctx: TrainingContext): void {
    if (!this.restoreBestWeights || !this.bestWeights || this.bestEpoch === null) return;
    ctx.model.setWeightValues(this.bestWeights);
    history.restoredEpoch = this.bestEpoch;
  }
}

/** @example fit(model, x, y, { callbacks: [earlyStopping({ patience: 3, restoreBestWeights: true })] }) */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  return new EarlyStopping(options);
}
