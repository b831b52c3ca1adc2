/**
 * Regression metrics over `[batch, outputs]` predictions (or `[batch]`, one output). Labels
 * must hold the same number of values; `[batch]` against `[batch, 1]` is fine. All of them
 * stream float64 sums, so none stores the samples. `result()` on an empty stream is NaN.
 */
import { asShaped, formatShape, type Metric, type MetricInput, type NumericArray } from './accumulator.js';

/** The values of a regression batch and its output count (the last dimension). */
function readPair(
  metric: string,
  yTrue: MetricInput,
  yPred: MetricInput,
): { truth: NumericArray; pred: NumericArray; outputs: number } {
  const t = asShaped(yTrue);
  const p = asShaped(yPred);
  if (t.data.length !== p.data.length) {
    throw new Error(
      `${metric}: labels of shape ${formatShape(t.shape)} and predictions of shape ` +
        `${formatShape(p.shape)} hold different numbers of values`,
    );
  }
  const outputs = p.shape.length < 2 ? 1 : p.shape[p.shape.length - 1]!;
  return { truth: t.data, pred: p.data, outputs };
}

/** The mean of a per-element quantity over every value streamed. */
abstract class ElementMean implements Metric {
  protected sum = 0;
  protected count = 0;

  constructor(readonly name: string) {}

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }

  update(yTrue: MetricInput, yPred: MetricInput): void {
    const { truth, pred } = readPair(this.name, yTrue, yPred);
    for (let i = 0; i < pred.length; i++) this.sum += this.term(truth[i]!, pred[i]!);
    this.count += pred.length;
  }

  result(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  protected abstract term(y: number, yHat: number): number;
}

export interface RegressionOptions {
  /** History key. Defaults to the metric's short name (`'mae'`, `'mse'`, `'rmse'`). */
  name?: string;
}

/** Mean absolute error over every value: MAE = (1/N) Σ |y − ŷ|. */
export class MeanAbsoluteError extends ElementMean {
  constructor(options: RegressionOptions = {}) {
    super(options.name ?? 'mae');
  }

  protected term(y: number, yHat: number): number {
    return Math.abs(y - yHat);
  }
}

/** Mean squared error over every value: MSE = (1/N) Σ (y − ŷ)². */
export class MeanSquaredError extends ElementMean {
  constructor(options: RegressionOptions = {}) {
    super(options.name ?? 'mse');
  }

  protected term(y: number, yHat: number): number {
    return (y - yHat) ** 2;
  }
}

/** Root mean squared error over the whole stream: RMSE = √((1/N) Σ (y − ŷ)²), not a mean of batch RMSEs. */
export class RootMeanSquaredError extends MeanSquaredError {
  constructor(options: RegressionOptions = {}) {
    super({ name: options.name ?? 'rmse' });
  }

  override result(): number {
    return Math.sqrt(super.result());
  }
}

export interface R2ScoreOptions {
  /** History key. Defaults to `'r2'`. */
  name?: string;
  /**
   * How per-output scores combine: `'uniformAverage'` (plain mean) or `'varianceWeighted'`
   * (weighted by each output's SS_tot). Defaults to `'uniformAverage'` (as scikit-learn).
   */
  multioutput?: 'uniformAverage' | 'varianceWeighted';
}

/**
 * The coefficient of determination over every streamed sample, per output:
 * R² = 1 − SS_res / SS_tot, SS_res = Σ (y − ŷ)², SS_tot = Σ (y − ȳ)².
 * ȳ is the mean over the whole stream: each output keeps (count, mean, M2) merged batch by
 * batch with Chan's parallel update, which is exact in float64 without storing targets and
 * avoids the cancellation of Σy² − (Σy)²/n.
 * Constant targets (SS_tot = 0) score 1 when the predictions are exact and 0 otherwise
 * (scikit-learn's `force_finite`), never NaN or −∞. An empty stream gives NaN.
 */
export class R2Score implements Metric {
  readonly name: string;
  private readonly multioutput: 'uniformAverage' | 'varianceWeighted';
  private outputs = 0;
  private count = 0;
  private mean = new Float64Array(0);
  private m2 = new Float64Array(0);
  private ssRes = new Float64Array(0);

