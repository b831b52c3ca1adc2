/**
 * Ends the run as diverged the first time a step's loss is NaN or ±Infinity, with a message
 * naming the step. `fit` adds it unless `terminateOnNaN: false`.
 */
import type { Callback, StepEvent, TrainingContext } from '../types.js';

export class TerminateOnNaN implements Callback {
  onStepEnd(event: StepEvent, ctx: TrainingContext): void {
    if (Number.isFinite(event.loss)) return;
    ctx.stop(
      'diverged',
      `loss became ${event.loss} at step ${event.globalStep} (epoch ${event.epoch + 1}, batch ${event.step + 1} of ${event.stepsPerEpoch})`,
    );
  }
}

export function terminateOnNaN(): TerminateOnNaN {
  return new TerminateOnNaN();
}
