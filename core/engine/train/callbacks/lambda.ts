/**
 * A callback from plain functions, for progress reporting:
 * @example callbacks: [onProgress({ onStepEnd: (e) => post(e.loss, e.samplesPerSecond, e.etaSeconds) })]
 */
import type { Callback } from '../types.js';

export function onProgress(hooks: Callback): Callback {
  return hooks;
}
