import { describe, expect, it } from 'vitest';
import {
  CosineSimilarity,
  MeanAbsoluteError,
  MeanSquaredError,
  R2Score,
  RootMeanSquaredError,
  shaped,
  type Metric,
  type MetricInput,
} from '../../../core/engine/metrics/index.js';

const f64 = (values: number[]) => new Float64Array(values);

function evaluate(metric: Metric, yTrue: MetricInput, yPred: MetricInput): number {
  metric.reset();
  metric.update(yTrue, yPred);
  return metric.result();
}

/*
 * One output: y = [3, −0.5, 2, 7], ŷ = [2.5, 0, 2, 8]; errors 0.5, −0.5, 0, −1.
 *   MAE = 2/4 = 0.5, MSE = 1.5/4 = 0.375, RMSE = √0.375
 *   ȳ = 2.875, SS_tot = 0.125² + 3.375² + 0.875² + 4.125² = 29.1875, SS_res = 1.5
 *   R² = 1 − 1.5/29.1875 = 1 − 24/467
 */
const y = f64([3, -0.5, 2, 7]);
const yHat = f64([2.5, 0, 2, 8]);

describe('MAE, MSE, RMSE', () => {
  it('hand-computed values', () => {
    expect(evaluate(new MeanAbsoluteError(), y, yHat)).toBe(0.5);
    expect(evaluate(new MeanSquaredError(), y, yHat)).toBe(0.375);
    expect(evaluate(new RootMeanSquaredError(), y, yHat)).toBeCloseTo(Math.sqrt(0.375), 12);
  });

  it('average over every value of [batch, outputs]', () => {
    // errors 1, −2, 0, 3 → MAE 6/4, MSE 14/4
    const t = shaped(f64([1, 2, 3, 4]), [2, 2]);
    const p = shaped(f64([0, 4, 3, 1]), [2, 2]);
    expect(evaluate(new MeanAbsoluteError(), t, p)).toBe(1.5);
    expect(evaluate(new MeanSquaredError(), t, p)).toBe(3.5);
  });

  it('RMSE over the stream is √(total MSE), not the mean of batch RMSEs', () => {
    const rmse = new RootMeanSquaredError();
    rmse.update(f64([0]), f64([3])); // batch RMSE 3
    rmse.update(f64([0]), f64([1])); // batch RMSE 1
    expect(rmse.result()).toBeCloseTo(Math.sqrt(5), 12); // not 2
  });

  it('names both shapes when the value counts differ', () => {
    expect(() => evaluate(new MeanSquaredError(), f64([1, 2]), shaped(f64([1, 2, 3]), [3, 1]))).toThrow(
      'mse: labels of shape [2] and predictions of shape [3, 1] hold different numbers of values',
    );
  });
});

describe('R²', () => {
  it('one output (hand-computed)', () => {
    expect(evaluate(new R2Score(), y, yHat)).toBeCloseTo(1 - 24 / 467, 12);
  });

  it('two outputs: uniform and variance-weighted averages (hand-computed)', () => {
    /*
     * output 0: y 0.5 −1 7, ŷ 0 −1 8 → SS_tot = 217/6, SS_res = 5/4 → R² = 1 − 15/434
     * output 1: y 1 1 −6,   ŷ 2 2 −5 → SS_tot = 98/3,  SS_res = 3   → R² = 1 − 9/98
     * uniform = mean; variance-weighted = 1 − ΣSS_res/ΣSS_tot = 1 − (17/4)/(413/6) = 1 − 51/826
     */
    const t = shaped(f64([0.5, 1, -1, 1, 7, -6]), [3, 2]);
    const p = shaped(f64([0, 2, -1, 2, 8, -5]), [3, 2]);
    expect(evaluate(new R2Score(), t, p)).toBeCloseTo((1 - 15 / 434 + 1 - 9 / 98) / 2, 12);
    expect(evaluate(new R2Score({ multioutput: 'varianceWeighted' }), t, p)).toBeCloseTo(1 - 51 / 826, 12);
  });

  it('constant targets: 1 for exact predictions, 0 otherwise (never NaN or −∞)', () => {
    expect(evaluate(new R2Score(), f64([2, 2, 2]), f64([2, 2, 2]))).toBe(1);
    expect(evaluate(new R2Score(), f64([2, 2, 2]), f64([1, 2, 3]))).toBe(0);
    // a constant stream split over batches is still constant
    const r2 = new R2Score();
    r2.update(f64([5, 5]), f64([5, 5]));
    r2.update(f64([5]), f64([4]));
    expect(r2.result()).toBe(0);
  });

  it('uses the mean of the whole stream, not per-batch means', () => {
    // Each batch is constant (per-batch SS_tot would be 0), the stream is not: y 1 1 3 3, ȳ 2,
    // SS_tot 4; predictions 1 1 3 2 → SS_res 1 → R² = 0.75
    const r2 = new R2Score();
    r2.update(f64([1, 1]), f64([1, 1]));
    r2.update(f64([3, 3]), f64([3, 2]));
    expect(r2.result()).toBeCloseTo(0.75, 12);
  });

  it('stays exact for targets with a large offset', () => {
    // y = 1e8 + [0, 1, 2, 3]: Σy² − (Σy)²/n would lose every digit in float64.
    const r2 = new R2Score();
    r2.update(f64([1e8, 1e8 + 1]), f64([1e8, 1e8 + 1]));
    r2.update(f64([1e8 + 2, 1e8 + 3]), f64([1e8 + 2, 1e8 + 2])); // SS_res 1, SS_tot 5
    expect(r2.result()).toBeCloseTo(0.8, 9);
  });

  it('refuses an unknown multioutput', () => {
    expect(() => new R2Score({ multioutput: 'rawValues' as never })).toThrow(
      "r2: option 'multioutput' is 'rawValues'; valid values: uniformAverage, varianceWeighted",
    );
  });
});

describe('cosine similarity', () => {
  it('mean over samples; a zero vector scores 0', () => {
    // [1,0]·[0,1] = 0; [1,1] ∥ [2,2] → 1; [0,0] → 0. Mean 1/3.
    const t = shaped(f64([1, 0, 1, 1, 0, 0]), [3, 2]);
    const p = shaped(f64([0, 1, 2, 2, 1, 0]), [3, 2]);
    expect(evaluate(new CosineSimilarity(), t, p)).toBeCloseTo(1 / 3, 12);
  });

  it('[3, 4] against [4, 3] is 24/25; opposite vectors −1', () => {
    expect(
      evaluate(new CosineSimilarity(), shaped(f64([3, 4]), [1, 2]), shaped(f64([4, 3]), [1, 2])),
    ).toBeCloseTo(0.96, 12);
    expect(
      evaluate(new CosineSimilarity(), shaped(f64([1, 2]), [1, 2]), shaped(f64([-2, -4]), [1, 2])),
    ).toBeCloseTo(-1, 12);
  });
});
