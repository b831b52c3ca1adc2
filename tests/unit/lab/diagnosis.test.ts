// The bias/variance diagnosis on synthetic learning curves: one curve shape per verdict, with the
// evidence checked against numbers computed here from the same curves.
import { describe, expect, it } from 'vitest';
import {
  diagnoseRun,
  relativeTrend,
  type DiagnosisInput,
  type LayerHealthSeries,
} from '../../../core/lab/runs/diagnosis.js';

const epochs = (n: number) => Array.from({ length: n }, (_, e) => e);
/** A loss that decays from `start` towards `floor` with time constant `tau` epochs. */
const decay = (n: number, start: number, floor: number, tau: number) =>
  epochs(n).map((e) => floor + (start - floor) * Math.exp(-e / tau));
const ln2 = Math.log(2);

function healthy(n: number, layers = 3): LayerHealthSeries[] {
  return Array.from({ length: layers }, (_, l) => ({
    layer: `dense_${l + 1}`,
    epoch: epochs(n),
    weightNorm: epochs(n).map(() => 5),
    gradientNorm: epochs(n).map(() => 0.5 + 0.1 * l),
    updateRatio: epochs(n).map(() => 1e-3),
    deadFraction: epochs(n).map(() => 0.05),
  }));
}

function input(
  train: number[],
  validation: number[] | null,
  extra: Partial<DiagnosisInput> = {},
): DiagnosisInput {
  return {
    epochs: epochs(train.length),
    trainLoss: train,
    validationLoss: validation,
    baselineLoss: ln2,
    health: healthy(train.length),
    ...extra,
  };
}

describe('relativeTrend', () => {
  it('is the least-squares slope over the mean of the last epochs', () => {
    // 10, 9, 8, 7, 6 over the last five: slope −1 over mean 8.
    expect(relativeTrend([50, 40, 10, 9, 8, 7, 6], 5)).toBeCloseTo(-1 / 8, 12);
    expect(relativeTrend([1, 1, 1, 1])).toBe(0);
    expect(relativeTrend([null, 2])).toBeNull();
  });
});

