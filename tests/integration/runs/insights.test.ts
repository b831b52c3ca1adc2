// A real short run read through the LabApi: per-layer health series, the final evaluation
// (checked against the test metrics the trainer's own evaluate() recorded), the bias/variance
// diagnosis, compare with evaluations side by side, model export, and the device probe.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabApi } from '../../../core/lab/api/contract.js';
import { createRunsAdapter } from '../../../core/lab/api/runs-adapter.js';
import { LabService } from '../../../core/lab/api/service.js';
import { getModel } from '../../../core/lab/store/index.js';
import { createLab, spiralsConfig, type Lab } from './support.js';

let lab: Lab | undefined;
let service: LabService | undefined;
afterEach(async () => {
  await service?.close();
  await lab?.close();
  service = undefined;
  lab = undefined;
});

async function labApi(options: Parameters<typeof createLab>[0] = {}): Promise<LabApi> {
  lab = await createLab(options, 300);
  const runs = createRunsAdapter({ manager: lab.manager, store: lab.store, dataDir: lab.dir });
  service = new LabService({ store: lab.store, dataDir: lab.dir, runs });
  return service.api();
}

describe('run insights through the LabApi', () => {
  it('health, evaluation, diagnosis and compare of a real run', async () => {
    const api = await labApi();
    const live: number[] = [];
    api.subscribe((event) => {
      if (event.type === 'runs:health' && event.layers.length === 2) live.push(event.epoch);
    });
    const a = await api.runs.create({ config: spiralsConfig(6), name: 'a' });
    const b = await api.runs.create({ config: spiralsConfig(3, { optimizer: 'sgd' }), name: 'b' });
    await Promise.all([a, b].map((run) => lab!.manager.waitFor(run.id)));
    const detail = await api.runs.get({ id: a.id });
    expect(detail.status).toBe('completed');

    const { layers } = await api.runs.health({ runId: a.id });
    // Live health events: one per epoch of each run (a: 6, b: 3).
    expect(live.filter((epoch) => epoch === 5)).toHaveLength(1);
    expect(live).toHaveLength(9);
    expect(layers.map((layer) => layer.layer)).toEqual(['dense_1', 'dense_2']);
    for (const layer of layers) {
      expect(layer.epoch).toEqual([0, 1, 2, 3, 4, 5]);
      expect(layer.gradientNorm.every((g) => g !== null && g > 0)).toBe(true);
      expect(layer.weightNorm.every((w) => w !== null && w > 0)).toBe(true);
    }
    // Dead ReLUs are measured on the ReLU layer only.
    expect(layers[0]!.deadFraction.every((d) => d !== null && d >= 0 && d <= 1)).toBe(true);

    const { evaluation } = await api.runs.evaluation({ runId: a.id });
    expect(evaluation).not.toBeNull();
    expect(evaluation!.split).toBe('test');
    const testRows = evaluation!.confusionMatrix.flat().reduce((x, y) => x + y, 0);
    expect(testRows).toBe(evaluation!.samples);
    // The same model on the same rows: the report agrees with the trainer's evaluate().
    expect(evaluation!.accuracy).toBeCloseTo(detail.finalMetrics.test!.accuracy!, 6);
    const diagonal = evaluation!.confusionMatrix.reduce((sum, row, i) => sum + row[i]!, 0);
    expect(diagonal / testRows).toBeCloseTo(evaluation!.accuracy!, 12);
    // Two softmax outputs: one one-vs-rest curve per class.
    expect(evaluation!.roc.curves.map((curve) => curve.className)).toEqual(evaluation!.classNames);
    const roc = evaluation!.roc.curves[0]!;
    expect([roc.fpr[0], roc.tpr[0], roc.fpr.at(-1), roc.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
    expect(roc.auc!).toBeGreaterThan(0.5);

    const { diagnosis } = await api.runs.diagnose({ runId: a.id });
    expect(diagnosis.evidence.epochs).toBe(6);
    expect(diagnosis.evidence.finalTrainLoss).toBeCloseTo(detail.finalMetrics.train!.loss!, 12);
    expect(diagnosis.evidence.baselineLoss).toBeCloseTo(Math.log(2), 12);
    expect(diagnosis.evidence.gradientNorms.map((g) => g.layer)).toEqual(['dense_1', 'dense_2']);
    expect(diagnosis.headline.length).toBeGreaterThan(10);
    expect(diagnosis.nextSteps.length).toBeGreaterThan(0);

    const compared = await api.compare.runs({ runIds: [a.id, b.id] });
    expect(compared.evaluations).toHaveLength(2);
    expect(compared.evaluations[0]).toEqual(evaluation);
    expect(compared.evaluations[1]!.samples).toBe(evaluation!.samples);

    await expect(api.runs.diagnose({ runId: 'nope' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('exports a saved model as the bytes of its file, named after the model', async () => {
    const api = await labApi();
    const run = await api.runs.create({ config: spiralsConfig(2), name: 'exported' });
    await lab!.manager.waitFor(run.id);
    const model = await api.models.save({ runId: run.id, name: 'spirals/v1: best' });
    const file = await api.models.export({ id: model.id });
    // Separators and reserved characters cannot reach the file system through the name.
    expect(file.fileName).toMatch(/^spirals_v1_ best\.\w+$/);
    const bytes = Buffer.from(file.contentBase64, 'base64');
    expect(bytes.length).toBe(file.sizeBytes);
    expect(file.sizeBytes).toBe(model.sizeBytes);
    const row = getModel(lab!.store, model.id)!;
    expect(bytes.equals(readFileSync(join(lab!.dir, row.file!)))).toBe(true);
    await expect(api.models.export({ id: 'nope' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('describes the adapter a run would get, or says why there is none', async () => {
    const api = await labApi();
    const { gpu } = await api.devices.detect();
    if (gpu.available) {
      // Mesa's lavapipe here (software), a real GPU elsewhere: either way a described adapter.
      expect(gpu.engineBackend).toBe('webgpu');
      expect(gpu.backend.length).toBeGreaterThan(0);
      expect(gpu.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
      expect(gpu.software).toBe(/llvmpipe|lavapipe|swiftshader/i.test(gpu.description + gpu.device));
    } else {
      expect(gpu.reason).toMatch(/no GPU could be opened|no WebGPU backend/);
    }
  });

  it('reports no GPU with the reason when adapters are hidden', async () => {
    const api = await labApi({ trainerEnv: { NNLAB_DISABLE_GPU: '1' } });
    const report = await api.devices.detect();
    expect(report.gpu).toEqual({ available: false, reason: expect.stringMatching(/NNLAB_DISABLE_GPU/) });
    expect(report.cpu.cores).toBeGreaterThan(0);
    // Cached: the same probe answers again.
    expect((await api.devices.detect()).detectedAt).toBe(report.detectedAt);
  });
});

describe('runs:tags through the LabApi', () => {
  it('lists every tag of the whole history with its run count, most used first', async () => {
    const api = await labApi();
    expect((await api.runs.tags({})).tags).toEqual([]);
    const ids: string[] = [];
    for (const name of ['x', 'y', 'z']) {
      ids.push((await api.runs.create({ config: spiralsConfig(1), name, start: false })).id);
    }
    await api.runs.tag({ id: ids[0]!, add: ['baseline', 'wide'] });
    await api.runs.tag({ id: ids[1]!, add: ['baseline'] });
    await api.runs.tag({ id: ids[2]!, add: ['baseline', 'archived'] });
    expect((await api.runs.tags({})).tags).toEqual([
      { tag: 'baseline', runs: 3 },
      { tag: 'archived', runs: 1 },
      { tag: 'wide', runs: 1 },
    ]);
    // Removing the last run that carries a tag removes the tag.
    await api.runs.tag({ id: ids[0]!, remove: ['wide'] });
    await api.runs.delete({ id: ids[2]! });
    expect((await api.runs.tags({})).tags).toEqual([{ tag: 'baseline', runs: 2 }]);
  });
});
