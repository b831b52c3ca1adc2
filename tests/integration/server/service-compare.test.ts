// The LabService's compare and runs dispatch over a fake runs side: aligned series, config diff,
// metrics at the last, best and a chosen epoch, and request validation before any handler runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignSeries, diffConfigs } from '../../../core/lab/api/compare.js';
import {
  LabError,
  type ClassificationEvaluation,
  type MetricSeries,
  type RunDetail,
} from '../../../core/lab/api/contract.js';
import { diagnoseRun } from '../../../core/lab/runs/diagnosis.js';
import type { RunsPort } from '../../../core/lab/api/runs-port.js';
import { LabService } from '../../../core/lab/api/service.js';
import { openStore, type Store } from '../../../core/lab/store/index.js';

function series(split: string, name: string, x: number[], value: number[]): MetricSeries {
  return { split, name, x, value, min: value, max: value, total: x.length, downsampled: false };
}

function run(id: string, config: RunDetail['config']): RunDetail {
  return {
    id,
    name: `run ${id}`,
    status: 'completed',
    device: 'cpu',
    backend: 'cpu',
    seed: 1,
    datasetId: null,
    sweepId: null,
    createdAt: 1,
    startedAt: 1,
    endedAt: 2,
    error: null,
    notes: '',
    tags: [],
    lastEpoch: 2,
    finalMetrics: {},
    config,
    artifacts: [],
    plannedEpochs: 3,
    epochTimesMs: [1, 1, 1],
    bestCheckpointId: null,
    lastCheckpointId: null,
  };
}

const runs: Record<string, { detail: RunDetail; series: MetricSeries[] }> = {
  a: {
    detail: run('a', { optimizer: { name: 'adam', learningRate: 0.01 }, layers: [{ units: 8 }], epochs: 3 }),
    series: [
      series('validation', 'loss', [0, 1, 2], [0.9, 0.4, 0.5]),
      series('validation', 'accuracy', [0, 1, 2], [0.6, 0.8, 0.7]),
    ],
  },
  b: {
    detail: run('b', {
      optimizer: { name: 'adam', learningRate: 0.1 },
      layers: [{ units: 8 }, { units: 2 }],
    }),
    series: [series('validation', 'loss', [0, 1], [0.7, 0.6])],
  },
};

const evaluationOfA: ClassificationEvaluation = {
  split: 'validation',
  epoch: 2,
  createdAt: 5,
  samples: 4,
  numClasses: 2,
  classNames: ['no', 'yes'],
  accuracy: 0.75,
  confusionMatrix: [
    [2, 0],
    [1, 1],
  ],
  perClass: [
    { className: 'no', precision: 2 / 3, recall: 1, f1: 0.8, support: 2 },
    { className: 'yes', precision: 1, recall: 0.5, f1: 2 / 3, support: 2 },
  ],
  macro: { precision: 5 / 6, recall: 0.75, f1: 11 / 15 },
  weighted: { precision: 5 / 6, recall: 0.75, f1: 11 / 15 },
  roc: { auc: 0.75, curves: [{ className: 'yes', fpr: [0, 0, 1], tpr: [0, 0.5, 1], auc: 0.75 }] },
  precisionRecall: {
    averagePrecision: 0.75,
    curves: [{ className: 'yes', recall: [0, 0.5, 1], precision: [1, 1, 0.5], averagePrecision: 0.75 }],
  },
};

const fake: RunsPort = {
  start: () => {},
  create: () => Promise.reject(new Error('unused')),
  list: () => ({ runs: Object.values(runs).map((r) => r.detail), total: 2 }),
  get: (id) => runs[id]?.detail,
  series: (request) => ({
    runId: request.runId,
    axis: request.axis,
    series: runs[request.runId]!.series.filter(
      (s) => !request.metrics || request.metrics.some((m) => m.split === s.split && m.name === s.name),
    ),
  }),
  cancel: () => Promise.reject(new Error('unused')),
  pause: () => Promise.reject(new Error('unused')),
  resume: () => Promise.reject(new Error('unused')),
  delete: () => Promise.resolve(false),
  tag: (_id, add) => add,
  tags: () => [],
  note: (id) => runs[id]!.detail,
  health: () => [],
  evaluation: (id) => (id === 'a' ? evaluationOfA : null),
  diagnose: () => diagnoseRun({ epochs: [0], trainLoss: [1] }),
  detectDevice: () => Promise.reject(new Error('unused')),
  listModels: () => [],
  saveModel: () => Promise.reject(new Error('unused')),
  exportModel: () => Promise.reject(new Error('unused')),
  deleteModel: () => Promise.resolve(false),
  modelFile: () => undefined,
  predict: () => Promise.reject(new Error('unused')),
  subscribe: () => () => {},
  shutdown: () => Promise.resolve(),
};

