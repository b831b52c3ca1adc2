/** Shared by callbacks that watch a logged quantity: which direction is better. */

export type MonitorMode = 'min' | 'max' | 'auto';

/** 'auto' maximises accuracy-like names (acc, accuracy, auc, precision, recall, f1) and minimises the rest. */
export function resolveMode(monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return /(acc|accuracy|auc|precision|recall|f1)$/i.test(monitor) ? 'max' : 'min';
}

/** True when `current` beats `best` by more than `minDelta` in the given direction. */
export function improves(current: number, best: number, minDelta: number, mode: 'min' | 'max'): boolean {
  if (!Number.isFinite(current)) return false;
  return mode === 'min' ? current < best - minDelta : current > best + minDelta;
}

export function readMonitor(logs: Record<string, number>, monitor: string, who: string): number | null {
  const value = logs[monitor];
  if (value === undefined) {
    throw new Error(
      `${who}: monitored quantity '${monitor}' is not logged; available: ${Object.keys(logs).join(', ')}`,
    );
  }
  return value;
}
