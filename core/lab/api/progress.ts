/**
 * How far a run is from one `runs:progress` event, shared by the CLI's bar and the Train view:
 * the epochs done plus the part of the current one its steps say, so a long epoch moves the bar
 * too, not only its end.
 */
import type { LabEvent } from './contract.js';

type ProgressEvent = Pick<
  Extract<LabEvent, { type: 'runs:progress' }>,
  'epoch' | 'epochs' | 'step' | 'stepsPerEpoch'
>;

/**
 * A fraction in [0, 1], or null when the run's length is unknown. Without steps per epoch an
 * update for epoch e counts e + 1 epochs (the epoch under way, or just finished).
 * @example progressFraction({ epoch: 2, epochs: 10, step: 250, stepsPerEpoch: 100 }) // 0.25
 */
export function progressFraction(event: ProgressEvent): number | null {
  if (!event.epochs) return null;
  const perEpoch = event.stepsPerEpoch;
  const within = perEpoch ? Math.min(1, Math.max(0, (event.step - event.epoch * perEpoch) / perEpoch)) : 1;
  return Math.min(1, (event.epoch + within) / event.epochs);
}