let dir: string;
let store: Store;
let service: LabService;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nnlab-service-'));
  store = openStore(join(dir, 'nnlab.sqlite'));
  service = new LabService({ store, dataDir: dir, runs: fake });
});
afterAll(async () => {
  await service.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('compare:runs', () => {
  it('aligns series, diffs configs and reads metrics at the last epoch', async () => {
    const result = await service.api().compare.runs({ runIds: ['a', 'b'] });
    expect(result.runs.map((r) => r.id)).toEqual(['a', 'b']);
    const loss = result.series.find((s) => s.name === 'loss')!;
    expect(loss.x).toEqual([0, 1, 2]);
    expect(loss.values).toEqual([
      [0.9, 0.4, 0.5],
      [0.7, 0.6, null],
    ]);
    const accuracy = result.series.find((s) => s.name === 'accuracy')!;
    expect(accuracy.values[1]).toEqual([null, null, null]);
    expect(result.configDiff).toEqual([
      { path: 'optimizer.learningRate', values: [0.01, 0.1] },
      { path: 'epochs', values: [3, null] },
      { path: 'layers[1].units', values: [null, 2] },
    ]);
    expect(result.metricsAt).toEqual([
      { runId: 'a', epoch: 2, metrics: { validation: { loss: 0.5, accuracy: 0.7 } } },
      { runId: 'b', epoch: 1, metrics: { validation: { loss: 0.6 } } },
    ]);
    // Confusion matrices and curves side by side: one per run, null where a run has none.
    expect(result.evaluations).toEqual([evaluationOfA, null]);
  });

  it('reads metrics at the best epoch (lowest loss, highest accuracy) and at a chosen one', async () => {
    const api = service.api();
    const best = await api.compare.runs({
      runIds: ['a', 'b'],
      at: { kind: 'best', metric: { split: 'validation', name: 'loss' } },
    });
    expect(best.metricsAt.map((m) => m.epoch)).toEqual([1, 1]);
    const bestAccuracy = await api.compare.runs({
      runIds: ['a'],
      at: { kind: 'best', metric: { split: 'validation', name: 'accuracy' } },
    });
    expect(bestAccuracy.metricsAt[0]).toMatchObject({ epoch: 1, metrics: { validation: { accuracy: 0.8 } } });
    const chosen = await api.compare.runs({ runIds: ['a', 'b'], at: { kind: 'epoch', epoch: 2 } });
    expect(chosen.metricsAt.map((m) => m.epoch)).toEqual([2, null]);
  });

  it('names unknown runs and invalid requests', async () => {
    await expect(service.call('compare:runs', { runIds: ['a', 'zzz'] })).rejects.toMatchObject({
      code: 'not-found',
    });
    const error = await service
      .call('compare:runs', { runIds: [], at: { kind: 'soon' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).issues?.map((i) => i.path)).toEqual(
      expect.arrayContaining(['runIds', 'at.kind']),
    );
  });

  it('buckets long series onto a shared axis of at most maxPoints', () => {
    const x = Array.from({ length: 1000 }, (_, i) => i);
    const aligned = alignSeries(
      [
        [
          series(
            'train',
            'loss',
            x,
            x.map((i) => 1 / (i + 1)),
          ),
        ],
        [series('train', 'loss', [5, 999], [3, 4])],
      ],
      10,
    );
    expect(aligned[0]!.x.length).toBeLessThanOrEqual(10);
    expect(aligned[0]!.values[1]!.filter((v) => v !== null)).toEqual([3, 4]);
    expect(diffConfigs([{ a: [] }, { a: [] }])).toEqual([]);
  });
});