  constructor(options: R2ScoreOptions = {}) {
    this.name = options.name ?? 'r2';
    const multioutput = options.multioutput ?? 'uniformAverage';
    if (multioutput !== 'uniformAverage' && multioutput !== 'varianceWeighted') {
      throw new Error(
        `${this.name}: option 'multioutput' is '${String(multioutput)}'; valid values: uniformAverage, varianceWeighted`,
      );
    }
    this.multioutput = multioutput;
  }

  reset(): void {
    this.outputs = 0;
    this.count = 0;
  }

  update(yTrue: MetricInput, yPred: MetricInput): void {
    const { truth, pred, outputs } = readPair(this.name, yTrue, yPred);
    if (this.outputs === 0) {
      this.outputs = outputs;
      this.mean = new Float64Array(outputs);
      this.m2 = new Float64Array(outputs);
      this.ssRes = new Float64Array(outputs);
    } else if (outputs !== this.outputs) {
      throw new Error(
        `${this.name}: this batch has ${outputs} outputs but earlier batches had ${this.outputs}`,
      );
    }
    const n = pred.length / outputs;
    if (n === 0) return;
    for (let o = 0; o < outputs; o++) {
      let batchMean = 0;
      for (let i = 0; i < n; i++) batchMean += truth[i * outputs + o]!;
      batchMean /= n;
      let batchM2 = 0;
      let res = 0;
      for (let i = 0; i < n; i++) {
        const y = truth[i * outputs + o]!;
        batchM2 += (y - batchMean) ** 2;
        res += (y - pred[i * outputs + o]!) ** 2;
      }
      const total = this.count + n;
      const delta = batchMean - this.mean[o]!;
      this.m2[o]! += batchM2 + (delta * delta * this.count * n) / total;
      this.mean[o]! += (delta * n) / total;
      this.ssRes[o]! += res;
    }
    this.count += n;
  }

  result(): number {
    if (this.count === 0) return NaN;
    const scores: number[] = [];
    let weighted = 0;
    let totalWeight = 0;
    for (let o = 0; o < this.outputs; o++) {
      const ssTot = this.m2[o]!;
      const ssRes = this.ssRes[o]!;
      const score = ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
      scores.push(score);
      weighted += ssTot * score;
      totalWeight += ssTot;
    }
    // Variance weights need some variance; with every output constant, fall back to the plain mean.
    if (this.multioutput === 'varianceWeighted' && totalWeight > 0) return weighted / totalWeight;
    return scores.reduce((a, b) => a + b, 0) / scores.length;
  }
}

export interface CosineSimilarityOptions {
  /** History key. Defaults to `'cosineSimilarity'`. */
  name?: string;
}

/**
 * The mean over samples of the cosine between the label and prediction vectors (the last
 * dimension): cos = (y · ŷ) / (‖y‖ ‖ŷ‖), in [−1, 1]. A zero vector on either side scores 0.
 * Unlike Keras's cosine *loss*, higher is better.
 */
export class CosineSimilarity implements Metric {
  readonly name: string;
  private sum = 0;
  private count = 0;

  constructor(options: CosineSimilarityOptions = {}) {
    this.name = options.name ?? 'cosineSimilarity';
  }

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }

  update(yTrue: MetricInput, yPred: MetricInput): void {
    const { truth, pred, outputs } = readPair(this.name, yTrue, yPred);
    const n = pred.length / outputs;
    for (let i = 0; i < n; i++) {
      let dot = 0;
      let normTrue = 0;
      let normPred = 0;
      for (let o = 0; o < outputs; o++) {
        const y = truth[i * outputs + o]!;
        const yHat = pred[i * outputs + o]!;
        dot += y * yHat;
        normTrue += y * y;
        normPred += yHat * yHat;
      }
      const denominator = Math.sqrt(normTrue * normPred);
      this.sum += denominator > 0 ? dot / denominator : 0;
    }
    this.count += n;
  }

  result(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }
}
