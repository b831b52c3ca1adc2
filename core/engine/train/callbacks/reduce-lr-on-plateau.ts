/**
 * Multiplies the learning rate by `factor` when the monitored quantity has not improved for
 * `patience` epochs, then waits `cooldown` epochs before watching again (Keras's
 * ReduceLROnPlateau). Never goes below `minLearningRate`.
 */
import type { Callback, EpochEvent, TrainingContext } from '../types.js';
import { improves, readMonitor, resolveMode, type MonitorMode } from './monitor.js';

export interface ReduceLROnPlateauOptions {
  /** Defaults to 'val_loss'. */
  monitor?: string;
  /** Defaults to 0.1; must be in (0, 1). */
  factor?: number;
  /** Defaults to 10. */
  patience?: number;
  /** Defaults to 1e-4. */
  minDelta?: number;
  /** Defaults to 0. */
  cooldown?: number;
  /** Defaults to 0. */
  minLearningRate?: number;
  /** Defaults to 'auto'. */
  mode?: MonitorMode;
}

export class ReduceLROnPlateau implements Callback {
  private readonly monitor: string;
  private readonly factor: number;
  private readonly patience: number;
  private readonly minDelta: number;
  private readonly cooldown: number;
  private readonly minLearningRate: number;
  private readonly mode: 'min' | 'max';
  private best = Number.NaN;
  private wait = 0;
  private cooldownLeft = 0;
  /** Epochs (0-based) at whose end the rate was reduced. */
  readonly reductions: number[] = [];

  constructor(options: ReduceLROnPlateauOptions = {}) {
    this.monitor = options.monitor ?? 'val_loss';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.minDelta = options.minDelta ?? 1e-4;
    this.cooldown = options.cooldown ?? 0;
    this.minLearningRate = options.minLearningRate ?? 0;
    this.mode = resolveMode(this.monitor, options.mode ?? 'auto');
    if (!(this.factor > 0 && this.factor < 1))
      throw new Error(`reduceLROnPlateau: factor must be in (0, 1), got ${this.factor}`);
  }

  onTrainBegin(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.wait = 0;
    this.cooldownLeft = 0;
  }

  onEpochEnd(event: EpochEvent, ctx: TrainingContext): void {
    const current = readMonitor(event.logs, this.monitor, 'reduceLROnPlateau');
    if (current === null) return;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.wait = 0;
    }
    if (improves(current, this.best, this.minDelta, this.mode)) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.cooldownLeft > 0) return;
    this.wait++;
    if (this.wait >= this.patience) {
      const next = Math.max(ctx.optimizer.learningRate * this.factor, this.minLearningRate);
      if (next < ctx.optimizer.learningRate) {
        ctx.optimizer.learningRate = next;
        this.reductions.push(event.epoch);
      }
      this.cooldownLeft = this.cooldown;
      this.wait = 0;
    }
  }
}

export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): ReduceLROnPlateau {
  return new ReduceLROnPlateau(options);
}