describe('diagnoseRun', () => {
  it('good fit: both losses level off low and close together', () => {
    const train = decay(30, 0.7, 0.1, 3);
    const validation = train.map((v) => v + 0.02);
    const d = diagnoseRun(input(train, validation));
    expect(d.verdict).toBe('good-fit');
    expect(d.evidence.finalTrainLoss).toBeCloseTo(train.at(-1)!, 12);
    expect(d.evidence.gap).toBeCloseTo(0.02, 12);
    expect(d.evidence.validationTurnEpoch).toBeNull();
    expect(d.nextSteps.length).toBeGreaterThan(0);
  });

  it('overfitting: the validation loss turns up while the training loss keeps falling', () => {
    const train = decay(25, 0.7, 0.01, 4);
    // Falls like the training loss until epoch 8, then rises 4% per epoch.
    const validation = train.map((v, e) => (e <= 8 ? v + 0.05 : (train[8]! + 0.05) * (1 + 0.04 * (e - 8))));
    const d = diagnoseRun(input(train, validation));
    expect(d.verdict).toBe('overfitting');
    expect(d.evidence.validationTurnEpoch).toBe(8);
    expect(d.evidence.bestValidationEpoch).toBe(8);
    expect(d.evidence.bestValidationLoss).toBeCloseTo(train[8]! + 0.05, 12);
    expect(d.evidence.validationTrend!).toBeGreaterThan(0);
    expect(d.headline).toMatch(/High variance.*epoch 9/);
    expect(d.nextSteps.join(' ')).toMatch(/earlyStopping.*best epoch here was 9/);
    expect(d.nextSteps.join(' ')).toMatch(/l2|dropout/);
  });

  it('overfitting: a wide gap that no longer closes, without a turn', () => {
    const train = decay(20, 0.6, 0.05, 2);
    const validation = train.map((v) => 0.4 + v * 0.1);
    const d = diagnoseRun(input(train, validation));
    expect(d.verdict).toBe('overfitting');
    expect(d.evidence.relativeGap!).toBeGreaterThan(1);
  });

  it('underfitting: the training loss stays near the know-nothing baseline', () => {
    const train = decay(20, 0.69, 0.62, 2);
    const validation = train.map((v) => v + 0.01);
    const d = diagnoseRun(input(train, validation));
    expect(d.verdict).toBe('underfitting');
    expect(d.evidence.lossVsBaseline).toBeCloseTo(train.at(-1)! / ln2, 12);
    expect(d.nextSteps[0]).toMatch(/bigger model/);
  });

  it('underfitting without a baseline: the loss fell by less than half', () => {
    const train = decay(20, 1.0, 0.8, 2);
    const d = diagnoseRun(
      input(
        train,
        train.map((v) => v * 1.02),
        { baselineLoss: null },
      ),
    );
    expect(d.verdict).toBe('underfitting');
    expect(d.evidence.baselineLoss).toBeNull();
  });

  it('still improving: the validation loss still falls several percent per epoch', () => {
    const train = epochs(10).map((e) => 0.7 / (1 + 0.3 * e));
    const validation = train.map((v) => v * 1.1);
    const d = diagnoseRun(input(train, validation));
    expect(d.verdict).toBe('still-improving');
    expect(d.evidence.validationTrend!).toBeLessThan(-0.01);
    expect(d.nextSteps[0]).toMatch(/Train longer/);
  });

  it('diverged: a NaN loss, a diverged status, or a loss that blows up', () => {
    const train: (number | null)[] = [0.7, 0.5, 0.4, null];
    expect(diagnoseRun(input(train as number[], null)).verdict).toBe('diverged');
    expect(diagnoseRun(input([0.7, 0.6], null, { status: 'diverged' })).verdict).toBe('diverged');
    const blown = diagnoseRun(input([0.7, 0.4, 0.3, 0.9, 2.5, 8], null));
    expect(blown.verdict).toBe('diverged');
    expect(blown.nextSteps[0]).toMatch(/learning rate/);
  });

  it('exploding gradients: a layer whose gradient norm grows a hundredfold', () => {
    const n = 10;
    const health = healthy(n);
    health[1]!.gradientNorm = epochs(n).map((e) => 2 ** e); // 1 → 512
    const train = decay(n, 0.7, 0.3, 3);
    const d = diagnoseRun(input(train, null, { health }));
    expect(d.verdict).toBe('exploding-gradients');
    expect(d.evidence.gradientNorms[1]).toEqual({ layer: 'dense_2', first: 1, last: 512, max: 512 });
    expect(d.nextSteps[0]).toMatch(/clipNorm/);
  });

  it('vanishing gradients: the first layer gets a thousandth of the last layer’s gradient', () => {
    const n = 10;
    const health = healthy(n, 4);
    health.forEach((layer, l) => (layer.gradientNorm = epochs(n).map(() => 10 ** (2 * l - 6))));
    const d = diagnoseRun(input(decay(n, 0.69, 0.6, 2), null, { health }));
    expect(d.verdict).toBe('vanishing-gradients');
    expect(d.evidence.gradientRatioFirstToLast).toBeCloseTo(1e-6, 12);
    // Also noticed, not the verdict: the high loss.
    expect(d.findings.map((f) => f.kind)).toContain('underfitting');
    expect(d.nextSteps.join(' ')).toMatch(/heNormal/);
  });

  it('too few epochs to read', () => {
    const d = diagnoseRun(input([0.7], [0.7]));
    expect(d.verdict).toBe('insufficient-data');
  });

  it('adds dead ReLUs and large updates as findings with their own advice', () => {
    const n = 20;
    const health = healthy(n);
    health[0]!.deadFraction = epochs(n).map(() => 0.8);
    health[2]!.updateRatio = epochs(n).map(() => 0.3);
    const train = decay(n, 0.7, 0.1, 3);
    const d = diagnoseRun(
      input(
        train,
        train.map((v) => v + 0.02),
        { health },
      ),
    );
    expect(d.verdict).toBe('good-fit');
    expect(d.evidence.maxDeadFraction).toEqual({ layer: 'dense_1', value: 0.8 });
    expect(d.evidence.maxUpdateRatio).toEqual({ layer: 'dense_3', value: 0.3 });
    expect(d.findings.map((f) => f.kind)).toEqual(['good-fit', 'large-updates', 'dead-relu']);
    expect(d.nextSteps.join(' ')).toMatch(/leakyRelu/);
  });
});
