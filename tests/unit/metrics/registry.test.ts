import { describe, expect, it } from 'vitest';
import {
  Accuracy,
  Auc,
  F1Score,
  R2Score,
  TopKAccuracy,
  canonicalMetricName,
  createMetric,
  metricNames,
  shaped,
} from '../../../core/engine/metrics/index.js';

describe('metric registry', () => {
  it('builds every canonical name, named as written', () => {
    for (const name of metricNames) {
      const metric = createMetric(name);
      expect(metric.name).toBe(name);
      expect(metric.result()).toBeNaN(); // empty stream
    }
  });

  it('matches Keras spellings ignoring case, underscores and hyphens', () => {
    expect(createMetric('top_k_categorical_accuracy', { k: 3 })).toBeInstanceOf(TopKAccuracy);
    expect(createMetric('top_k_categorical_accuracy').name).toBe('top_k_categorical_accuracy');
    expect(createMetric('ACC')).toBeInstanceOf(Accuracy);
    expect(createMetric('roc-auc')).toBeInstanceOf(Auc);
    expect(createMetric('r2_score')).toBeInstanceOf(R2Score);
    expect(canonicalMetricName('mean_squared_error')).toBe('mse');
    expect(canonicalMetricName('binary_crossentropy')).toBe('logLoss');
    expect(canonicalMetricName('nope')).toBeUndefined();
  });

  it('passes options through', () => {
    const f1 = createMetric('f1', { average: 'micro', name: 'val_f1' });
    expect(f1).toBeInstanceOf(F1Score);
    expect(f1.name).toBe('val_f1');
    const top1 = createMetric('sparseTopKCategoricalAccuracy', { k: 1 });
    top1.update(new Int32Array([1]), shaped(new Float32Array([0.7, 0.3]), [1, 2]));
    expect(top1.result()).toBe(0);
  });

  it('sparse/categorical variants fix the label layout', () => {
    const categorical = createMetric('categorical_accuracy');
    expect(() =>
      categorical.update(new Int32Array([1]), shaped(new Float32Array([0.7, 0.3]), [1, 2])),
    ).toThrow(/do not match/);
  });

  it('names an unknown metric and lists the valid ones', () => {
    expect(() => createMetric('acuracy')).toThrow(
      /^unknown metric 'acuracy'; valid metrics: accuracy, .*binaryAccuracy/,
    );
  });

  it('refuses unknown options and wrong option types', () => {
    expect(() => createMetric('mae', { k: 3 })).toThrow(
      "metric 'mae': unknown option 'k'; valid options: name",
    );
    expect(() => createMetric('topKCategoricalAccuracy', { k: '3' })).toThrow(
      `metric 'topKCategoricalAccuracy': option 'k' must be a number, got "3"`,
    );
  });
});
