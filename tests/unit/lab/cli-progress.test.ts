// The `nnlab train` progress bar on a terminal: it shows the metric values, keeps values from
// earlier updates (a step update carries only the batch loss), and drops whole values, never
// half a number, when the terminal is narrow; and how far a run is from one progress event.
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../core/lab/api/contract.js';
import { progressFraction } from '../../../core/lab/api/progress.js';
import { progressLabel } from '../../../core/lab/cli/commands/train.js';
import { createProgressBar } from '../../../core/lab/cli/progress.js';

type Progress = Extract<LabEvent, { type: 'runs:progress' }>;
const progress = (metrics: Progress['metrics'], extra: Partial<Progress> = {}): Progress => ({
  type: 'runs:progress',
  runId: 'r',
  epoch: 2,
  epochs: 20,
  step: 30,
  metrics,
  samplesPerSecond: 5000,
  etaSeconds: 75,
  ...extra,
});

function terminal(columns: number | undefined) {
  const writes: string[] = [];
  return { writes, stream: { isTTY: true, columns, write: (text: string) => (writes.push(text), true) } };
}

describe('the train progress label', () => {
  it('shows training and validation values with Keras names, and keeps them across updates', () => {
    const latest = new Map<string, number | null>();
    const epochEnd = progressLabel(
      progress({
        train: { loss: 0.41234, accuracy: 0.8766, learning_rate: 0.01 },
        validation: { loss: 0.5, accuracy: 0.81 },
      }),
      latest,
    );
    expect(epochEnd).toEqual([
      'epoch 3/20',
      'loss 0.412',
      'acc 0.877',
      'val_loss 0.5',
      'val_acc 0.81',
      'ETA 1m15s',
      '5000 samples/s',
    ]);
    // A step update: the batch loss is the live loss; the validation values stay.
    const step = progressLabel(
      progress({ train: { batch_loss: 0.3 } }, { epoch: 3, etaSeconds: null }),
      latest,
    );
    expect(step).toEqual([
      'epoch 4/20',
      'loss 0.3',
      'acc 0.877',
      'val_loss 0.5',
      'val_acc 0.81',
      '5000 samples/s',
    ]);
  });
});

describe('the progress bar', () => {
  it('draws the label on a terminal that reports no width, as on an 80-column one', () => {
    const { writes, stream } = terminal(0);
    const bar = createProgressBar(stream);
    bar.update(0.15, ['epoch 3/20', 'loss 0.412', 'acc 0.877', 'val_loss 0.5', 'val_acc 0.81', 'ETA 1m15s']);
    const line = writes.join('');
    expect(line).toContain('15% epoch 3/20  loss 0.412  acc 0.877  val_loss 0.5  val_acc 0.81');
    expect(line.replace('\r\u001b[2K', '').length).toBeLessThanOrEqual(79);
  });

  it('drops whole values from the end when the terminal is narrow', () => {
    const { writes, stream } = terminal(50);
    createProgressBar(stream).update(0.5, ['epoch 10/20', 'loss 0.25', 'val_loss 0.31']);
    const line = writes.join('').replace('\r\u001b[2K', '');
    expect(line).toMatch(/50% epoch 10\/20 {2}loss 0\.25$/);
  });

  it('stays silent off a terminal and prints only the final line', () => {
    const writes: string[] = [];
    const bar = createProgressBar({ write: (text) => (writes.push(text), true) });
    bar.update(0.5, ['epoch 1/2', 'loss 1']);
    bar.finish('done');
    expect(writes).toEqual(['done\n']);
  });
});

describe('progressFraction', () => {
  it('counts the current epoch by its steps when the event says how many an epoch has', () => {
    // Epoch 2 of 10, 100 steps an epoch, global step 250: half of the third epoch done.
    expect(progressFraction({ epoch: 2, epochs: 10, step: 250, stepsPerEpoch: 100 })).toBeCloseTo(0.25, 12);
    // The update at the end of the last epoch.
    expect(progressFraction({ epoch: 9, epochs: 10, step: 1000, stepsPerEpoch: 100 })).toBe(1);
    // A step count behind the epoch (a resumed run's counter) never goes below the epoch's start.
    expect(progressFraction({ epoch: 4, epochs: 10, step: 3, stepsPerEpoch: 100 })).toBe(0.4);
  });

  it('counts whole epochs without steps per epoch, and is null when the length is unknown', () => {
    expect(progressFraction({ epoch: 2, epochs: 10, step: 250 })).toBeCloseTo(0.3, 12);
    expect(progressFraction({ epoch: 2, epochs: 10, step: 250, stepsPerEpoch: null })).toBeCloseTo(0.3, 12);
    expect(progressFraction({ epoch: 2, epochs: null, step: 250, stepsPerEpoch: 100 })).toBeNull();
  });
});
